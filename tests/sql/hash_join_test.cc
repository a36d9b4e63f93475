// HashJoinTable against a nested loop: every pair of rows whose keys are all equal and non-NULL,
// for many duplicates, NULL keys, empty sides, two-column keys with strings, and sides larger
// than one vector.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/batch.h"
#include "sql/hash_join.h"

namespace lake::sql {
namespace {

using Pairs = std::vector<std::pair<uint32_t, uint32_t>>;

// `rows` BIGINT values in [0, distinct), about one in `null_every` NULL (0: none).
Vector IntColumn(std::mt19937_64& rng, size_t rows, int64_t distinct, size_t null_every) {
  Vector v(LogicalType::kBigInt);
  for (size_t r = 0; r < rows; ++r) {
    if (null_every != 0 && rng() % null_every == 0) {
      v.AppendNull();
    } else {
      v.Append<int64_t>(static_cast<int64_t>(rng() % static_cast<uint64_t>(distinct)));
    }
  }
  return v;
}

Vector StringColumn(std::mt19937_64& rng, size_t rows, int distinct, size_t null_every) {
  Vector v(LogicalType::kVarchar);
  for (size_t r = 0; r < rows; ++r) {
    if (null_every != 0 && rng() % null_every == 0) {
      v.AppendNull();
    } else {
      v.AppendString("k" + std::to_string(rng() % static_cast<uint64_t>(distinct)));
    }
  }
  return v;
}

bool KeysEqual(const std::vector<Vector>& a, size_t i, const std::vector<Vector>& b, size_t j) {
  for (size_t k = 0; k < a.size(); ++k) {
    if (!a[k].IsValid(i) || !b[k].IsValid(j)) return false;
    if (a[k].type() == LogicalType::kVarchar) {
      if (a[k].GetString(i) != b[k].GetString(j)) return false;
    } else if (a[k].Get<int64_t>(i) != b[k].Get<int64_t>(j)) {
      return false;
    }
  }
  return true;
}

Pairs NestedLoop(const std::vector<Vector>& probe, size_t probe_rows,
                 const std::vector<Vector>& build, size_t build_rows) {
  Pairs pairs;
  for (size_t i = 0; i < probe_rows; ++i) {
    for (size_t j = 0; j < build_rows; ++j) {
      if (KeysEqual(probe, i, build, j)) pairs.emplace_back(i, j);
    }
  }
  return pairs;
}

// The table's pairs, probing a vector at a time as the join does.
Pairs Hashed(const std::vector<Vector>& probe, size_t probe_rows,
             const std::vector<Vector>& build, size_t build_rows) {
  const HashJoinTable table(build, build_rows);
  CHECK(table.rows() == build_rows);
  HashJoinTable::Scratch scratch;
  Pairs pairs;
  std::vector<uint32_t> selection;
  for (size_t first = 0; first < probe_rows; first += kVectorSize) {
    const size_t count = std::min(kVectorSize, probe_rows - first);
    selection.resize(count);
    for (size_t i = 0; i < count; ++i) selection[i] = static_cast<uint32_t>(first + i);
    std::vector<SelectedVector> keys;
    for (const Vector& k : probe) keys.push_back(SelectedVector{&k, selection.data()});
    std::vector<uint32_t> p, b;
    table.Probe(keys, count, &scratch, &p, &b);
    REQUIRE(p.size() == b.size());
    CHECK(std::is_sorted(p.begin(), p.end()));
    for (size_t i = 0; i < p.size(); ++i) pairs.emplace_back(first + p[i], b[i]);
  }
  return pairs;
}

void CheckAgainstNestedLoop(const std::vector<Vector>& probe, size_t probe_rows,
                            const std::vector<Vector>& build, size_t build_rows) {
  Pairs expected = NestedLoop(probe, probe_rows, build, build_rows);
  Pairs actual = Hashed(probe, probe_rows, build, build_rows);
  std::sort(expected.begin(), expected.end());
  std::sort(actual.begin(), actual.end());
  CHECK(actual.size() == expected.size());
  CHECK(actual == expected);
}

TEST_CASE("A hash join pairs every probe row with every build row of equal non-NULL key",
          "[sql][hash_join]") {
  std::mt19937_64 rng(17);
  SECTION("one BIGINT key, many duplicates and NULLs, both sides past one vector") {
    const size_t build_rows = 3 * kVectorSize + 5, probe_rows = 2 * kVectorSize + 77;
    std::vector<Vector> build, probe;
    build.push_back(IntColumn(rng, build_rows, 300, 10));
    probe.push_back(IntColumn(rng, probe_rows, 400, 7));
    CheckAgainstNestedLoop(probe, probe_rows, build, build_rows);
  }
  SECTION("a VARCHAR and a BIGINT key together") {
    const size_t build_rows = kVectorSize + 300, probe_rows = kVectorSize + 11;
    std::vector<Vector> build, probe;
    build.push_back(StringColumn(rng, build_rows, 20, 15));
    build.push_back(IntColumn(rng, build_rows, 10, 0));
    probe.push_back(StringColumn(rng, probe_rows, 25, 0));
    probe.push_back(IntColumn(rng, probe_rows, 12, 9));
    CheckAgainstNestedLoop(probe, probe_rows, build, build_rows);
  }
  SECTION("an empty build side matches nothing; an empty probe side asks nothing") {
    std::vector<Vector> empty, probe;
    empty.push_back(IntColumn(rng, 0, 5, 0));
    probe.push_back(IntColumn(rng, 100, 5, 0));
    CHECK(Hashed(probe, 100, empty, 0).empty());
    CHECK(Hashed(empty, 0, probe, 100).empty());
  }
  SECTION("a side of NULL keys only matches nothing") {
    std::vector<Vector> nulls, probe;
    nulls.push_back(Vector(LogicalType::kBigInt));
    for (int i = 0; i < 50; ++i) nulls[0].AppendNull();
    probe.push_back(IntColumn(rng, 50, 5, 2));
    CHECK(Hashed(probe, 50, nulls, 50).empty());
    CHECK(Hashed(nulls, 50, probe, 50).empty());
  }
  SECTION("without keys every pair matches (a nested loop's inner side)") {
    const std::vector<Vector> none;
    const HashJoinTable table(none, 3);
    HashJoinTable::Scratch scratch;
    std::vector<uint32_t> p, b;
    table.Probe({}, 4, &scratch, &p, &b);
    CHECK(p.size() == 12);
    CHECK(p == std::vector<uint32_t>{0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3});
    CHECK(b == std::vector<uint32_t>{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2});
  }
}

}  // namespace
}  // namespace lake::sql
