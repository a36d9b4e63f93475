// The variance family's and APPROX_COUNT_DISTINCT's states: partial states merged in any grouping,
// directly or through their wire form, against a two-pass reference (variance) and against one
// sketch over all the rows and the exact count (HyperLogLog); and the wire decoder refusing
// forged sketches and moments.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/batch.h"
#include "common/msgpack_util.h"
#include "common/rng.h"
#include "sql/grouped_aggregates.h"
#include "sql/hyperloglog.h"

namespace lake::sql {
namespace {

BoundAggregate Aggregate(AggregateKind kind, size_t column, LogicalType arg, LogicalType result) {
  BoundAggregate a;
  a.kind = kind;
  a.argument = std::make_unique<BoundExpr>();
  a.argument->kind = BoundExpr::Kind::kColumn;
  a.argument->column = column;
  a.argument->type = arg;
  a.type = result;
  return a;
}

Bytes Packed(const GroupedAggregates& partial) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  partial.Pack(pk);
  return BufferBytes(buffer);
}

Result<std::unique_ptr<GroupedAggregates>> Unpacked(const Bytes& bytes,
                                                    const std::vector<LogicalType>& key_types,
                                                    const std::vector<BoundAggregate>& aggs) {
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(UnpackUntrusted(bytes, &handle));
  return GroupedAggregates::Unpack(handle.get(), key_types, aggs);
}

// Rows [begin, end) of `columns` (keys first, then the one argument every aggregate of `agg`
// reads) into `agg`, a vector at a time.
void Feed(GroupedAggregates* agg, const std::vector<Vector>& columns, size_t keys, size_t begin,
          size_t end, size_t aggregates) {
  for (size_t at = begin; at < end; at += kVectorSize) {
    const size_t n = std::min(kVectorSize, end - at);
    std::vector<Vector> slices;
    for (const Vector& c : columns) {
      slices.emplace_back(c.type());
      slices.back().AppendRange(c, at, n);
    }
    std::vector<SelectedVector> key_views;
    for (size_t c = 0; c < keys; ++c) key_views.push_back(SelectedVector{&slices[c], nullptr});
    const std::vector<SelectedVector> arg_views(aggregates, SelectedVector{&slices[keys], nullptr});
    agg->Update(key_views, arg_views, n);
  }
}

// The state over `columns` cut into `parts` partials at random places, merged after a trip
// through the wire form.
std::unique_ptr<GroupedAggregates> MergedPartials(const std::vector<Vector>& columns,
                                                  const std::vector<LogicalType>& key_types,
                                                  const std::vector<BoundAggregate>& aggs,
                                                  size_t parts, Rng& rng) {
  const size_t rows = columns[0].size();
  parts = std::min(parts, rows);  // partials may be empty, but the cuts must be distinct
  std::set<size_t> cuts = {0, rows};
  while (cuts.size() < parts + 1) cuts.insert(rng.Uniform(rows + 1));
  std::vector<std::unique_ptr<GroupedAggregates>> partials;
  for (auto it = cuts.begin(); std::next(it) != cuts.end(); ++it) {
    GroupedAggregates partial(key_types, aggs);
    Feed(&partial, columns, key_types.size(), *it, *std::next(it), aggs.size());
    Result<std::unique_ptr<GroupedAggregates>> back = Unpacked(Packed(partial), key_types, aggs);
    REQUIRE(back.ok());
    partials.push_back(std::move(*back));
  }
  InlineTaskRunner here;
  return GroupedAggregates::Merge(std::move(partials), &here);
}

TEST_CASE("Variance states merged in any grouping match a two-pass reference",
          "[sql][aggregates]") {
  Rng rng(17);
  // Values far from zero with a small spread: the naive sum-of-squares formula loses every
  // digit here (its cancellation costs mean^2 / variance ~ 1e15 ulps), Welford's and Chan's
  // updates keep all but the few lost to the mean's own rounding at 1e9 (1e-8 relative).
  const size_t rows = 20'000;
  std::vector<Vector> columns;
  columns.emplace_back(LogicalType::kBigInt);  // the key: 0..6
  columns.emplace_back(LogicalType::kDouble);
  std::map<int64_t, std::vector<double>> by_group;
  for (size_t i = 0; i < rows; ++i) {
    const int64_t g = static_cast<int64_t>(rng.Uniform(7));
    columns[0].Append<int64_t>(g);
    if (g == 6 && i % 2 == 0) {  // a group with NULLs
      columns[1].AppendNull();
      continue;
    }
    const double x = 1e9 + static_cast<double>(rng.Uniform(1000)) / 7;
    columns[1].Append<double>(x);
    by_group[g].push_back(x);
  }
  std::vector<BoundAggregate> aggs;
  for (AggregateKind kind : {AggregateKind::kVarSamp, AggregateKind::kVarPop,
                             AggregateKind::kStddevSamp, AggregateKind::kStddevPop}) {
    aggs.push_back(Aggregate(kind, 1, LogicalType::kDouble, LogicalType::kDouble));
  }
  const std::vector<LogicalType> key_types = {LogicalType::kBigInt};
  for (size_t parts : {1, 2, 5, 40}) {
    std::unique_ptr<GroupedAggregates> merged =
        MergedPartials(columns, key_types, aggs, parts, rng);
    Result<std::vector<Vector>> out = merged->Finalize();
    REQUIRE(out.ok());
    REQUIRE(out->at(0).size() == 7);
    for (size_t row = 0; row < 7; ++row) {
      const std::vector<double>& xs = by_group[out->at(0).Get<int64_t>(row)];
      long double mean = 0, m2 = 0;
      for (double x : xs) mean += x;
      mean /= xs.size();
      for (double x : xs) m2 += (x - mean) * (x - mean);
      const double n = static_cast<double>(xs.size());
      const double want[] = {static_cast<double>(m2 / (n - 1)), static_cast<double>(m2 / n),
                             std::sqrt(static_cast<double>(m2 / (n - 1))),
                             std::sqrt(static_cast<double>(m2 / n))};
      for (size_t a = 0; a < 4; ++a) {
        const double got = out->at(1 + a).Get<double>(row);
        CHECK(std::fabs(got - want[a]) <= 1e-8 * want[a]);
      }
    }
  }
}

TEST_CASE("Sample variance is NULL under two inputs and population variance under one",
          "[sql][aggregates]") {
  std::vector<BoundAggregate> aggs;
  aggs.push_back(Aggregate(AggregateKind::kVarSamp, 0, LogicalType::kDouble, LogicalType::kDouble));
  aggs.push_back(Aggregate(AggregateKind::kVarPop, 0, LogicalType::kDouble, LogicalType::kDouble));
  GroupedAggregates none({}, aggs);
  Result<std::vector<Vector>> empty = none.Finalize();
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->at(0).IsValid(0));
  CHECK_FALSE(empty->at(1).IsValid(0));
  std::vector<Vector> one;
  one.emplace_back(LogicalType::kDouble);
  one[0].Append<double>(4.5);
  GroupedAggregates single({}, aggs);
  Feed(&single, one, 0, 0, 1, aggs.size());
  Result<std::vector<Vector>> out = single.Finalize();
  REQUIRE(out.ok());
  CHECK_FALSE(out->at(0).IsValid(0));
  REQUIRE(out->at(1).IsValid(0));
  CHECK(out->at(1).Get<double>(0) == 0);
}

