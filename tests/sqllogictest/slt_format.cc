#include "tests/sqllogictest/slt_format.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "tests/sqllogictest/md5.h"

namespace lake::slt {
namespace {

// A value as SQLite's sqlite3_column_double would give it: numbers as they are, booleans as
// 0/1, text by its numeric prefix (0 when there is none).
double AsDouble(const sql::Value& value) {
  switch (value.type) {
    case LogicalType::kDouble:
      return value.real;
    case LogicalType::kBoolean:
      return value.boolean ? 1 : 0;
    case LogicalType::kVarchar:
      return std::strtod(value.text.c_str(), nullptr);
    default:
      return static_cast<double>(value.integer);
  }
}

// A value as sqlite3_column_int would give it: a real truncated toward zero (saturating, as
// SQLite's conversion does), then the low 32 bits.
int32_t AsInt32(const sql::Value& value) {
  int64_t wide;
  switch (value.type) {
    case LogicalType::kBigInt:
    case LogicalType::kDate:
    case LogicalType::kTimestamp:
      wide = value.integer;
      break;
    case LogicalType::kBoolean:
      wide = value.boolean ? 1 : 0;
      break;
    case LogicalType::kVarchar:
      wide = std::strtoll(value.text.c_str(), nullptr, 10);
      break;
    case LogicalType::kDouble:
    default: {
      const double r = value.real;
      if (std::isnan(r)) {
        wide = 0;
      } else if (r <= -9.2233720368547758e18) {
        wide = INT64_MIN;
      } else if (r >= 9.2233720368547758e18) {
        wide = INT64_MAX;
      } else {
        wide = static_cast<int64_t>(r);
      }
      break;
    }
  }
  return static_cast<int32_t>(wide);
}

}  // namespace

std::string FormatValue(char letter, const sql::Value& value) {
  if (value.is_null) return "NULL";
  char buffer[64];
  switch (letter) {
    case 'I':
      std::snprintf(buffer, sizeof(buffer), "%d", AsInt32(value));
      return buffer;
    case 'R':
      std::snprintf(buffer, sizeof(buffer), "%.3f", AsDouble(value));
      return buffer;
    default: {
      std::string text =
          value.type == LogicalType::kBoolean ? (value.boolean ? "1" : "0") : value.ToString();
      if (text.empty()) return "(empty)";
      for (char& c : text) {
        if (c < ' ' || c > '~') c = '@';
      }
      return text;
    }
  }
}

bool SortValues(std::string_view mode, size_t columns, std::vector<std::string>* values) {
  if (mode == "nosort") return true;
  if (mode == "valuesort") {
    std::sort(values->begin(), values->end());
    return true;
  }
  if (mode != "rowsort") return false;
  if (columns == 0 || values->size() % columns != 0) return true;  // not rows: leave as is
  std::vector<std::vector<std::string>> rows(values->size() / columns);
  for (size_t i = 0; i < values->size(); ++i) rows[i / columns].push_back((*values)[i]);
  std::sort(rows.begin(), rows.end());
  values->clear();
  for (auto& row : rows) {
    for (auto& v : row) values->push_back(std::move(v));
  }
  return true;
}

std::string HashValues(const std::vector<std::string>& values) {
  Md5 md5;
  for (const std::string& v : values) {
    md5.Update(v);
    md5.Update("\n");
  }
  return std::to_string(values.size()) + " values hashing to " + md5.FinishHex();
}

}  // namespace lake::slt
