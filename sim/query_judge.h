// Judging a distributed answer against the embedded engine's answer over one store holding
// everything. A query under faults may fail, but only saying which chunks it could not read;
// anything else it returns must be the embedded answer:
//   kExact        the same answer (rows compared in order under ORDER BY, else as sorted sets;
//                 DOUBLE values within a relative 1e-9, since partial sums add up in another
//                 order; every other value exactly), or the same statement error (code and text)
//   kFailedNamed  Unavailable or Timeout whose message names one of the dataset's chunk ids
//   kWrong        anything else: another answer, or an error that names no chunk
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/id.h"
#include "common/result.h"
#include "sql/engine.h"

namespace lake::sim {

enum class Verdict { kExact, kFailedNamed, kWrong };

struct Judgement {
  Verdict verdict = Verdict::kWrong;
  std::string why;  // for kWrong: what differs
};

// Whether `sql` is one SELECT with an ORDER BY (its rows' order is part of the answer).
bool HasOrderBy(const std::string& sql);

// What differs between two answers (see above), or nullopt if nothing.
std::optional<std::string> AnswerDifference(const sql::QueryResult& expected,
                                            const sql::QueryResult& actual, bool ordered);

// `status` and `actual` (meaningful when status is OK) against the embedded `expected`, for a
// query over the dataset whose chunks are `chunks`.
Judgement JudgeAnswer(const Result<sql::QueryResult>& expected, const Status& status,
                      const sql::QueryResult& actual, const std::vector<ChunkId>& chunks,
                      bool ordered);

}  // namespace lake::sim