// `distinct` distinct values of `type`, each repeated a few times, shuffled.
Vector Values(LogicalType type, size_t distinct, Rng& rng) {
  std::vector<size_t> ids;
  for (size_t i = 0; i < distinct; ++i) {
    for (size_t r = 0; r <= i % 3; ++r) ids.push_back(i);
  }
  for (size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[rng.Uniform(i)]);
  Vector v(type);
  for (size_t id : ids) {
    if (type == LogicalType::kVarchar) {
      v.AppendString("value-" + std::to_string(id * 7919));
    } else if (type == LogicalType::kDouble) {
      v.Append<double>(static_cast<double>(id) * 0.5);
    } else {
      v.Append<int64_t>(static_cast<int64_t>(id) * 1'000'003);
    }
  }
  return v;
}

TEST_CASE("APPROX_COUNT_DISTINCT: merged sketches equal one sketch, within the error bound",
          "[sql][aggregates][hll]") {
  Rng rng(23);
  for (LogicalType type : {LogicalType::kBigInt, LogicalType::kDouble, LogicalType::kVarchar}) {
    for (size_t distinct : {0, 1, 2, 100, 5'000, 200'000}) {
      std::vector<Vector> columns;
      columns.push_back(Values(type, distinct, rng));
      std::vector<BoundAggregate> aggs;
      aggs.push_back(Aggregate(AggregateKind::kApproxCountDistinct, 0, type, LogicalType::kBigInt));
      GroupedAggregates whole({}, aggs);
      Feed(&whole, columns, 0, 0, columns[0].size(), 1);
      Result<std::vector<Vector>> out = whole.Finalize();
      REQUIRE(out.ok());
      const double estimate = static_cast<double>(out->at(0).Get<int64_t>(0));
      const double exact = static_cast<double>(distinct);
      // 0.81% standard error: 2.5% is over three of them; small counts come out (nearly) exact.
      CHECK(std::fabs(estimate - exact) <= std::max(0.025 * exact, 1.0));
      if (distinct == 0) CHECK(estimate == 0);
      if (columns[0].size() < 2) continue;
      for (size_t parts : {2, 7}) {
        std::unique_ptr<GroupedAggregates> merged = MergedPartials(columns, {}, aggs, parts, rng);
        CHECK(Packed(*merged) == Packed(whole));  // the same registers and counts
      }
    }
  }
}

