// actors/errors.h: a Status crosses an actor boundary with its code, message and position.
#include "actors/errors.h"

#include <catch2/catch.hpp>

namespace lake::actors {
namespace {

TEST_CASE("Every Status code survives the trip through a CAF error", "[actors][errors]") {
  const Status statuses[] = {
      Status::NotFound("no dataset x"),           Status::Corruption("chunk 3 damaged"),
      Status::InvalidArgumentAt("bad", 17),       Status::IOError("disk full"),
      Status::Unavailable("overloaded"),          Status::Timeout("too slow"),
      Status::ResourceExhausted("too large"),     Status::Unauthenticated("no token"),
      Status::PermissionDenied("foreign origin"), Status::Unsupported("text/plain"),
  };
  for (const Status& status : statuses) {
    INFO(status.ToString());
    const Status back = ToStatus(ToCafError(status));
    CHECK(back.code() == status.code());
    CHECK(back.message() == status.message());
    CHECK(back.position() == status.position());
  }
  CHECK(ToStatus(ToCafError(Status::InvalidArgumentAt("bad", 17))).position() == 17);
}

TEST_CASE("CAF's own errors become Timeout or Unavailable", "[actors][errors]") {
  CHECK(ToStatus(caf::make_error(caf::sec::request_timeout)).code() == Status::Code::kTimeout);
  const Status down = ToStatus(caf::make_error(caf::sec::request_receiver_down));
  CHECK(down.code() == Status::Code::kUnavailable);
  CHECK(down.message().find("request_receiver_down") != std::string::npos);
  // An error of our category with a code no Status has is not trusted as one.
  CHECK(ToStatus(caf::error(uint8_t{200}, kStatusCategory)).code() == Status::Code::kUnavailable);
}

}  // namespace
}  // namespace lake::actors
