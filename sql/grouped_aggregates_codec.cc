// GroupedAggregates::Pack / Unpack: a partial aggregate on the wire.
//   {"groups": N, "keys": [Vector x key count], "states": [state x aggregate count]}
//   state: {"count": bin int64[N],
//           "sum": bin (BIGINT: int128[N]; DOUBLE: double[N])          SUM, AVG
//           "ext": bin (int64[N] | double[N]) | Vector of N strings    MIN, MAX
//           "mean": bin double[N], "m2": bin double[N]                 VAR_*, STDDEV_*
//           "sketch_groups": bin uint32[K] (ascending),                APPROX_COUNT_DISTINCT
//           "sketch_sizes": bin uint32[K], "sketch_entries": bin uint32[],
//           "sketches": bin uint8[2^14 x dense groups]
//           "pair_groups": bin uint32[], "pair_values": bin uint64[]   DISTINCT
//           "strings": Vector}                                         DISTINCT VARCHAR
// Vectors as common/vector_codec.h; numbers little-endian. The receiver rebuilds its hash tables
// from the keys and strings, which must therefore be distinct, and checks every pair's bounds.
// A pair's value is the KeyBits of a fixed-width argument, or the number of a string in "strings".
// A sketch (sql/hyperloglog.h's registers) travels only for the groups that have one: sparse,
// as its nonzero registers' entries (index << 8 | value, ascending; "sketch_sizes" says how many),
// while they take less room than its 2^14 registers, else dense (size 2^14). A group of a few
// distinct values then costs a few entries on the wire, not 16 KiB.
#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "common/msgpack_util.h"
#include "common/vector_codec.h"
#include "sql/grouped_aggregates.h"
#include "sql/hyperloglog.h"
#include "sql/key_bits.h"

