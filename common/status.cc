#include "common/status.h"

#include <cassert>

namespace lake {
namespace {

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "OK";
    case Status::Code::kNotFound:
      return "NotFound";
    case Status::Code::kCorruption:
      return "Corruption";
    case Status::Code::kInvalidArgument:
      return "InvalidArgument";
    case Status::Code::kIOError:
      return "IOError";
    case Status::Code::kUnavailable:
      return "Unavailable";
    case Status::Code::kTimeout:
      return "Timeout";
    case Status::Code::kResourceExhausted:
      return "ResourceExhausted";
    case Status::Code::kUnauthenticated:
      return "Unauthenticated";
    case Status::Code::kPermissionDenied:
      return "PermissionDenied";
    case Status::Code::kUnsupported:
      return "Unsupported";
  }
  return "Unknown";
}

}  // namespace

Status::Status(Code code, std::string_view msg, int position)
    : rep_(std::make_unique<Rep>(Rep{code, std::string(msg), position})) {}

Status Status::InvalidArgumentAt(std::string_view msg, int position) {
  return Status(Code::kInvalidArgument,
                std::string(msg) + " (at position " + std::to_string(position) + ")", position);
}

Status Status::FromParts(Code code, std::string_view msg, int position) {
  assert(code != Code::kOk);
  return Status(code, msg, position);
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(rep_->code)) + ": " + rep_->message;
}

Status Status::WithContext(std::string_view prefix) const {
  if (ok()) return Status();
  return Status(rep_->code, std::string(prefix) + ": " + rep_->message, rep_->position);
}

}  // namespace lake
