// A correlated subquery's answers: for each distinct tuple of the outer values it names, the
// value it gave with them (its scalar answer, or whether EXISTS found a row), and optionally a
// value for every other tuple. The binder fills it (sql/binder.cc), running the subquery once
// per tuple the enclosing query's rows hold, or once grouped by the inner sides of its
// equalities (sql/decorrelation.h: then tuples no group has get the answer over no rows); the
// executor looks each row's tuple up (ScalarOp::kCorrelated).
// Thread-safety: immutable once built.
#pragma once

#include <map>
#include <optional>
#include <utility>

#include "common/vector.h"
#include "sql/value.h"

namespace lake::sql {

class CorrelatedAnswers {
 public:
  explicit CorrelatedAnswers(LogicalType type) : values_(type) {}

  // Records that the subquery run with `outer` gave `answer`'s row `row`.
  void Add(Row outer, const Vector& answer, size_t row) {
    index_.emplace(std::move(outer), values_.size());
    values_.AppendRange(answer, row, 1);
  }
  void AddNull(Row outer) {
    index_.emplace(std::move(outer), values_.size());
    values_.AppendNull();
  }
  // `answer`'s row `row` is the answer for every tuple not added.
  void SetOtherwise(const Vector& answer, size_t row) {
    otherwise_ = values_.size();
    values_.AppendRange(answer, row, 1);
  }

  // The row of values() holding the answer for `outer`, or nullopt for a tuple with none.
  std::optional<size_t> Find(const Row& outer) const {
    const auto it = index_.find(outer);
    if (it == index_.end()) return otherwise_;
    return it->second;
  }
  const Vector& values() const { return values_; }
  size_t size() const { return index_.size(); }

 private:
  std::map<Row, size_t, RowLess> index_;
  Vector values_;
  std::optional<size_t> otherwise_;
};

}  // namespace lake::sql
