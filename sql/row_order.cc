#include "sql/row_order.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_set>

#include "sql/key_bits.h"

namespace lake::sql {
namespace {

template <class T>
int Compare(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int CompareValues(const Vector& v, size_t a, size_t b) {
  switch (v.type()) {
    case LogicalType::kBigInt:
    case LogicalType::kTimestamp:
      return Compare(v.Get<int64_t>(a), v.Get<int64_t>(b));
    case LogicalType::kDouble:
      return CompareDoubles(v.Get<double>(a), v.Get<double>(b));
    case LogicalType::kDate:
      return Compare(v.Get<int32_t>(a), v.Get<int32_t>(b));
    case LogicalType::kBoolean:
      return Compare(v.Get<uint8_t>(a), v.Get<uint8_t>(b));
    case LogicalType::kVarchar: {
      const int c = v.GetString(a).compare(v.GetString(b));
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
  return 0;
}

}  // namespace

int CompareRows(const std::vector<Vector>& columns, const std::vector<BoundOrder>& order, size_t a,
                size_t b) {
  for (const BoundOrder& key : order) {
    const Vector& v = columns[key.column];
    const bool a_null = !v.IsValid(a);
    const bool b_null = !v.IsValid(b);
    int c;
    if (a_null || b_null) {
      if (a_null && b_null) continue;
      // NULL placement does not flip with DESC: it is stated on its own.
      c = a_null ? (key.nulls_first ? -1 : 1) : (key.nulls_first ? 1 : -1);
      return c;
    }
    c = CompareValues(v, a, b);
    if (c != 0) return key.descending ? -c : c;
  }
  return 0;
}

namespace {

// `indexes` sorted by `order`, ties by index; only the first `keep` when fewer than all.
void SortIndexes(const std::vector<Vector>& columns, const std::vector<BoundOrder>& order,
                 size_t keep, std::vector<size_t>* indexes) {
  auto less = [&](size_t a, size_t b) {
    const int c = CompareRows(columns, order, a, b);
    return c != 0 ? c < 0 : a < b;  // ties keep input order
  };
  if (keep < indexes->size()) {
    std::partial_sort(indexes->begin(), indexes->begin() + keep, indexes->end(), less);
    indexes->resize(keep);
  } else {
    std::sort(indexes->begin(), indexes->end(), less);
  }
}

}  // namespace

std::vector<size_t> SortedRows(const std::vector<Vector>& columns,
                               const std::vector<BoundOrder>& order, size_t rows, size_t keep) {
  std::vector<size_t> indexes(rows);
  std::iota(indexes.begin(), indexes.end(), 0);
  SortIndexes(columns, order, keep, &indexes);
  return indexes;
}

std::vector<size_t> AnswerRows(const std::vector<Vector>& columns, const BoundSelect& q,
                               size_t rows, TaskRunner* runner) {
  const size_t keep = q.limit ? std::min(rows, static_cast<size_t>(*q.limit + q.offset)) : rows;
  if (!q.order_by.empty()) return SortedRows(columns, q.order_by, rows, keep, runner);
  std::vector<size_t> first(keep);
  std::iota(first.begin(), first.end(), size_t{0});
  return first;
}

std::vector<size_t> SortedRows(const std::vector<Vector>& columns,
                               const std::vector<BoundOrder>& order, size_t rows, size_t keep,
                               TaskRunner* runner) {
  // Worth it only for a few rows out of many: each range keeps its own top `keep`, and the
  // answer is the top `keep` of those (ties broken by index, so the same rows as one sort).
  constexpr size_t kMinRowsPerRange = 16384;
  const size_t parallelism = runner->parallelism();
  const size_t ranges = parallelism == 1 ? 1 : std::min(4 * parallelism, rows / kMinRowsPerRange);
  if (ranges < 2 || keep * ranges * 4 > rows) return SortedRows(columns, order, rows, keep);
  std::vector<std::vector<size_t>> tops(ranges);
  runner->ParallelFor(ranges, [&](size_t r) {
    tops[r].resize(rows * (r + 1) / ranges - rows * r / ranges);
    std::iota(tops[r].begin(), tops[r].end(), rows * r / ranges);
    SortIndexes(columns, order, keep, &tops[r]);
  });
  std::vector<size_t> candidates;
  for (const std::vector<size_t>& top : tops) {
    candidates.insert(candidates.end(), top.begin(), top.end());
  }
  SortIndexes(columns, order, keep, &candidates);
  return candidates;
}

std::vector<size_t> DistinctRows(const std::vector<Vector>& columns, size_t visible, size_t rows) {
  std::vector<size_t> kept;
  std::unordered_set<std::string> seen;
  std::string key;
  for (size_t row = 0; row < rows; ++row) {
    key.clear();
    for (size_t c = 0; c < visible; ++c) {
      const Vector& v = columns[c];
      if (!v.IsValid(row)) {
        key.push_back('\0');
        continue;
      }
      key.push_back('\1');
      if (v.type() == LogicalType::kVarchar) {
        const std::string_view s = v.GetString(row);
        const uint32_t size = static_cast<uint32_t>(s.size());
        key.append(reinterpret_cast<const char*>(&size), sizeof size);
        key.append(s);
      } else if (v.type() == LogicalType::kDouble) {
        // By value, as GROUP BY keys: -0.0 and 0.0 are one row.
        const uint64_t bits = KeyBits(v.Get<double>(row));
        key.append(reinterpret_cast<const char*>(&bits), sizeof bits);
      } else {
        const size_t width = FixedWidth(v.type());
        key.append(reinterpret_cast<const char*>(v.fixed_bytes().data()) + row * width, width);
      }
    }
    if (seen.insert(key).second) kept.push_back(row);
  }
  return kept;
}

std::vector<Vector> TakeRows(const std::vector<Vector>& columns,
                             const std::vector<size_t>& indexes) {
  std::vector<Vector> out;
  for (const Vector& column : columns) {
    Vector taken(column.type());
    taken.Reserve(indexes.size());
    for (size_t row : indexes) taken.AppendRange(column, row, 1);
    out.push_back(std::move(taken));
  }
  return out;
}

}  // namespace lake::sql