namespace lake::sql {
namespace {

static_assert(std::endian::native == std::endian::little,
              "partial states are little-endian; add byte swapping for big-endian hosts");

// More groups than any chunk set could hold on one node: a forged count is refused early.
constexpr uint64_t kMaxGroups = 1u << 28;
// Tables rebuilt from a partial are sized for at most this many groups before their keys are
// checked; larger ones grow as they fill.
constexpr size_t kMaxReservedGroups = size_t{1} << 20;
// Counts (rows) past this are forged; the bound keeps combined counts and sums from overflowing.
constexpr int64_t kMaxCount = int64_t{1} << 48;

template <class T>
void PackArray(msgpack::packer<msgpack::sbuffer>& pk, const std::vector<T>& values) {
  PackBin(pk, values.data(), values.size() * sizeof(T));
}

Status Corrupt(std::string_view what) {
  return Status::Corruption("partial aggregate: " + std::string(what));
}

// Reads bin field `key` of `map` as exactly `n` values of T.
template <class T>
Status ReadArray(const msgpack::object& map, std::string_view key, size_t n, std::vector<T>* out) {
  const msgpack::object* field = FindField(map, key);
  ByteView bytes;
  if (field == nullptr || !ReadBin(*field, &bytes) || bytes.size() % sizeof(T) != 0 ||
      (n != SIZE_MAX && bytes.size() != n * sizeof(T))) {
    return Corrupt(std::string(key) + " of the wrong size");
  }
  out->resize(bytes.size() / sizeof(T));
  // An empty vector's data() may be null, which memcpy must not get even for 0 bytes.
  if (!bytes.empty()) std::memcpy(out->data(), bytes.data(), bytes.size());
  return Status::OK();
}

// Rebuilds `table` from `keys`, which must be pairwise distinct tuples.
Status Rebuild(GroupTable* table, const std::vector<Vector>& keys, size_t rows) {
  std::vector<SelectedVector> view;
  for (const Vector& k : keys) view.push_back(SelectedVector{&k, nullptr});
  std::vector<uint32_t> groups(rows);
  // Sized up front, but only as far as honest partials go: a forged count must not allocate.
  table->Reserve(std::min<size_t>(rows, kMaxReservedGroups));
  table->FindOrCreate(view, rows, groups.data());
  for (size_t i = 0; i < rows; ++i) {
    if (groups[i] != i) return Corrupt("duplicate keys");
  }
  return Status::OK();
}

// Whether `value` can be a DISTINCT pair's value for state `s`: KeyBits of a value of its
// argument type, or a string's number.
bool ValidPairValue(const AggregateState& s, uint64_t value, size_t string_count) {
  switch (s.arg_type) {
    case LogicalType::kVarchar:
      return value < string_count;
    case LogicalType::kBoolean:
      return value <= 1;
    case LogicalType::kDate:
      return value == KeyBits(static_cast<int32_t>(value));
    default:
      return true;
  }
}

// Sparse sketches carry at most this many entries; a fuller one is sent dense, which is smaller.
constexpr size_t kMaxSketchEntries = kHllRegisters / sizeof(uint32_t);

// Reads APPROX_COUNT_DISTINCT state `s`'s sketches (its counts read): a sketch for exactly the
// groups with inputs, in ascending order, each sparse (ascending register indexes, nonzero
// values) or dense, every value a possible rank.
Status UnpackSketches(const msgpack::object& state, AggregateState* s) {
  std::vector<uint32_t> sketch_groups, sizes, entries;
  std::vector<uint8_t> registers;
  LAKE_RETURN_IF_ERROR(ReadArray(state, "sketch_groups", SIZE_MAX, &sketch_groups));
  if (sketch_groups.size() > s->count.size()) return Corrupt("sketch count");
  LAKE_RETURN_IF_ERROR(ReadArray(state, "sketch_sizes", sketch_groups.size(), &sizes));
  LAKE_RETURN_IF_ERROR(ReadArray(state, "sketch_entries", SIZE_MAX, &entries));
  LAKE_RETURN_IF_ERROR(ReadArray(state, "sketches", SIZE_MAX, &registers));
  size_t with_inputs = 0;
  for (int64_t c : s->count) with_inputs += c != 0;
  if (with_inputs != sketch_groups.size()) return Corrupt("sketches for other groups");
  size_t next_entry = 0, next_register = 0;
  for (size_t k = 0; k < sketch_groups.size(); ++k) {
    const uint32_t g = sketch_groups[k];
    if (g >= s->count.size() || s->count[g] == 0 || (k > 0 && g <= sketch_groups[k - 1])) {
      return Corrupt("sketch group");
    }
    std::vector<uint8_t>& sketch = s->sketches[g];
    if (sizes[k] == kHllRegisters) {
      if (registers.size() - next_register < kHllRegisters) return Corrupt("sketches too short");
      sketch.assign(registers.begin() + next_register,
                    registers.begin() + next_register + kHllRegisters);
      next_register += kHllRegisters;
      for (uint8_t value : sketch) {
        if (value > kHllMaxRegister) return Corrupt("sketch register out of range");
      }
      continue;
    }
    if (sizes[k] == 0 || sizes[k] > kMaxSketchEntries || entries.size() - next_entry < sizes[k]) {
      return Corrupt("sketch size");
    }
    sketch.assign(kHllRegisters, 0);
    for (size_t e = next_entry; e < next_entry + sizes[k]; ++e) {
      const uint32_t index = entries[e] >> 8, value = entries[e] & 0xff;
      if (index >= kHllRegisters || value == 0 || value > kHllMaxRegister ||
          (e > next_entry && index <= (entries[e - 1] >> 8))) {
        return Corrupt("sketch entry out of range");
      }
      sketch[index] = static_cast<uint8_t>(value);
    }
    next_entry += sizes[k];
  }
  if (next_entry != entries.size() || next_register != registers.size()) {
    return Corrupt("sketch data left over");
  }
  return Status::OK();
}

}  // namespace

void GroupedAggregates::Pack(msgpack::packer<msgpack::sbuffer>& pk) const {
  pk.pack_map(3);
  pk.pack("groups");
  pk.pack(static_cast<uint64_t>(groups()));
  pk.pack("keys");
  pk.pack_array(static_cast<uint32_t>(groups_.keys().size()));
  for (const Vector& k : groups_.keys()) PackVector(pk, k);
  pk.pack("states");
  pk.pack_array(static_cast<uint32_t>(states_.size()));
  for (const AggregateState& s : states_) {
    const bool sum = s.kind == AggregateKind::kSum || s.kind == AggregateKind::kAvg;
    const bool strings = s.distinct_strings != nullptr;
    const bool sketch = s.kind == AggregateKind::kApproxCountDistinct;
    uint32_t fields = 1;  // "count"
    if (s.distinct) {
      fields = strings ? 4 : 3;
    } else if (sketch) {
      fields = 5;
    } else if (IsMoment(s.kind)) {
      fields = 3;
    } else if (sum || IsExtreme(s.kind)) {
      fields = 2;
    }
    pk.pack_map(fields);
    pk.pack("count");
    PackArray(pk, s.count);
    if (s.distinct) {
      if (strings) {
        pk.pack("strings");
        PackVector(pk, s.distinct_strings->keys()[0]);
      }
      std::vector<uint32_t> pair_groups;
      std::vector<uint64_t> pair_values;
      pair_groups.reserve(s.distinct_pairs.size());
      pair_values.reserve(s.distinct_pairs.size());
      s.distinct_pairs.ForEach([&](const PairSet::Pair& p) {
        pair_groups.push_back(p.group);
        pair_values.push_back(p.value);
      });
      pk.pack("pair_groups");
      PackArray(pk, pair_groups);
      pk.pack("pair_values");
      PackArray(pk, pair_values);
    } else if (IsMoment(s.kind)) {
      pk.pack("mean");
      PackArray(pk, s.mean);
      pk.pack("m2");
      PackArray(pk, s.m2);
    } else if (sketch) {
      std::vector<uint32_t> sketch_groups, sizes, entries;
      std::vector<uint8_t> registers;
      for (size_t g = 0; g < s.sketches.size(); ++g) {
        const std::vector<uint8_t>& sketch = s.sketches[g];
        if (sketch.empty()) continue;
        sketch_groups.push_back(static_cast<uint32_t>(g));
        const size_t nonzero =
            kHllRegisters - static_cast<size_t>(std::count(sketch.begin(), sketch.end(), 0));
        if (nonzero > kMaxSketchEntries) {
          sizes.push_back(static_cast<uint32_t>(kHllRegisters));
          registers.insert(registers.end(), sketch.begin(), sketch.end());
          continue;
        }
        sizes.push_back(static_cast<uint32_t>(nonzero));
        for (size_t r = 0; r < kHllRegisters; ++r) {
          if (sketch[r] != 0) entries.push_back(static_cast<uint32_t>(r << 8 | sketch[r]));
        }
      }
      pk.pack("sketch_groups");
      PackArray(pk, sketch_groups);
      pk.pack("sketch_sizes");
      PackArray(pk, sizes);
      pk.pack("sketch_entries");
      PackArray(pk, entries);
      pk.pack("sketches");
      PackArray(pk, registers);
    } else if (sum) {
      pk.pack("sum");
      s.arg_type == LogicalType::kDouble ? PackArray(pk, s.real_sum) : PackArray(pk, s.wide_sum);
    } else if (IsExtreme(s.kind)) {
      pk.pack("ext");
      if (s.arg_type == LogicalType::kVarchar) {
        Vector text(LogicalType::kVarchar);
        for (const std::string& t : s.text_extreme) text.AppendString(t);
        PackVector(pk, text);
      } else if (s.arg_type == LogicalType::kDouble) {
        PackArray(pk, s.real_extreme);
      } else {
        PackArray(pk, s.int_extreme);
      }
    }
  }
}

Result<std::unique_ptr<GroupedAggregates>> GroupedAggregates::Unpack(
    const msgpack::object& object, std::vector<LogicalType> key_types,
    const std::vector<BoundAggregate>& aggregates) {
  auto result = std::make_unique<GroupedAggregates>(key_types, aggregates);
  GroupedAggregates& agg = *result;
  uint64_t groups;
  const msgpack::object* groups_obj = FindField(object, "groups");
  const msgpack::object* keys_obj = FindField(object, "keys");
  const msgpack::object* states_obj = FindField(object, "states");
  if (groups_obj == nullptr || !ReadUint(*groups_obj, &groups) || keys_obj == nullptr ||
      keys_obj->type != msgpack::type::ARRAY || states_obj == nullptr ||
      states_obj->type != msgpack::type::ARRAY) {
    return Corrupt("missing fields");
  }
  if (groups > kMaxGroups || (key_types.empty() && groups != 1)) return Corrupt("group count");
  if (keys_obj->via.array.size != key_types.size()) return Corrupt("key count");
  if (states_obj->via.array.size != aggregates.size()) return Corrupt("aggregate count");

  if (!key_types.empty()) {
    std::vector<Vector> keys;
    for (size_t k = 0; k < key_types.size(); ++k) {
      LAKE_ASSIGN_OR_RETURN(Vector key, UnpackVector(keys_obj->via.array.ptr[k], groups));
      if (key.type() != key_types[k] || key.size() != groups) return Corrupt("key column");
      keys.push_back(std::move(key));
    }
    LAKE_RETURN_IF_ERROR(Rebuild(&agg.groups_, keys, groups));
    agg.Resize();
  }
  for (size_t a = 0; a < agg.states_.size(); ++a) {
    AggregateState& s = agg.states_[a];
    const msgpack::object& state = states_obj->via.array.ptr[a];
    LAKE_RETURN_IF_ERROR(ReadArray(state, "count", groups, &s.count));
    for (int64_t c : s.count) {
      if (c < 0 || c > kMaxCount) return Corrupt("count out of range");
    }
    if (s.distinct) {
      size_t string_count = 0;
      if (s.distinct_strings) {
        const msgpack::object* strings_obj = FindField(state, "strings");
        if (strings_obj == nullptr) return Corrupt("distinct strings missing");
        LAKE_ASSIGN_OR_RETURN(Vector strings, UnpackVector(*strings_obj, kMaxGroups));
        if (strings.type() != LogicalType::kVarchar) return Corrupt("distinct strings");
        string_count = strings.size();
        LAKE_RETURN_IF_ERROR(Rebuild(s.distinct_strings.get(), {std::move(strings)}, string_count));
      }
      std::vector<uint32_t> pair_groups;
      std::vector<uint64_t> pair_values;
      LAKE_RETURN_IF_ERROR(ReadArray(state, "pair_groups", SIZE_MAX, &pair_groups));
      LAKE_RETURN_IF_ERROR(ReadArray(state, "pair_values", pair_groups.size(), &pair_values));
      for (size_t i = 0; i < pair_groups.size(); ++i) {
        if (pair_groups[i] >= groups || !ValidPairValue(s, pair_values[i], string_count)) {
          return Corrupt("distinct pair out of range");
        }
        const uint64_t value_hash =
            s.distinct_strings ? s.distinct_strings->hash(static_cast<uint32_t>(pair_values[i]))
                               : pair_values[i];
        s.distinct_pairs.Insert(PairSet::Make(pair_groups[i], pair_values[i],
                                              agg.groups_.hash(pair_groups[i]), value_hash));
      }
    } else if (IsMoment(s.kind)) {
      LAKE_RETURN_IF_ERROR(ReadArray(state, "mean", groups, &s.mean));
      LAKE_RETURN_IF_ERROR(ReadArray(state, "m2", groups, &s.m2));
      for (size_t g = 0; g < groups; ++g) {
        // NaN passes (a NaN input makes one); a negative sum of squares cannot be made.
        if (s.m2[g] < 0 || (s.count[g] == 0 && (s.mean[g] != 0 || s.m2[g] != 0))) {
          return Corrupt("moments out of range");
        }
      }
    } else if (s.kind == AggregateKind::kApproxCountDistinct) {
      LAKE_RETURN_IF_ERROR(UnpackSketches(state, &s));
    } else if (s.kind == AggregateKind::kSum || s.kind == AggregateKind::kAvg) {
      LAKE_RETURN_IF_ERROR(s.arg_type == LogicalType::kDouble
                               ? ReadArray(state, "sum", groups, &s.real_sum)
                               : ReadArray(state, "sum", groups, &s.wide_sum));
      for (size_t g = 0; g < s.wide_sum.size(); ++g) {
        // A sum of count BIGINTs lies within count * 2^63 of zero.
        const WideInt bound = static_cast<WideInt>(s.count[g]) << 63;
        if (s.wide_sum[g] > bound || s.wide_sum[g] < -bound) return Corrupt("sum out of range");
      }
    } else if (IsExtreme(s.kind)) {
      if (s.arg_type == LogicalType::kVarchar) {
        const msgpack::object* ext = FindField(state, "ext");
        if (ext == nullptr) return Corrupt("ext missing");
        LAKE_ASSIGN_OR_RETURN(Vector text, UnpackVector(*ext, groups));
        if (text.type() != LogicalType::kVarchar || text.size() != groups) return Corrupt("ext");
        for (size_t g = 0; g < groups; ++g) s.text_extreme[g].assign(text.GetString(g));
      } else if (s.arg_type == LogicalType::kDouble) {
        LAKE_RETURN_IF_ERROR(ReadArray(state, "ext", groups, &s.real_extreme));
      } else {
        LAKE_RETURN_IF_ERROR(ReadArray(state, "ext", groups, &s.int_extreme));
      }
    }
  }
  return result;
}

}  // namespace lake::sql
