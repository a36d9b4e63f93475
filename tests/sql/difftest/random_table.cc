#include "tests/sql/difftest/random_table.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>

namespace lake::difftest {
namespace {

template <class T>
const T& Pick(Rng& rng, const std::vector<T>& options) {
  return options[rng.Uniform(options.size())];
}

// Doubles written so that they never read as BIGINT: shortest round-trip digits, with ".0"
// added to integral ones ("-0.0", "3.0", "1e+300").
std::string DoubleText(double v) {
  char buf[40];
  double back = 0;
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::sscanf(buf, "%lf", &back) == 1 && back == v) break;
  }
  std::string text = buf;
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

std::string SmallInt(Rng& rng, int64_t limit) {
  const int64_t v = static_cast<int64_t>(rng.Uniform(2 * limit + 1)) - limit;
  // Also the spellings the importer accepts for the same integer.
  if (v > 0 && rng.Bernoulli(0.05)) return "+" + std::to_string(v);
  if (v >= 0 && v < 10 && rng.Bernoulli(0.05)) return "00" + std::to_string(v);
  return std::to_string(v);
}

std::string WideInt(Rng& rng) {
  static const std::vector<int64_t> kEdges = {std::numeric_limits<int64_t>::min(),
                                              std::numeric_limits<int64_t>::max(),
                                              std::numeric_limits<int64_t>::min() + 1,
                                              0,
                                              -1,
                                              1,
                                              4294967296,
                                              -2147483648,
                                              2147483647,
                                              1'000'000'000'000'000'000};
  if (rng.Bernoulli(0.6)) return std::to_string(Pick(rng, kEdges));
  return std::to_string(static_cast<int64_t>(rng.Next()));
}

// Multiples of 1/4 in [-1000, 1000]: sums of them are exact in any order.
std::string QuarterDouble(Rng& rng) {
  static const std::vector<double> kEdges = {0.0, -0.0, 0.5, -0.5, 1.0, 2.5, -2.5, 999.75};
  if (rng.Bernoulli(0.4)) return DoubleText(Pick(rng, kEdges));
  return DoubleText(static_cast<double>(static_cast<int64_t>(rng.Uniform(8001)) - 4000) / 4);
}

// Doubles in [-1000, 1000] that binary cannot hold exactly (0.1, thirds).
std::string FractionDouble(Rng& rng) {
  static const std::vector<double> kEdges = {0.1, -0.1, 1e-3, 0.3, 2.0 / 3, -0.0, 0.0};
  if (rng.Bernoulli(0.4)) return DoubleText(Pick(rng, kEdges));
  return DoubleText(static_cast<double>(static_cast<int64_t>(rng.Uniform(3001)) - 1500) / 3 *
                    (rng.Bernoulli(0.5) ? 1 : 0.1));
}

std::string ExtremeDouble(Rng& rng) {
  static const std::vector<double> kEdges = {std::numeric_limits<double>::max(),
                                             -std::numeric_limits<double>::max(),
                                             std::numeric_limits<double>::denorm_min(),
                                             std::numeric_limits<double>::min(),
                                             -0.0,
                                             0.0,
                                             1e300,
                                             -1e-300,
                                             9007199254740993.0,
                                             123456789.125};
  return DoubleText(Pick(rng, kEdges));
}

std::string Boolean(Rng& rng) {
  static const std::vector<std::string> kSpellings = {"true", "false", "TRUE", "False"};
  return Pick(rng, kSpellings);
}

std::string Text(Rng& rng) {
  static const std::vector<std::string> kWords = {"a",
                                                  "A",
                                                  "ab",
                                                  "aB",
                                                  "b",
                                                  "abc",
                                                  "b%c",
                                                  "x_y",
                                                  "back\\slash",
                                                  " lead",
                                                  "trail ",
                                                  "it's",
                                                  "say \"hi\"",
                                                  "é",
                                                  "É",
                                                  "日本",
                                                  "😀",
                                                  "Zürich",
                                                  "comma, inside",
                                                  "line\nbreak",
                                                  "12",
                                                  "1e5",
                                                  "true",
                                                  "2024-01-01",
                                                  "NULL"};
  if (rng.Bernoulli(0.05)) return std::string(200 + rng.Uniform(300), "xyz"[rng.Uniform(3)]);
  return Pick(rng, kWords);
}

std::string Date(Rng& rng) {
  static const std::vector<std::string> kEdges = {"0001-01-01", "9999-12-31", "1970-01-01",
                                                  "2024-02-29", "2000-02-29", "1969-12-31"};
  if (rng.Bernoulli(0.4)) return Pick(rng, kEdges);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(1990 + rng.Uniform(50)),
                static_cast<int>(1 + rng.Uniform(12)), static_cast<int>(1 + rng.Uniform(28)));
  return buf;
}

