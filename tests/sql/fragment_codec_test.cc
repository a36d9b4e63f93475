// The wire forms of query fragments: partial aggregates and rows survive a round trip exactly,
// and damaged or forged bytes are refused (or decode to something harmless), never a crash.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "common/rng.h"
#include "sql/fragment_codec.h"
#include "sql/grouped_aggregates.h"

namespace lake::sql {
namespace {

BoundExprPtr ColumnRef(size_t column, LogicalType type) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExpr::Kind::kColumn;
  e->column = column;
  e->type = type;
  return e;
}

BoundAggregate Aggregate(AggregateKind kind, bool distinct, size_t column, LogicalType arg,
                         LogicalType result) {
  BoundAggregate a;
  a.kind = kind;
  a.distinct = distinct;
  if (kind != AggregateKind::kCountStar) a.argument = ColumnRef(column, arg);
  a.type = result;
  return a;
}

// GROUP BY a VARCHAR and a BIGINT key over (k1 VARCHAR, k2 BIGINT, x BIGINT, y DOUBLE,
// s VARCHAR) with every aggregate kind, DISTINCT ones included.
BoundSelect AggregateQuery() {
  BoundSelect q;
  q.table = "t";
  q.aggregated = true;
  q.group_keys.push_back(ColumnRef(0, LogicalType::kVarchar));
  q.group_keys.push_back(ColumnRef(1, LogicalType::kBigInt));
  using K = AggregateKind;
  using T = LogicalType;
  q.aggregates.push_back(Aggregate(K::kCountStar, false, 0, T::kBigInt, T::kBigInt));
  q.aggregates.push_back(Aggregate(K::kCount, false, 3, T::kDouble, T::kBigInt));
  q.aggregates.push_back(Aggregate(K::kSum, false, 2, T::kBigInt, T::kBigInt));
  q.aggregates.push_back(Aggregate(K::kAvg, false, 3, T::kDouble, T::kDouble));
  q.aggregates.push_back(Aggregate(K::kMin, false, 4, T::kVarchar, T::kVarchar));
  q.aggregates.push_back(Aggregate(K::kMax, false, 3, T::kDouble, T::kDouble));
  q.aggregates.push_back(Aggregate(K::kMax, false, 2, T::kBigInt, T::kBigInt));
  q.aggregates.push_back(Aggregate(K::kCount, true, 4, T::kVarchar, T::kBigInt));
  q.aggregates.push_back(Aggregate(K::kSum, true, 2, T::kBigInt, T::kBigInt));
  return q;
}

std::vector<Vector> RandomRows(size_t rows, Rng& rng) {
  std::vector<Vector> cols;
  for (LogicalType t : {LogicalType::kVarchar, LogicalType::kBigInt, LogicalType::kBigInt,
                        LogicalType::kDouble, LogicalType::kVarchar}) {
    cols.emplace_back(t);
  }
  for (size_t i = 0; i < rows; ++i) {
    cols[0].AppendString(std::string(1, static_cast<char>('a' + rng.Uniform(4))));
    cols[1].Append<int64_t>(static_cast<int64_t>(rng.Uniform(5)));
    cols[2].Append<int64_t>(static_cast<int64_t>(rng.Uniform(100)) - 50);
    if (rng.Uniform(5) == 0) {
      cols[3].AppendNull();
    } else {
      cols[3].Append<double>(rng.UniformDouble() * 10);
    }
    cols[4].AppendString("s" + std::to_string(rng.Uniform(30)));
  }
  return cols;
}

std::unique_ptr<GroupedAggregates> Aggregated(const BoundSelect& q,
                                              const std::vector<Vector>& cols) {
  auto agg = std::make_unique<GroupedAggregates>(
      std::vector<LogicalType>{LogicalType::kVarchar, LogicalType::kBigInt}, q.aggregates);
  std::vector<SelectedVector> keys = {{&cols[0], nullptr}, {&cols[1], nullptr}};
  std::vector<SelectedVector> args;
  for (const BoundAggregate& a : q.aggregates) {
    args.push_back(a.argument ? SelectedVector{&cols[a.argument->column], nullptr}
                              : SelectedVector{});
  }
  agg->Update(keys, args, cols[0].size());
  return agg;
}

std::vector<std::string> Rows(const std::vector<Vector>& columns) {
  std::vector<std::string> rows;
  const size_t n = columns.empty() ? 0 : columns[0].size();
  for (size_t r = 0; r < n; ++r) {
    std::string row;
    for (const Vector& c : columns) {
      if (!c.IsValid(r)) {
        row += "NULL|";
      } else if (c.type() == LogicalType::kVarchar) {
        row += std::string(c.GetString(r)) + "|";
      } else if (c.type() == LogicalType::kDouble) {
        row += std::to_string(c.Get<double>(r)) + "|";
      } else {
        row += std::to_string(c.Get<int64_t>(r)) + "|";
      }
    }
    rows.push_back(row);
  }
  return rows;
}

TEST_CASE("A partial aggregate survives its wire form and combines like the original",
          "[sql][fragment]") {
  const BoundSelect q = AggregateQuery();
  Rng rng(3);
  const std::vector<Vector> part1 = RandomRows(3000, rng), part2 = RandomRows(2000, rng);

  // Reference: both parts aggregated in one state.
  auto whole = Aggregated(q, part1);
  whole->Combine(*Aggregated(q, part2));
  Result<std::vector<Vector>> expected = whole->Finalize();
  REQUIRE(expected.ok());

  PartialResult first, second;
  first.aggregates = Aggregated(q, part1);
  first.chunks_scanned = 3;
  second.aggregates = Aggregated(q, part2);
  second.chunks_pruned = 2;
  Result<PartialResult> a = DecodePartialResult(EncodePartialResult(first), q);
  Result<PartialResult> b = DecodePartialResult(EncodePartialResult(second), q);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->chunks_scanned == 3);
  CHECK(b->chunks_pruned == 2);
  a->aggregates->Combine(*b->aggregates);
  Result<std::vector<Vector>> got = a->aggregates->Finalize();
  REQUIRE(got.ok());
  CHECK(Rows(*got) == Rows(*expected));
  CHECK(got->size() == q.group_keys.size() + q.aggregates.size());
}

