#include "sql/grouped_aggregates.h"

#include <cstring>

namespace lake::sql {
namespace {

bool IsIntegerLike(LogicalType t) {
  return t == LogicalType::kBigInt || t == LogicalType::kDate || t == LogicalType::kTimestamp;
}

// DISTINCT keeps these as integers rather than encoded strings.
bool DistinctAsInt(LogicalType t) { return IsIntegerLike(t) || t == LogicalType::kBoolean; }

// Reads row `row` of a fixed-width vector as int64 (BIGINT, DATE, TIMESTAMP, BOOLEAN).
int64_t IntAt(const Vector& v, size_t row) {
  switch (v.type()) {
    case LogicalType::kDate:
      return v.Get<int32_t>(row);
    case LogicalType::kBoolean:
      return v.Get<uint8_t>(row);
    default:
      return v.Get<int64_t>(row);
  }
}

// A cell's binary form: one byte validity, then the value (8 bytes, or the string's bytes).
// Used for composite group keys and DISTINCT sets; the length prefix keeps tuples unambiguous.
void EncodeCell(const Vector& v, size_t row, std::string* out) {
  if (!v.IsValid(row)) {
    out->push_back('\0');
    return;
  }
  out->push_back('\1');
  if (v.type() == LogicalType::kVarchar) {
    const std::string_view s = v.GetString(row);
    const uint32_t size = static_cast<uint32_t>(s.size());
    out->append(reinterpret_cast<const char*>(&size), sizeof size);
    out->append(s);
  } else if (v.type() == LogicalType::kDouble) {
    double d = v.Get<double>(row);
    if (d == 0) d = 0;  // -0.0 and 0.0 are one value
    out->append(reinterpret_cast<const char*>(&d), sizeof d);
  } else {
    const int64_t i = IntAt(v, row);
    out->append(reinterpret_cast<const char*>(&i), sizeof i);
  }
}

void AppendInt(Vector* v, int64_t value) {
  switch (v->type()) {
    case LogicalType::kDate:
      v->Append<int32_t>(static_cast<int32_t>(value));
      break;
    case LogicalType::kBoolean:
      v->Append<uint8_t>(static_cast<uint8_t>(value));
      break;
    default:
      v->Append<int64_t>(value);
      break;
  }
}

Status OutOfRange() { return Status::InvalidArgument("bigint out of range in SUM"); }

}  // namespace

GroupedAggregates::GroupedAggregates(std::vector<LogicalType> key_types,
                                     const std::vector<BoundAggregate>& aggregates)
    : key_types_(std::move(key_types)),
      int_key_(key_types_.size() == 1 && IsIntegerLike(key_types_[0])) {
  for (LogicalType t : key_types_) key_values_.emplace_back(t);
  for (const BoundAggregate& a : aggregates) {
    State s;
    s.kind = a.kind;
    s.distinct = a.distinct;
    s.arg_type = a.argument ? a.argument->type : LogicalType::kBigInt;
    s.result_type = a.type;
    states_.push_back(std::move(s));
  }
  // Without keys there is exactly one group, which exists even if no row arrives.
  if (key_types_.empty()) {
    encoded_groups_.emplace(std::string(), 0);
    group_count_ = 1;
    Grow();
  }
}

void GroupedAggregates::Grow() {
  const size_t n = group_count_;
  for (State& s : states_) {
    s.count.resize(n, 0);
    s.seen.resize(n, 0);
    if (s.distinct) {
      if (DistinctAsInt(s.arg_type)) {
        s.distinct_ints.resize(n);
      } else {
        s.distinct_values.resize(n);
      }
      continue;
    }
    if (s.arg_type == LogicalType::kDouble) s.real_sum.resize(n, 0);
    if (s.arg_type == LogicalType::kBigInt) s.wide_sum.resize(n, 0);
    if (s.kind == AggregateKind::kMin || s.kind == AggregateKind::kMax) {
      if (s.arg_type == LogicalType::kVarchar) {
        s.text_extreme.resize(n);
      } else if (s.arg_type == LogicalType::kDouble) {
        s.real_extreme.resize(n, 0);
      } else {
        s.int_extreme.resize(n, 0);
      }
    }
  }
}

uint32_t GroupedAggregates::NewGroup(const std::vector<Vector>& keys, size_t row) {
  for (size_t k = 0; k < keys.size(); ++k) key_values_[k].AppendRange(keys[k], row, 1);
  ++group_count_;
  Grow();
  return static_cast<uint32_t>(group_count_ - 1);
}

uint32_t GroupedAggregates::GroupOf(const std::vector<Vector>& keys, size_t row) {
  if (keys.empty()) return 0;
  if (int_key_) {
    if (!keys[0].IsValid(row)) {
      if (null_group_ < 0) null_group_ = NewGroup(keys, row);
      return static_cast<uint32_t>(null_group_);
    }
    auto [it, inserted] = int_groups_.try_emplace(IntAt(keys[0], row), 0);
    if (inserted) it->second = NewGroup(keys, row);
    return it->second;
  }
  scratch_.clear();
  for (const Vector& key : keys) EncodeCell(key, row, &scratch_);
  auto it = encoded_groups_.find(scratch_);
  if (it != encoded_groups_.end()) return it->second;
  const uint32_t group = NewGroup(keys, row);
  encoded_groups_.emplace(scratch_, group);
  return group;
}

Status GroupedAggregates::Accumulate(State& s, uint32_t g, const Vector& arg, size_t row) {
  if (s.kind == AggregateKind::kCountStar) {
    ++s.count[g];
    return Status::OK();
  }
  if (!arg.IsValid(row)) return Status::OK();
  if (s.distinct) {
    if (DistinctAsInt(s.arg_type)) {
      s.distinct_ints[g].insert(IntAt(arg, row));
      return Status::OK();
    }
    std::string encoded;
    EncodeCell(arg, row, &encoded);
    s.distinct_values[g].insert(std::move(encoded));
    return Status::OK();
  }
  ++s.count[g];
  switch (s.kind) {
    case AggregateKind::kCountStar:
    case AggregateKind::kCount:
      return Status::OK();
    case AggregateKind::kSum:
    case AggregateKind::kAvg:
      s.seen[g] = 1;
      if (s.arg_type == LogicalType::kDouble) {
        s.real_sum[g] += arg.Get<double>(row);
      } else {
        s.wide_sum[g] += arg.Get<int64_t>(row);
      }
      return Status::OK();
    case AggregateKind::kMin:
    case AggregateKind::kMax: {
      const bool is_min = s.kind == AggregateKind::kMin;
      const bool first = !s.seen[g];
      s.seen[g] = 1;
      if (s.arg_type == LogicalType::kVarchar) {
        const std::string_view v = arg.GetString(row);
        if (first || (is_min ? v < s.text_extreme[g] : v > s.text_extreme[g])) {
          s.text_extreme[g].assign(v);
        }
      } else if (s.arg_type == LogicalType::kDouble) {
        const double v = arg.Get<double>(row);
        if (first || (is_min ? v < s.real_extreme[g] : v > s.real_extreme[g]))
          s.real_extreme[g] = v;
      } else {
        const int64_t v = IntAt(arg, row);
        if (first || (is_min ? v < s.int_extreme[g] : v > s.int_extreme[g])) s.int_extreme[g] = v;
      }
      return Status::OK();
    }
  }
  return Status::OK();
}

Status GroupedAggregates::Update(const std::vector<Vector>& keys,
                                 const std::vector<Vector>& arguments, size_t rows) {
  static const Vector kNoArgument(LogicalType::kBigInt);
  for (size_t row = 0; row < rows; ++row) {
    const uint32_t g = GroupOf(keys, row);
    for (size_t a = 0; a < states_.size(); ++a) {
      const Vector& arg = states_[a].kind == AggregateKind::kCountStar ? kNoArgument : arguments[a];
      LAKE_RETURN_IF_ERROR(Accumulate(states_[a], g, arg, row));
    }
  }
  return Status::OK();
}

Status GroupedAggregates::Combine(const GroupedAggregates& other) {
  for (size_t og = 0; og < other.group_count_; ++og) {
    const uint32_t g = other.key_types_.empty() ? 0 : GroupOf(other.key_values_, og);
    for (size_t a = 0; a < states_.size(); ++a) {
      State& s = states_[a];
      const State& o = other.states_[a];
      s.count[g] += o.count[og];
      if (s.distinct) {
        if (DistinctAsInt(s.arg_type)) {
          s.distinct_ints[g].insert(o.distinct_ints[og].begin(), o.distinct_ints[og].end());
        } else {
          s.distinct_values[g].insert(o.distinct_values[og].begin(), o.distinct_values[og].end());
        }
        continue;
      }
      if (!o.seen[og]) continue;
      const bool first = !s.seen[g];
      s.seen[g] = 1;
      if (s.kind == AggregateKind::kSum || s.kind == AggregateKind::kAvg) {
        if (s.arg_type == LogicalType::kDouble) {
          s.real_sum[g] += o.real_sum[og];
        } else {
          s.wide_sum[g] += o.wide_sum[og];
        }
      } else if (s.kind == AggregateKind::kMin || s.kind == AggregateKind::kMax) {
        const bool is_min = s.kind == AggregateKind::kMin;
        if (s.arg_type == LogicalType::kVarchar) {
          const std::string& v = o.text_extreme[og];
          if (first || (is_min ? v < s.text_extreme[g] : v > s.text_extreme[g]))
            s.text_extreme[g] = v;
        } else if (s.arg_type == LogicalType::kDouble) {
          const double v = o.real_extreme[og];
          if (first || (is_min ? v < s.real_extreme[g] : v > s.real_extreme[g]))
            s.real_extreme[g] = v;
        } else {
          const int64_t v = o.int_extreme[og];
          if (first || (is_min ? v < s.int_extreme[g] : v > s.int_extreme[g])) s.int_extreme[g] = v;
        }
      }
    }
  }
  return Status::OK();
}

Status GroupedAggregates::FinalizeDistinct(const State& s, size_t g, Vector* column) const {
  const bool as_int = DistinctAsInt(s.arg_type);
  if (s.kind == AggregateKind::kCount) {
    const size_t n = as_int ? s.distinct_ints[g].size() : s.distinct_values[g].size();
    column->Append<int64_t>(static_cast<int64_t>(n));
    return Status::OK();
  }
  // Other aggregates re-run over the group's distinct values.
  Vector values(s.arg_type);
  if (as_int) {
    for (int64_t i : s.distinct_ints[g]) AppendInt(&values, i);
  } else {
    for (const std::string& encoded : s.distinct_values[g]) {
      const char* p = encoded.data() + 1;  // past the validity byte (NULLs are never stored)
      if (s.arg_type == LogicalType::kVarchar) {
        values.AppendString(std::string_view(p + 4, encoded.size() - 5));
      } else {
        double d;
        std::memcpy(&d, p, 8);
        values.Append<double>(d);
      }
    }
  }
  GroupedAggregates single({}, {});
  State plain = s;
  plain.distinct = false;
  plain.distinct_ints.clear();
  plain.distinct_values.clear();
  single.states_.push_back(std::move(plain));
  single.Grow();
  for (size_t row = 0; row < values.size(); ++row) {
    LAKE_RETURN_IF_ERROR(single.Accumulate(single.states_[0], 0, values, row));
  }
  LAKE_ASSIGN_OR_RETURN(std::vector<Vector> one, single.Finalize());
  column->AppendRange(one.back(), 0, 1);
  return Status::OK();
}

Result<std::vector<Vector>> GroupedAggregates::Finalize() const {
  std::vector<Vector> out = key_values_;
  for (const State& s : states_) {
    Vector column(s.result_type);
    column.Reserve(group_count_);
    for (size_t g = 0; g < group_count_; ++g) {
      if (s.distinct) {
        LAKE_RETURN_IF_ERROR(FinalizeDistinct(s, g, &column));
        continue;
      }
      switch (s.kind) {
        case AggregateKind::kCountStar:
        case AggregateKind::kCount:
          column.Append<int64_t>(s.count[g]);
          break;
        case AggregateKind::kSum:
          if (!s.seen[g]) {
            column.AppendNull();
          } else if (s.arg_type == LogicalType::kDouble) {
            column.Append<double>(s.real_sum[g]);
          } else {
            if (s.wide_sum[g] > INT64_MAX || s.wide_sum[g] < INT64_MIN) return OutOfRange();
            column.Append<int64_t>(static_cast<int64_t>(s.wide_sum[g]));
          }
          break;
        case AggregateKind::kAvg:
          if (!s.seen[g]) {
            column.AppendNull();
          } else {
            const double sum = s.arg_type == LogicalType::kDouble
                                   ? s.real_sum[g]
                                   : static_cast<double>(s.wide_sum[g]);
            column.Append<double>(sum / static_cast<double>(s.count[g]));
          }
          break;
        case AggregateKind::kMin:
        case AggregateKind::kMax:
          if (!s.seen[g]) {
            column.AppendNull();
          } else if (s.arg_type == LogicalType::kVarchar) {
            column.AppendString(s.text_extreme[g]);
          } else if (s.arg_type == LogicalType::kDouble) {
            column.Append<double>(s.real_extreme[g]);
          } else {
            AppendInt(&column, s.int_extreme[g]);
          }
          break;
      }
    }
    out.push_back(std::move(column));
  }
  return out;
}

}  // namespace lake::sql