TEST_CASE("APPROX_COUNT_DISTINCT per group merges across partials as one sketch per group",
          "[sql][aggregates][hll]") {
  Rng rng(29);
  std::vector<Vector> columns;
  columns.emplace_back(LogicalType::kVarchar);  // the key
  columns.emplace_back(LogicalType::kBigInt);
  std::map<std::string, std::set<int64_t>> exact;
  for (size_t i = 0; i < 60'000; ++i) {
    const std::string key = "k" + std::to_string(rng.Uniform(5));
    // Group k<g> draws from 10^(g+1) values; some rows NULL.
    const size_t g = static_cast<size_t>(key[1] - '0');
    columns[0].AppendString(key);
    if (rng.Uniform(20) == 0) {
      columns[1].AppendNull();
      continue;
    }
    const int64_t v = static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(std::pow(10, g + 1))));
    columns[1].Append<int64_t>(v);
    exact[key].insert(v);
  }
  std::vector<BoundAggregate> aggs;
  aggs.push_back(Aggregate(AggregateKind::kApproxCountDistinct, 0, LogicalType::kBigInt,
                           LogicalType::kBigInt));
  const std::vector<LogicalType> key_types = {LogicalType::kVarchar};
  GroupedAggregates whole(key_types, aggs);
  Feed(&whole, columns, 1, 0, columns[0].size(), 1);
  Result<std::vector<Vector>> one = whole.Finalize();
  REQUIRE(one.ok());
  std::map<std::string, int64_t> estimates;
  for (size_t row = 0; row < one->at(0).size(); ++row) {
    const std::string key(one->at(0).GetString(row));
    estimates[key] = one->at(1).Get<int64_t>(row);
    const double n = static_cast<double>(exact[key].size());
    CHECK(std::fabs(static_cast<double>(estimates[key]) - n) <= std::max(0.025 * n, 1.0));
  }
  REQUIRE(estimates.size() == 5);
  // Few distinct values per group travel as a few sparse entries, not 16 KiB of registers.
  CHECK(Packed(whole).size() < 3 * kHllRegisters);
  std::unique_ptr<GroupedAggregates> merged = MergedPartials(columns, key_types, aggs, 9, rng);
  Result<std::vector<Vector>> out = merged->Finalize();
  REQUIRE(out.ok());
  REQUIRE(out->at(0).size() == 5);
  for (size_t row = 0; row < 5; ++row) {
    CHECK(out->at(1).Get<int64_t>(row) == estimates[std::string(out->at(0).GetString(row))]);
  }
}

// The head of a partial aggregate of one group, no keys and one state, which the caller packs.
void PackOneGroupHead(msgpack::packer<msgpack::sbuffer>& pk) {
  pk.pack_map(3);
  pk.pack("groups");
  pk.pack(uint64_t{1});
  pk.pack("keys");
  pk.pack_array(0);
  pk.pack("states");
  pk.pack_array(1);
}

// A one-group partial of one APPROX_COUNT_DISTINCT state with the given fields.
Bytes ForgedSketchState(int64_t count, const std::vector<uint32_t>& groups,
                        const std::vector<uint32_t>& sizes, const std::vector<uint32_t>& entries,
                        const std::vector<uint8_t>& registers) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  PackOneGroupHead(pk);
  pk.pack_map(5);
  pk.pack("count");
  PackBin(pk, &count, sizeof count);
  pk.pack("sketch_groups");
  PackBin(pk, groups.data(), groups.size() * sizeof(uint32_t));
  pk.pack("sketch_sizes");
  PackBin(pk, sizes.data(), sizes.size() * sizeof(uint32_t));
  pk.pack("sketch_entries");
  PackBin(pk, entries.data(), entries.size() * sizeof(uint32_t));
  pk.pack("sketches");
  PackBin(pk, registers.data(), registers.size());
  return BufferBytes(buffer);
}