TEST_CASE("Projected rows survive their wire form, and must match the query's columns",
          "[sql][fragment]") {
  BoundSelect q;
  q.table = "t";
  q.projections.push_back(ColumnRef(0, LogicalType::kVarchar));
  q.projections.push_back(ColumnRef(3, LogicalType::kDouble));
  Rng rng(5);
  std::vector<Vector> cols = RandomRows(500, rng);
  PartialResult partial;
  partial.rows.push_back(cols[0]);
  partial.rows.push_back(cols[3]);
  Result<PartialResult> back = DecodePartialResult(EncodePartialResult(partial), q);
  REQUIRE(back.ok());
  CHECK(Rows(back->rows) == Rows(partial.rows));

  // The same bytes answer another shape of query: refused.
  BoundSelect other;
  other.table = "t";
  other.projections.push_back(ColumnRef(0, LogicalType::kVarchar));
  CHECK(DecodePartialResult(EncodePartialResult(partial), other).status().IsCorruption());
  CHECK(
      DecodePartialResult(EncodePartialResult(partial), AggregateQuery()).status().IsCorruption());
}

TEST_CASE("A broadcast join's request carries the versions it joins with, and only sane ones",
          "[sql][fragment]") {
  FragmentRequest request{"SELECT 1 FROM a JOIN b ON a.k = b.k", {2, 3}, 42};
  request.joins = {Id::FromHex(std::string(64, 'a')).value(),
                   Id::FromHex(std::string(64, '7')).value()};
  Result<FragmentRequest> decoded = DecodeFragmentRequest(EncodeFragmentRequest(request));
  REQUIRE(decoded.ok());
  CHECK(decoded->sql == request.sql);
  CHECK(decoded->chunks == request.chunks);
  CHECK(decoded->statement_time == request.statement_time);
  CHECK(decoded->joins == request.joins);
  // None named: the field is left out, and reads back as none.
  request.joins.clear();
  decoded = DecodeFragmentRequest(EncodeFragmentRequest(request));
  REQUIRE(decoded.ok());
  CHECK(decoded->joins.empty());

  // More versions than any statement joins, or ids that are not 32 bytes, are refused.
  request.joins.assign(kMaxFragmentJoins + 1, Id());
  CHECK(DecodeFragmentRequest(EncodeFragmentRequest(request)).status().IsCorruption());
  request.joins.assign(kMaxFragmentJoins, Id());
  CHECK(DecodeFragmentRequest(EncodeFragmentRequest(request)).ok());
  const auto with_joins = [](const Bytes& joins_field) {
    // {"v": 1, "sql": "x", "chunks": [], "joins": <joins_field>} in msgpack
    Bytes bytes = {0x84, 0xa1, 'v', 0x01, 0xa3, 's',  'q',  'l', 0xa1, 'x', 0xa6, 'c',
                   'h',  'u',  'n', 'k',  's',  0x90, 0xa5, 'j', 'o',  'i', 'n',  's'};
    bytes.insert(bytes.end(), joins_field.begin(), joins_field.end());
    return DecodeFragmentRequest(bytes);
  };
  CHECK(with_joins({0x90}).ok());                                           // an empty array
  CHECK(with_joins({0x01}).status().IsCorruption());                        // not an array
  CHECK(with_joins({0x91, 0xc4, 0x02, 'a', 'b'}).status().IsCorruption());  // a 2-byte id
  CHECK(with_joins({0x91, 0x05}).status().IsCorruption());                  // not bytes
}

TEST_CASE("Damaged partial results and requests are refused, never a crash", "[sql][fragment]") {
  const BoundSelect q = AggregateQuery();
  Rng rng(11);
  PartialResult partial;
  partial.aggregates = Aggregated(q, RandomRows(400, rng));
  const Bytes good = EncodePartialResult(partial);
  const Bytes request = EncodeFragmentRequest(FragmentRequest{"SELECT 1 FROM t", {0, 5, 9}});
  Result<FragmentRequest> decoded = DecodeFragmentRequest(request);
  REQUIRE(decoded.ok());
  CHECK(decoded->sql == "SELECT 1 FROM t");
  CHECK(decoded->chunks == std::vector<uint64_t>{0, 5, 9});

  int refused = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const Bytes& original = trial % 4 == 0 ? request : good;
    Bytes bad = original;
    if (trial % 3 == 0) {
      bad.resize(rng.Uniform(bad.size()));  // truncated
    } else {
      for (int flips = 0; flips < 1 + static_cast<int>(rng.Uniform(4)); ++flips) {
        bad[rng.Uniform(bad.size())] ^= static_cast<uint8_t>(1 + rng.Uniform(255));
      }
    }
    if (&original == &request) {
      refused += !DecodeFragmentRequest(bad).ok();
      continue;
    }
    Result<PartialResult> r = DecodePartialResult(bad, q);
    if (!r.ok()) {
      CHECK(r.status().IsCorruption());
      ++refused;
      continue;
    }
    // Whatever decoded is a consistent state: combining and finishing it is safe.
    auto total = Aggregated(q, RandomRows(50, rng));
    total->Combine(*r->aggregates);
    (void)total->Finalize();
  }
  CHECK(refused > 1000);
}

}  // namespace
}  // namespace lake::sql