std::string Timestamp(Rng& rng) {
  const std::string day = Date(rng);
  if (rng.Bernoulli(0.1)) return day;  // a date alone is midnight
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%c%02d:%02d:%02d", day.c_str(), rng.Bernoulli(0.5) ? 'T' : ' ',
                static_cast<int>(rng.Uniform(24)), static_cast<int>(rng.Uniform(60)),
                static_cast<int>(rng.Uniform(60)));
  std::string text = buf;
  if (rng.Bernoulli(0.3)) {
    const int digits = 1 + static_cast<int>(rng.Uniform(6));
    text += ".";
    for (int i = 0; i < digits; ++i) text += static_cast<char>('0' + rng.Uniform(10));
  }
  return text;
}

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string RandomTable::ToCsv() const {
  std::string out;
  for (size_t c = 0; c < columns.size(); ++c) out += (c ? "," : "") + columns[c].name;
  out += "\n";
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) out += ",";
      if (!row[c]) continue;
      out += columns[c].kind == Kind::kText ? Quoted(*row[c]) : *row[c];
    }
    out += "\n";
  }
  return out;
}

RandomTable MakeRandomTable(Rng& rng, const std::string& name, size_t max_rows) {
  RandomTable t;
  t.name = name;
  const double kMaxInt = 9223372036854775808.0;
  t.columns = {
      {"k", Kind::kInt, 9},       {"i", Kind::kInt, 1000},
      {"w", Kind::kInt, kMaxInt}, {"d", Kind::kReal, 1000, /*dyadic=*/true},
      {"f", Kind::kReal, 1000},   {"e", Kind::kReal, std::numeric_limits<double>::infinity()},
      {"b", Kind::kBool, 0},      {"s", Kind::kText, 0},
      {"dt", Kind::kDate, 0},     {"ts", Kind::kTimestamp, 0}};
  const size_t rows = 1 + rng.Uniform(max_rows);
  const double null_rate = rng.Bernoulli(0.2) ? 0.0 : rng.UniformDouble() * 0.4;
  for (size_t r = 0; r < rows; ++r) {
    std::vector<std::optional<std::string>> row;
    for (const ColumnSpec& column : t.columns) {
      if (r > 0 && rng.Bernoulli(null_rate)) {
        row.emplace_back();
        continue;
      }
      if (column.name == "k") row.push_back(SmallInt(rng, 9));
      if (column.name == "i") row.push_back(SmallInt(rng, 1000));
      if (column.name == "w") row.push_back(WideInt(rng));
      if (column.name == "d") row.push_back(QuarterDouble(rng));
      if (column.name == "f") row.push_back(FractionDouble(rng));
      if (column.name == "e") row.push_back(ExtremeDouble(rng));
      if (column.name == "b") row.push_back(Boolean(rng));
      if (column.name == "s") row.push_back(r == 0 ? std::string("anchor") : Text(rng));
      if (column.name == "dt") row.push_back(Date(rng));
      if (column.name == "ts")
        row.push_back(r == 0 ? std::string("2000-02-29 12:30:00.5") : Timestamp(rng));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace lake::difftest
