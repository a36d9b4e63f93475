#include "sql/window_functions.h"

#include <algorithm>

#include "common/batch.h"
#include "sql/expression_executor.h"
#include "sql/group_table.h"
#include "sql/row_order.h"
#include "sql/selected_vector.h"

namespace lake::sql {
namespace {

// BIGINT prefix sums may pass the range a window's own sum stays within.
__extension__ typedef __int128 WideSum;

// `expr` over every row of `rows`, a vector at a time (a column of them, copied).
Result<Vector> EvaluateAll(const BoundExpr& expr, const std::vector<Vector>& rows, size_t count) {
  if (expr.kind == BoundExpr::Kind::kColumn) return rows[expr.column];
  Schema schema;
  for (const Vector& v : rows) schema.push_back(Column{"", v.type()});
  Batch batch(schema);
  Vector out(expr.type);
  Vector part(expr.type);
  for (size_t offset = 0; offset < count; offset += kVectorSize) {
    const size_t n = std::min(kVectorSize, count - offset);
    batch.CopyFrom(rows, offset, n);
    LAKE_RETURN_IF_ERROR(Evaluate(expr, batch, &part));
    out.AppendRange(part, 0, part.size());
  }
  return out;
}

// Where a row's frame starts and ends (positions in sorted order, [first, last)), given its
// partition [begin, end) and its peers [peer_begin, peer_end).
struct Span {
  size_t first = 0;
  size_t last = 0;
};

Span FrameOf(const WindowFrame& frame, size_t begin, size_t end, size_t at, size_t peer_begin,
             size_t peer_end) {
  const auto position = [&](const FrameBound& b, bool is_end) -> int64_t {
    switch (b.kind) {
      case FrameBound::Kind::kUnboundedPreceding:
        return static_cast<int64_t>(begin);
      case FrameBound::Kind::kUnboundedFollowing:
        return static_cast<int64_t>(end);
      case FrameBound::Kind::kCurrentRow:
        if (frame.rows) return static_cast<int64_t>(at) + (is_end ? 1 : 0);
        return static_cast<int64_t>(is_end ? peer_end : peer_begin);
      case FrameBound::Kind::kPreceding:
        return static_cast<int64_t>(at) - b.offset + (is_end ? 1 : 0);
      case FrameBound::Kind::kFollowing:
        return static_cast<int64_t>(at) + b.offset + (is_end ? 1 : 0);
    }
    return 0;
  };
  const int64_t lo = std::clamp<int64_t>(position(frame.start, false), static_cast<int64_t>(begin),
                                         static_cast<int64_t>(end));
  const int64_t hi = std::clamp<int64_t>(position(frame.end, true), static_cast<int64_t>(begin),
                                         static_cast<int64_t>(end));
  if (hi <= lo) return Span{static_cast<size_t>(lo), static_cast<size_t>(lo)};
  return Span{static_cast<size_t>(lo), static_cast<size_t>(hi)};
}

// One window over `count` rows.
class WindowRun {
 public:
  WindowRun(const BoundWindow& w, size_t count) : w_(w), count_(count) {}

  Result<Vector> Run(const std::vector<Vector>& rows) {
    // Partitions by hashing their keys (GroupTable), then each partition's rows sorted by the
    // ORDER BY keys (stable: ties keep row order); partitions come in no particular order.
    std::vector<Vector> partition_keys;
    for (const BoundExprPtr& p : w_.partition_by) {
      LAKE_ASSIGN_OR_RETURN(Vector v, EvaluateAll(*p, rows, count_));
      partition_keys.push_back(std::move(v));
    }
    std::vector<uint32_t> partition_of(count_, 0);
    size_t partitions = count_ == 0 ? 0 : 1;
    if (!partition_keys.empty()) {
      std::vector<LogicalType> types;
      std::vector<SelectedVector> keys;
      for (const Vector& v : partition_keys) {
        types.push_back(v.type());
        keys.push_back(SelectedVector{&v, nullptr});
      }
      GroupTable table(types);
      table.FindOrCreate(keys, count_, partition_of.data());
      partitions = table.size();
    }
    std::vector<size_t> starts(partitions + 1, 0);  // counting sort by partition
    for (uint32_t p : partition_of) ++starts[p + 1];
    for (size_t p = 0; p < partitions; ++p) starts[p + 1] += starts[p];
    sorted_.resize(count_);
    std::vector<size_t> next(starts.begin(), starts.end() - 1);
    for (size_t row = 0; row < count_; ++row) sorted_[next[partition_of[row]]++] = row;

    for (const BoundExprPtr& k : w_.order_keys) {
      LAKE_ASSIGN_OR_RETURN(Vector v, EvaluateAll(*k, rows, count_));
      order_keys_.push_back(std::move(v));
    }
    if (w_.argument) {
      LAKE_ASSIGN_OR_RETURN(Vector argument, EvaluateAll(*w_.argument, rows, count_));
      argument_.push_back(std::move(argument));
    }
    results_.assign(count_, Slot{});
    for (size_t p = 0; p < partitions; ++p) {
      const size_t begin = starts[p], end = starts[p + 1];
      if (!w_.order.empty()) {
        std::stable_sort(sorted_.begin() + static_cast<std::ptrdiff_t>(begin),
                         sorted_.begin() + static_cast<std::ptrdiff_t>(end),
                         [&](size_t a, size_t b) { return Compare(a, b) < 0; });
      }
      // Peer groups of the partition: [peers[g], peers[g + 1]).
      std::vector<size_t> peers{begin};
      for (size_t i = begin + 1; i < end; ++i) {
        if (Compare(sorted_[i - 1], sorted_[i]) != 0) peers.push_back(i);
      }
      peers.push_back(end);
      LAKE_RETURN_IF_ERROR(Partition(begin, end, peers));
    }
    return Output();
  }

