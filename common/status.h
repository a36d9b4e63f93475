// Status: the one error currency of the pure modules (common, store, sql, dht, sim).
// An OK status is a null pointer, so success costs nothing; errors carry a code and a message.
// No exception crosses a module boundary: failures travel as Status or Result<T>.
// Thread-safety: a Status is a value; distinct objects may be used from distinct threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace lake {

class [[nodiscard]] Status {
 public:
  // Never renumber: codes are exposed through the CLI's exit lines and, later, the wire.
  enum class Code : uint8_t {
    kOk = 0,
    kNotFound = 1,
    kCorruption = 2,
    kInvalidArgument = 3,
    kIOError = 4,
    kUnavailable = 5,
    kTimeout = 6,
    kResourceExhausted = 7,
    kUnauthenticated = 8,   // a request without valid credentials where they are needed
    kPermissionDenied = 9,  // a request whose origin or host this node does not serve
    kUnsupported = 10,      // a request in a form this node does not accept
  };
  // The highest code: a code read from outside (an actor message) is valid up to here.
  static constexpr Code kLastCode = Code::kUnsupported;

  Status() = default;  // OK
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  static Status Timeout(std::string_view msg) { return Status(Code::kTimeout, msg); }
  static Status ResourceExhausted(std::string_view msg) {
    return Status(Code::kResourceExhausted, msg);
  }
  static Status Unauthenticated(std::string_view msg) {
    return Status(Code::kUnauthenticated, msg);
  }
  static Status PermissionDenied(std::string_view msg) {
    return Status(Code::kPermissionDenied, msg);
  }
  static Status Unsupported(std::string_view msg) { return Status(Code::kUnsupported, msg); }
  // InvalidArgument about the input text at 1-based `position` (a SQL query): the message ends
  // "(at position P)" and position() returns P.
  static Status InvalidArgumentAt(std::string_view msg, int position);
  // A status rebuilt from its parts after crossing a boundary (an actor message, a wire frame).
  // REQUIRES: code != kOk.
  static Status FromParts(Code code, std::string_view msg, int position);

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsIOError() const { return code() == Code::kIOError; }
  bool IsResourceExhausted() const { return code() == Code::kResourceExhausted; }
  // The 1-based position in the input that the error is about; 0 when it names none.
  int position() const { return rep_ ? rep_->position : 0; }

  // The message alone, without the code's name ("" when OK).
  const std::string& message() const;
  // "OK", or "<CodeName>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>" (code and position kept); OK stays OK.
  Status WithContext(std::string_view prefix) const;

 private:
  struct Rep {
    Code code;
    std::string message;
    int position = 0;
  };
  Status(Code code, std::string_view msg, int position = 0);

  std::unique_ptr<Rep> rep_;
};

}  // namespace lake

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define LAKE_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::lake::Status _lake_status = (expr);        \
    if (!_lake_status.ok()) return _lake_status; \
  } while (0)
