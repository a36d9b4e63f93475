// The differential tester's common form of an answer, whoever gave it (our engine whole, in
// fragments, over other chunk sizes, or the SQLite oracle): an error, or rows of cells as text in
// the form our engine prints them, NULL apart. Comparing two answers: both errors agree (the
// generator keeps runtime errors out of its queries, so an error on one side only is a finding);
// rows agree in order for ordered queries, else as multisets; R (DOUBLE) cells agree when they
// hold the same double, with -0 equal to 0 (SQLite does not keep the sign of a stored zero). No
// tolerance: every row's arithmetic is IEEE in both engines, and the generator keeps sums exact.
// Thread-safety: value types and pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "sql/engine.h"

namespace lake::difftest {

struct Answer {
  bool failed = false;
  std::string error;  // failed: the message
  std::string kinds;  // one letter per column: I, R, B, T
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// Our engine's answer. `kinds` is what the generator typed the columns as: a column of another
// type makes the answer fail (a typing bug). Empty `kinds`: taken from the result.
Answer FromResult(const Result<sql::QueryResult>& result, const std::string& kinds);

// One line of sqlite_oracle.py's output.
Answer FromOracleLine(const std::string& line, const std::string& kinds);

// Empty if `a` and `b` agree, else what differs.
std::string Difference(const Answer& a, const Answer& b, bool ordered);

// The answer as text, for failure reports (the first `max_rows` rows).
std::string Describe(const Answer& a, size_t max_rows = 12);

}  // namespace lake::difftest