 private:
  // A row's answer: a row of `argument_` (LAG, LEAD, MIN, MAX), a number, or NULL.
  struct Slot {
    bool is_null = true;
    int64_t integer = 0;
    double real = 0;
    size_t row = 0;  // of argument_
  };

  // Rows a and b by the window's ORDER BY (0: peers).
  int Compare(size_t a, size_t b) const {
    return w_.order.empty() ? 0 : CompareRows(order_keys_, w_.order, a, b);
  }

  bool Valid(size_t position) const { return argument_[0].IsValid(sorted_[position]); }

  Status Partition(size_t begin, size_t end, const std::vector<size_t>& peers) {
    size_t group = 0;
    for (size_t at = begin; at < end; ++at) {
      while (peers[group + 1] <= at) ++group;
      Slot& slot = results_[sorted_[at]];
      switch (w_.kind) {
        case BoundWindow::Kind::kRowNumber:
          slot = Slot{false, static_cast<int64_t>(at - begin + 1), 0, 0};
          break;
        case BoundWindow::Kind::kRank:
          slot = Slot{false, static_cast<int64_t>(peers[group] - begin + 1), 0, 0};
          break;
        case BoundWindow::Kind::kDenseRank:
          slot = Slot{false, static_cast<int64_t>(group + 1), 0, 0};
          break;
        case BoundWindow::Kind::kLag:
        case BoundWindow::Kind::kLead: {
          const int64_t target = static_cast<int64_t>(at) +
                                 (w_.kind == BoundWindow::Kind::kLag ? -w_.offset : w_.offset);
          if (target < static_cast<int64_t>(begin) || target >= static_cast<int64_t>(end)) {
            slot.is_null = true;
            slot.row = kOtherwise;
          } else {
            slot = Slot{!Valid(static_cast<size_t>(target)), 0, 0,
                        sorted_[static_cast<size_t>(target)]};
          }
          break;
        }
        case BoundWindow::Kind::kAggregate:
          break;
      }
    }
    if (w_.kind == BoundWindow::Kind::kAggregate) return Aggregate(begin, end, peers);
    return Status::OK();
  }

  Status Aggregate(size_t begin, size_t end, const std::vector<size_t>& peers) {
    const AggregateKind kind = w_.aggregate;
    const bool is_double = !argument_.empty() && argument_[0].type() == LogicalType::kDouble;
    // Prefix counts of non-NULL arguments and their sums over the partition in sorted order.
    const size_t n = end - begin;
    std::vector<int64_t> counted(n + 1, 0);
    std::vector<WideSum> int_sum(n + 1, 0);
    std::vector<double> real_sum(n + 1, 0);
    if (kind != AggregateKind::kCountStar) {
      for (size_t i = 0; i < n; ++i) {
        const size_t row = sorted_[begin + i];
        const bool valid = argument_[0].IsValid(row);
        counted[i + 1] = counted[i] + (valid ? 1 : 0);
        int_sum[i + 1] = int_sum[i];
        real_sum[i + 1] = real_sum[i];
        if (!valid || (kind != AggregateKind::kSum && kind != AggregateKind::kAvg)) continue;
        if (is_double) {
          real_sum[i + 1] += argument_[0].Get<double>(row);
        } else {
          int_sum[i + 1] += argument_[0].Get<int64_t>(row);
        }
      }
    }
    const bool max = kind == AggregateKind::kMax;
    std::vector<size_t> prefix, suffix;
    if (kind == AggregateKind::kMin || kind == AggregateKind::kMax) {
      prefix.assign(n + 1, kNone);
      suffix.assign(n + 1, kNone);
      for (size_t i = 0; i < n; ++i) prefix[i + 1] = Better(max, prefix[i], sorted_[begin + i]);
      for (size_t i = n; i-- > 0;) suffix[i] = Better(max, suffix[i + 1], sorted_[begin + i]);
    }
    size_t group = 0;
    for (size_t at = begin; at < end; ++at) {
      while (peers[group + 1] <= at) ++group;
      const Span f = FrameOf(w_.frame, begin, end, at, peers[group], peers[group + 1]);
      Slot& slot = results_[sorted_[at]];
      const size_t a = f.first - begin, b = f.last - begin;
      const int64_t values = counted[b] - counted[a];
      switch (kind) {
        case AggregateKind::kCountStar:
          slot = Slot{false, static_cast<int64_t>(f.last - f.first), 0, 0};
          break;
        case AggregateKind::kCount:
          slot = Slot{false, values, 0, 0};
          break;
        case AggregateKind::kSum:
        case AggregateKind::kAvg: {
          if (values == 0) {
            slot = Slot{};
            break;
          }
          if (kind == AggregateKind::kAvg) {
            const double sum = is_double ? real_sum[b] - real_sum[a]
                                         : static_cast<double>(int_sum[b] - int_sum[a]);
            slot = Slot{false, 0, sum / static_cast<double>(values), 0};
          } else if (is_double) {
            slot = Slot{false, 0, real_sum[b] - real_sum[a], 0};
          } else {
            const WideSum sum = int_sum[b] - int_sum[a];
            if (sum > INT64_MAX || sum < INT64_MIN) {
              return Status::InvalidArgument("bigint out of range in SUM over a window");
            }
            slot = Slot{false, static_cast<int64_t>(sum), 0, 0};
          }
          break;
        }
        case AggregateKind::kMin:
        case AggregateKind::kMax: {
          const size_t best = Extreme(max, f, begin, end, prefix, suffix);
          slot = best == kNone ? Slot{} : Slot{false, 0, 0, best};
          break;
        }
        default:
          return Status::InvalidArgument("internal: not a window aggregate");
      }
    }
    return Status::OK();
  }

