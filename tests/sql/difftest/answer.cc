#include "tests/sql/difftest/answer.h"

#include <algorithm>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace lake::difftest {
namespace {

char LetterOf(LogicalType type) {
  switch (type) {
    case LogicalType::kBigInt:
      return 'I';
    case LogicalType::kDouble:
      return 'R';
    case LogicalType::kBoolean:
      return 'B';
    default:
      return 'T';
  }
}

// strtod's reading of an R cell ("inf", "-0.0", "1e+300" ...).
double RealOf(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

bool SameReal(const std::string& a, const std::string& b) {
  return RealOf(a) == RealOf(b);  // exactly (and -0 is 0)
}

bool SameCell(const std::optional<std::string>& a, const std::optional<std::string>& b, char kind) {
  if (!a || !b) return !a && !b;
  return kind == 'R' ? SameReal(*a, *b) : *a == *b;
}

// An order under which rows that agree land in the same place: NULL first, R cells by value
// (-0 is 0), the others by their text.
bool RowLess(const std::vector<std::optional<std::string>>& a,
             const std::vector<std::optional<std::string>>& b, const std::string& kinds) {
  for (size_t c = 0; c < a.size() && c < b.size(); ++c) {
    if (!a[c] || !b[c]) {
      if (!a[c] && !b[c]) continue;
      return !a[c];
    }
    if (kinds[c] == 'R') {
      const double x = RealOf(*a[c]), y = RealOf(*b[c]);
      if (x != y) return x < y;
    } else if (*a[c] != *b[c]) {
      return *a[c] < *b[c];
    }
  }
  return a.size() < b.size();
}

}  // namespace

Answer FromResult(const Result<sql::QueryResult>& result, const std::string& kinds) {
  Answer out;
  if (!result.ok()) {
    out.failed = true;
    out.error = result.status().ToString();
    return out;
  }
  for (LogicalType type : result->types) out.kinds += LetterOf(type);
  if (!kinds.empty() && out.kinds != kinds) {
    out.failed = true;
    out.error = "column types " + out.kinds + ", but the query's columns are " + kinds;
    return out;
  }
  for (const std::vector<sql::Value>& row : result->rows) {
    std::vector<std::optional<std::string>> cells;
    for (const sql::Value& v : row) {
      if (v.is_null) {
        cells.emplace_back();
      } else if (v.type == LogicalType::kDouble) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", v.real);
        cells.emplace_back(buf);
      } else {
        cells.emplace_back(v.ToString());
      }
    }
    out.rows.push_back(std::move(cells));
  }
  return out;
}

Answer FromOracleLine(const std::string& line, const std::string& kinds) {
  Answer out;
  out.kinds = kinds;
  const nlohmann::json answer = nlohmann::json::parse(line, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) {
    out.failed = true;
    out.error = "unreadable oracle line: " + line;
    return out;
  }
  if (answer.contains("error")) {
    out.failed = true;
    out.error = answer["error"].get<std::string>();
    return out;
  }
  for (const nlohmann::json& row : answer["rows"]) {
    std::vector<std::optional<std::string>> cells;
    for (const nlohmann::json& cell : row) {
      if (cell.is_null()) {
        cells.emplace_back();
      } else {
        cells.emplace_back(cell.get<std::string>());
      }
    }
    out.rows.push_back(std::move(cells));
  }
  return out;
}

std::string Difference(const Answer& a, const Answer& b, bool ordered) {
  if (a.failed || b.failed) {
    if (a.failed && b.failed) return "";
    return a.failed ? "only the first failed: " + a.error : "only the second failed: " + b.error;
  }
  if (a.rows.size() != b.rows.size()) {
    return std::to_string(a.rows.size()) + " rows against " + std::to_string(b.rows.size());
  }
  std::vector<size_t> ia(a.rows.size()), ib(b.rows.size());
  for (size_t i = 0; i < ia.size(); ++i) ia[i] = ib[i] = i;
  if (!ordered) {
    auto by_key = [](const Answer& x) {
      return [&x](size_t l, size_t r) { return RowLess(x.rows[l], x.rows[r], x.kinds); };
    };
    std::sort(ia.begin(), ia.end(), by_key(a));
    std::sort(ib.begin(), ib.end(), by_key(b));
  }
  for (size_t i = 0; i < ia.size(); ++i) {
    const auto& ra = a.rows[ia[i]];
    const auto& rb = b.rows[ib[i]];
    bool same = ra.size() == rb.size();
    for (size_t c = 0; same && c < ra.size(); ++c) same = SameCell(ra[c], rb[c], a.kinds[c]);
    if (!same) return "row " + std::to_string(i + 1) + (ordered ? "" : " (sorted)") + " differs";
  }
  return "";
}

std::string Describe(const Answer& a, size_t max_rows) {
  if (a.failed) return "  error: " + a.error + "\n";
  std::string out;
  for (size_t r = 0; r < a.rows.size() && r < max_rows; ++r) {
    out += "  ";
    for (size_t c = 0; c < a.rows[r].size(); ++c) {
      out += (c ? " | " : "") + (a.rows[r][c] ? "'" + *a.rows[r][c] + "'" : std::string("NULL"));
    }
    out += "\n";
  }
  if (a.rows.size() > max_rows) out += "  ... " + std::to_string(a.rows.size()) + " rows\n";
  if (a.rows.empty()) out += "  (no rows)\n";
  return out;
}

}  // namespace lake::difftest
