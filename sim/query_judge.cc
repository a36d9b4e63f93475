#include "sim/query_judge.h"

#include <algorithm>
#include <cmath>

#include "sql/parser.h"

namespace lake::sim {
namespace {

constexpr double kRelativeTolerance = 1e-9;

bool SameValue(const sql::Value& a, const sql::Value& b) {
  if (a.type == LogicalType::kDouble && b.type == LogicalType::kDouble && !a.is_null &&
      !b.is_null) {
    if (a.real == b.real) return true;
    if (std::isnan(a.real) || std::isnan(b.real)) return std::isnan(a.real) && std::isnan(b.real);
    const double diff = std::fabs(a.real - b.real);
    return diff <= kRelativeTolerance * std::max(std::fabs(a.real), std::fabs(b.real));
  }
  return a == b;
}

std::string RowText(const std::vector<sql::Value>& row) {
  std::string text;
  for (size_t c = 0; c < row.size(); ++c) text += (c ? "\t" : "") + row[c].ToString();
  return text;
}

// The rows in the order compared: as they came, or sorted by their text.
std::vector<const std::vector<sql::Value>*> Arranged(const sql::QueryResult& r, bool ordered) {
  std::vector<const std::vector<sql::Value>*> rows;
  for (const std::vector<sql::Value>& row : r.rows) rows.push_back(&row);
  if (!ordered) {
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto* a, const auto* b) { return RowText(*a) < RowText(*b); });
  }
  return rows;
}

}  // namespace

bool HasOrderBy(const std::string& sql) {
  Result<std::vector<sql::Statement>> parsed = sql::Parse(sql);
  return parsed.ok() && parsed->size() == 1 && (*parsed)[0].kind == sql::Statement::Kind::kSelect &&
         !(*parsed)[0].select.order_by.empty();
}

std::optional<std::string> AnswerDifference(const sql::QueryResult& expected,
                                            const sql::QueryResult& actual, bool ordered) {
  if (expected.names != actual.names) return "other column names";
  if (expected.types != actual.types) return "other column types";
  if (expected.rows.size() != actual.rows.size()) {
    return std::to_string(actual.rows.size()) + " rows where " +
           std::to_string(expected.rows.size()) + " were expected";
  }
  const auto want = Arranged(expected, ordered);
  const auto got = Arranged(actual, ordered);
  for (size_t r = 0; r < want.size(); ++r) {
    bool same = want[r]->size() == got[r]->size();
    for (size_t c = 0; same && c < want[r]->size(); ++c) {
      same = SameValue((*want[r])[c], (*got[r])[c]);
    }
    if (!same) {
      return "row " + std::to_string(r + 1) + ": [" + RowText(*got[r]) + "] where [" +
             RowText(*want[r]) + "] was expected";
    }
  }
  return std::nullopt;
}

Judgement JudgeAnswer(const Result<sql::QueryResult>& expected, const Status& status,
                      const sql::QueryResult& actual, const std::vector<ChunkId>& chunks,
                      bool ordered) {
  if (status.code() == Status::Code::kUnavailable || status.code() == Status::Code::kTimeout) {
    for (const ChunkId& chunk : chunks) {
      if (status.message().find(chunk.ToHex()) != std::string::npos) {
        return {Verdict::kFailedNamed, ""};
      }
    }
  }
  if (!expected.ok()) {
    if (status.code() == expected.status().code() &&
        status.message() == expected.status().message()) {
      return {Verdict::kExact, ""};
    }
    return {Verdict::kWrong, "the error " + status.ToString() + " where " +
                                 expected.status().ToString() + " was expected"};
  }
  if (!status.ok()) {
    return {Verdict::kWrong, "the error " + status.ToString() + " (naming no chunk)"};
  }
  if (std::optional<std::string> difference = AnswerDifference(*expected, actual, ordered)) {
    return {Verdict::kWrong, *difference};
  }
  return {Verdict::kExact, ""};
}

}  // namespace lake::sim
