// A correlated subquery's answers: for each distinct tuple of the outer values it names, the
// value it gave with them (its scalar answer, or whether EXISTS found a row). The binder runs
// the subquery once per tuple the enclosing query's rows hold (sql/binder.cc); the executor
// looks each row's tuple up (ScalarOp::kCorrelated). This is the nested-loop way of running a
// correlated subquery, with every repeated tuple run once.
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

  // The row of values() holding the answer for `outer`, or nullopt for a tuple never run.
  std::optional<size_t> Find(const Row& outer) const {
    const auto it = index_.find(outer);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }
  const Vector& values() const { return values_; }
  size_t size() const { return index_.size(); }

 private:
  std::map<Row, size_t, RowLess> index_;
  Vector values_;
};

}  // namespace lake::sql
