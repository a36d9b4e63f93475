#include "gateway/http_reply.h"

#include <httplib.h>

namespace lake::gateway {

using nlohmann::json;

int HttpStatusOf(Status::Code code) {
  switch (code) {
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kUnauthenticated:
      return 401;
    case Status::Code::kPermissionDenied:
      return 403;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kResourceExhausted:
      return 413;
    case Status::Code::kUnsupported:
      return 415;
    case Status::Code::kUnavailable:
      return 503;
    case Status::Code::kTimeout:
      return 504;
    case Status::Code::kOk:
    case Status::Code::kCorruption:
    case Status::Code::kIOError:
      break;
  }
  return 500;
}

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

json ErrorJson(const Status& status) {
  const bool callers_mistake = HttpStatusOf(status.code()) < 500;
  return json{{"success", false},
              {"error", callers_mistake ? status.message() : status.ToString()},
              {"position", status.position() > 0 ? json(status.position()) : json(nullptr)}};
}

void ReplyError(httplib::Response& res, const Status& status) {
  Reply(res, HttpStatusOf(status.code()), ErrorJson(status));
}

}  // namespace lake::gateway
