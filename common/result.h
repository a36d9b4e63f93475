// Result<T>: either a value or a non-OK Status (never both, never an OK status without a value).
// Thread-safety: a value type, like Status.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "common/status.h"

namespace lake {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  // REQUIRES: !status.ok()
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok()
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace lake

// Evaluates `expr` (a Result<T>); on error returns its Status, else move-assigns the value to
// `lhs`.
#define LAKE_ASSIGN_OR_RETURN(lhs, expr) \
  LAKE_ASSIGN_OR_RETURN_IMPL(LAKE_CONCAT(_lake_result_, __LINE__), lhs, expr)
#define LAKE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
#define LAKE_CONCAT(a, b) LAKE_CONCAT_INNER(a, b)
#define LAKE_CONCAT_INNER(a, b) a##b