TEST_CASE("Forged sketches and moments in a partial aggregate are refused",
          "[sql][aggregates][hll]") {
  std::vector<BoundAggregate> aggs;
  aggs.push_back(Aggregate(AggregateKind::kApproxCountDistinct, 0, LogicalType::kBigInt,
                           LogicalType::kBigInt));
  auto decodes = [&](int64_t count, const std::vector<uint32_t>& groups,
                     const std::vector<uint32_t>& sizes, const std::vector<uint32_t>& entries,
                     const std::vector<uint8_t>& registers) {
    return Unpacked(ForgedSketchState(count, groups, sizes, entries, registers), {}, aggs).status();
  };
  const uint32_t dense = kHllRegisters;
  std::vector<uint8_t> registers(kHllRegisters, 3);
  CHECK(decodes(4, {0}, {dense}, {}, registers).ok());
  CHECK(decodes(0, {}, {}, {}, {}).ok());
  CHECK(decodes(4, {0}, {2}, {5 << 8 | 3, 9 << 8 | 1}, {}).ok());
  registers[100] = kHllMaxRegister + 1;  // no hash makes this rank
  CHECK(decodes(4, {0}, {dense}, {}, registers).IsCorruption());
  registers[100] = 0;
  registers.pop_back();  // short
  CHECK(decodes(4, {0}, {dense}, {}, registers).IsCorruption());
  registers.push_back(0);
  CHECK(decodes(4, {1}, {dense}, {}, registers).IsCorruption());  // no such group
  CHECK(decodes(0, {0}, {dense}, {}, registers).IsCorruption());  // a sketch without inputs
  CHECK(decodes(4, {}, {}, {}, {}).IsCorruption());               // inputs without a sketch
  CHECK(decodes(4, {0}, {2}, {9 << 8 | 1, 5 << 8 | 3}, {}).IsCorruption());  // not ascending
  CHECK(decodes(4, {0}, {1}, {5 << 8 | 0}, {}).IsCorruption());              // a zero entry
  CHECK(decodes(4, {0}, {1}, {5 << 8 | (kHllMaxRegister + 1)}, {}).IsCorruption());
  CHECK(decodes(4, {0}, {1}, {dense << 8 | 1}, {}).IsCorruption());          // index out of range
  CHECK(decodes(4, {0}, {1}, {5 << 8 | 3, 9 << 8 | 1}, {}).IsCorruption());  // left over
  CHECK(decodes(4, {0}, {3}, {5 << 8 | 3, 9 << 8 | 1}, {}).IsCorruption());  // short
  std::vector<uint32_t> many;
  for (uint32_t r = 0; r < dense / 4 + 1; ++r) many.push_back(r << 8 | 1);
  CHECK(decodes(4, {0}, {static_cast<uint32_t>(many.size())}, many, {}).IsCorruption());

  // Moments: a negative sum of squares, or moments of a group without inputs.
  std::vector<BoundAggregate> variance;
  variance.push_back(
      Aggregate(AggregateKind::kVarSamp, 0, LogicalType::kDouble, LogicalType::kDouble));
  auto moments = [&](int64_t count, double mean, double m2) {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    PackOneGroupHead(pk);
    pk.pack_map(3);
    pk.pack("count");
    PackBin(pk, &count, sizeof count);
    pk.pack("mean");
    PackBin(pk, &mean, sizeof mean);
    pk.pack("m2");
    PackBin(pk, &m2, sizeof m2);
    return Unpacked(BufferBytes(buffer), {}, variance).status();
  };
  CHECK(moments(3, 1.5, 2).ok());
  CHECK(moments(3, 1.5, -2).IsCorruption());
  CHECK(moments(0, 1.5, 0).IsCorruption());
}

TEST_CASE("HyperLogLog ranks: an all-zero remainder takes the largest rank",
          "[sql][aggregates][hll]") {
  std::vector<uint8_t> registers(kHllRegisters, 0);
  HllAdd(registers.data(), 0);  // register 0, remainder all zero
  CHECK(registers[0] == kHllMaxRegister);
  HllAdd(registers.data(), (uint64_t{5} << (64 - kHllPrecision)) | (uint64_t{1} << 49));
  CHECK(registers[5] == 1);
  CHECK(HllEstimate(std::vector<uint8_t>(kHllRegisters, 0).data()) == 0);
  CHECK(SketchHash(std::string_view("abc")) != SketchHash(std::string_view("abd")));
  CHECK(SketchHash(0.0) == SketchHash(-0.0));
}

}  // namespace
}  // namespace lake::sql
