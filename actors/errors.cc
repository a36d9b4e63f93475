#include "actors/errors.h"

#include <cassert>
#include <string>

namespace lake::actors {

caf::error ToCafError(const Status& status) {
  assert(!status.ok());
  return caf::error(static_cast<uint8_t>(status.code()), kStatusCategory,
                    caf::make_message(status.message(), int32_t{status.position()}));
}

Status ToStatus(const caf::error& error) {
  if (error.category() == kStatusCategory && error.code() != 0 &&
      error.code() <= static_cast<uint8_t>(Status::kLastCode) &&
      error.context().match_elements<std::string, int32_t>()) {
    return Status::FromParts(static_cast<Status::Code>(error.code()),
                             error.context().get_as<std::string>(0),
                             error.context().get_as<int32_t>(1));
  }
  if (error == caf::sec::request_timeout) return Status::Timeout("no answer before the deadline");
  if (error.category() == caf::atom("system")) {
    std::string text = caf::to_string(static_cast<caf::sec>(error.code()));
    if (!error.context().empty()) text += ": " + caf::to_string(error.context());
    return Status::Unavailable(text);
  }
  return Status::Unavailable(caf::to_string(error));
}

}  // namespace lake::actors