  // MIN or MAX of the non-NULL arguments over positions [f.first, f.last) of partition
  // [begin, end): read from `prefix` (best of [begin, begin + i)) when the frame starts at the
  // partition's start, from `suffix` (best of [begin + i, end)) when it ends at its end, else by
  // scanning it. Entries are argument rows, or kNone.
  size_t Extreme(bool max, Span f, size_t begin, size_t end, const std::vector<size_t>& prefix,
                 const std::vector<size_t>& suffix) const {
    if (f.first == begin) return prefix[f.last - begin];
    if (f.last == end) return suffix[f.first - begin];
    size_t best = kNone;
    for (size_t i = f.first; i < f.last; ++i) best = Better(max, best, sorted_[i]);
    return best;
  }

  // Of two argument rows (kNone: none), the one MIN or MAX keeps; NULLs are skipped.
  size_t Better(bool max, size_t best, size_t row) const {
    if (!argument_[0].IsValid(row)) return best;
    if (best == kNone) return row;
    const int c = CompareRows(argument_, kByValue, row, best);
    return (max ? c > 0 : c < 0) ? row : best;
  }

  Result<Vector> Output() const {
    Vector out(w_.type);
    const bool reads_argument =
        w_.kind == BoundWindow::Kind::kLag || w_.kind == BoundWindow::Kind::kLead ||
        (w_.kind == BoundWindow::Kind::kAggregate &&
         (w_.aggregate == AggregateKind::kMin || w_.aggregate == AggregateKind::kMax));
    for (const Slot& slot : results_) {
      if (slot.row == kOtherwise) {
        AppendValue(w_.otherwise, &out);
      } else if (slot.is_null) {
        out.AppendNull();
      } else if (reads_argument) {
        out.AppendRange(argument_[0], slot.row, 1);
      } else if (w_.type == LogicalType::kDouble) {
        out.Append<double>(slot.real);
      } else {
        out.Append<int64_t>(slot.integer);
      }
    }
    return out;
  }

  static constexpr size_t kOtherwise = ~size_t{0};  // Slot::row past a LAG/LEAD's partition
  static constexpr size_t kNone = ~size_t{0} - 1;   // no row (MIN/MAX of no values)
  inline static const std::vector<BoundOrder> kByValue{BoundOrder{0, false, false}};

  const BoundWindow& w_;
  const size_t count_;
  std::vector<Vector> argument_;    // one column (CompareRows reads a column list), or none
  std::vector<Vector> order_keys_;  // BoundWindow::order indexes them
  std::vector<size_t> sorted_;      // row indexes in partition, then ORDER BY, order
  std::vector<Slot> results_;       // by row
};

}  // namespace

Result<std::vector<Vector>> ComputeWindows(const std::vector<BoundWindow>& windows,
                                           const std::vector<Vector>& rows) {
  const size_t count = rows.empty() ? 0 : rows[0].size();
  std::vector<Vector> out;
  for (const BoundWindow& w : windows) {
    LAKE_ASSIGN_OR_RETURN(Vector column, WindowRun(w, count).Run(rows));
    out.push_back(std::move(column));
  }
  return out;
}

}  // namespace lake::sql
