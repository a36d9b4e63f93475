#include "common/status.h"

#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "common/result.h"

namespace lake {
namespace {

TEST_CASE("A default Status is OK with an empty message", "[common][status]") {
  const Status s;
  CHECK(s.ok());
  CHECK(s.code() == Status::Code::kOk);
  CHECK(s.message().empty());
  CHECK(s.ToString() == "OK");
  CHECK(Status::OK().ok());
  CHECK_FALSE(s.IsNotFound());
  CHECK_FALSE(s.IsCorruption());
}

TEST_CASE("Status codes keep their wire numbers", "[common][status]") {
  // "Never renumber": these values are visible outside the process.
  CHECK(static_cast<int>(Status::Code::kOk) == 0);
  CHECK(static_cast<int>(Status::Code::kNotFound) == 1);
  CHECK(static_cast<int>(Status::Code::kCorruption) == 2);
  CHECK(static_cast<int>(Status::Code::kInvalidArgument) == 3);
  CHECK(static_cast<int>(Status::Code::kIOError) == 4);
  CHECK(static_cast<int>(Status::Code::kUnavailable) == 5);
  CHECK(static_cast<int>(Status::Code::kTimeout) == 6);
  CHECK(static_cast<int>(Status::Code::kResourceExhausted) == 7);
  CHECK(static_cast<int>(Status::Code::kUnauthenticated) == 8);
  CHECK(static_cast<int>(Status::Code::kPermissionDenied) == 9);
  CHECK(static_cast<int>(Status::Code::kUnsupported) == 10);
  CHECK(Status::kLastCode == Status::Code::kUnsupported);
}

TEST_CASE("Each Status factory sets its code, message and name", "[common][status]") {
  struct Case {
    Status status;
    Status::Code code;
    const char* name;
  };
  const Case cases[] = {
      {Status::NotFound("m1"), Status::Code::kNotFound, "NotFound"},
      {Status::Corruption("m2"), Status::Code::kCorruption, "Corruption"},
      {Status::InvalidArgument("m3"), Status::Code::kInvalidArgument, "InvalidArgument"},
      {Status::IOError("m4"), Status::Code::kIOError, "IOError"},
      {Status::Unavailable("m5"), Status::Code::kUnavailable, "Unavailable"},
      {Status::Timeout("m6"), Status::Code::kTimeout, "Timeout"},
      {Status::ResourceExhausted("m7"), Status::Code::kResourceExhausted, "ResourceExhausted"},
      {Status::Unauthenticated("m8"), Status::Code::kUnauthenticated, "Unauthenticated"},
      {Status::PermissionDenied("m9"), Status::Code::kPermissionDenied, "PermissionDenied"},
      {Status::Unsupported("m10"), Status::Code::kUnsupported, "Unsupported"},
  };
  int index = 1;
  for (const Case& c : cases) {
    INFO(c.name);
    const std::string message = "m" + std::to_string(index++);
    CHECK_FALSE(c.status.ok());
    CHECK(c.status.code() == c.code);
    CHECK(c.status.message() == message);
    CHECK(c.status.ToString() == std::string(c.name) + ": " + message);
    CHECK(c.status.IsNotFound() == (c.code == Status::Code::kNotFound));
    CHECK(c.status.IsCorruption() == (c.code == Status::Code::kCorruption));
    CHECK(c.status.IsInvalidArgument() == (c.code == Status::Code::kInvalidArgument));
    CHECK(c.status.IsIOError() == (c.code == Status::Code::kIOError));
    CHECK(c.status.IsResourceExhausted() == (c.code == Status::Code::kResourceExhausted));
  }
}

TEST_CASE("An error Status may carry an empty message", "[common][status]") {
  const Status s = Status::Timeout("");
  CHECK_FALSE(s.ok());
  CHECK(s.message().empty());
  CHECK(s.ToString() == "Timeout: ");
}

TEST_CASE("Status::WithContext prefixes the message and keeps the code", "[common][status]") {
  const Status base = Status::IOError("disk full");
  const Status wrapped = base.WithContext("write chunk");
  CHECK(wrapped.code() == Status::Code::kIOError);
  CHECK(wrapped.message() == "write chunk: disk full");
  CHECK(wrapped.ToString() == "IOError: write chunk: disk full");
  // The original is untouched, and contexts nest outermost first.
  CHECK(base.message() == "disk full");
  CHECK(wrapped.WithContext("import").message() == "import: write chunk: disk full");
}

TEST_CASE("Status::WithContext leaves OK as OK", "[common][status]") {
  const Status s = Status::OK().WithContext("anything");
  CHECK(s.ok());
  CHECK(s.message().empty());
  CHECK(s.ToString() == "OK");
}

TEST_CASE("Copies of a Status are deep and independent", "[common][status]") {
  Status original = Status::Corruption("bad bytes");
  Status copy(original);
  CHECK(copy.code() == Status::Code::kCorruption);
  CHECK(copy.message() == "bad bytes");

  // Re-assigning the original must not affect the copy (no shared representation).
  original = Status::NotFound("gone");
  CHECK(copy.IsCorruption());
  CHECK(copy.message() == "bad bytes");
  CHECK(original.IsNotFound());

  Status assigned;
  assigned = copy;
  CHECK(assigned.ToString() == "Corruption: bad bytes");
  assigned = Status::OK();
  CHECK(assigned.ok());
  CHECK(copy.IsCorruption());

  // Copying OK gives OK; self-assignment keeps the value.
  Status ok_copy(assigned);
  CHECK(ok_copy.ok());
  Status& self = copy;
  copy = self;
  CHECK(copy.ToString() == "Corruption: bad bytes");
}

TEST_CASE("Moving a Status transfers its code and message", "[common][status]") {
  Status source = Status::Unavailable("peer down");
  Status moved(std::move(source));
  CHECK(moved.code() == Status::Code::kUnavailable);
  CHECK(moved.message() == "peer down");
  Status target;
  target = std::move(moved);
  CHECK(target.ToString() == "Unavailable: peer down");
}

Status FailsIf(bool fail, int* reached) {
  LAKE_RETURN_IF_ERROR(fail ? Status::InvalidArgument("stop") : Status::OK());
  ++*reached;
  return Status::OK();
}

TEST_CASE("LAKE_RETURN_IF_ERROR returns the error and continues on OK", "[common][status]") {
  int reached = 0;
  const Status failed = FailsIf(true, &reached);
  CHECK(failed.IsInvalidArgument());
  CHECK(failed.message() == "stop");
  CHECK(reached == 0);
  CHECK(FailsIf(false, &reached).ok());
  CHECK(reached == 1);
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  LAKE_ASSIGN_OR_RETURN(int half, Half(x));
  LAKE_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST_CASE("Result holds a value or an error, and LAKE_ASSIGN_OR_RETURN propagates",
          "[common][status]") {
  const Result<int> ok = Quarter(12);
  REQUIRE(ok.ok());
  CHECK(*ok == 3);
  CHECK(ok.status().ok());

  const Result<int> failed = Quarter(6);  // 6 -> 3, and 3 is odd
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().IsInvalidArgument());
  CHECK(failed.status().message() == "odd");
}

}  // namespace
}  // namespace lake
