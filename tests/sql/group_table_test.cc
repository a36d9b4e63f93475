// GroupTable against a brute-force reference: random keys of every type, NULLs, -0.0 and 0.0,
// read through selection vectors, over enough rows to make the table grow many times, below and
// past the partition threshold, and tables merged on one thread and on several.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/batch.h"
#include "common/rng.h"
#include "common/task_runner.h"
#include "sql/group_table.h"
#include "tests/sql/key_cells.h"

namespace lake::sql {
namespace {

using testing::Cell;
using testing::CellOf;
using testing::RandomColumn;

const std::vector<std::vector<LogicalType>> kShapes = {
    {LogicalType::kBigInt},
    {LogicalType::kVarchar},
    {LogicalType::kDouble},
    {LogicalType::kVarchar, LogicalType::kDate, LogicalType::kBoolean},
    {LogicalType::kTimestamp, LogicalType::kVarchar},
};

// The keys of group g of `table`.
std::vector<Cell> KeyTuple(const GroupTable& table, size_t key_count, uint32_t group) {
  std::vector<Cell> tuple;
  for (size_t k = 0; k < key_count; ++k) tuple.push_back(CellOf(table.keys()[k], group));
  return tuple;
}

TEST_CASE("GroupTable numbers key tuples densely in first-seen order, below and past its split",
          "[sql][group_table]") {
  Rng rng(7);
  for (size_t threshold : {size_t{0}, size_t{1}, size_t{100}}) {
    testing::ScopedPartitionThreshold split_at(threshold);
    for (const std::vector<LogicalType>& shape : kShapes) {
      for (uint64_t distinct : {3u, 40u, 5000u}) {
        const size_t rows = 20000;
        std::vector<Vector> columns;
        for (LogicalType t : shape) columns.push_back(RandomColumn(t, rows, distinct, rng));
        GroupTable table(shape);
        std::map<std::vector<Cell>, uint32_t> reference;
        std::vector<uint32_t> selection, groups(kVectorSize);
        for (size_t offset = 0; offset < rows; offset += kVectorSize) {
          // Every other vector is read through a selection of about half its rows.
          selection.clear();
          const size_t end = std::min(rows, offset + kVectorSize);
          for (size_t r = offset; r < end; ++r) {
            if ((offset / kVectorSize) % 2 == 0 || rng.Uniform(2) == 0) {
              selection.push_back(static_cast<uint32_t>(r));
            }
          }
          std::vector<SelectedVector> keys;
          for (const Vector& c : columns) keys.push_back(SelectedVector{&c, selection.data()});
          table.FindOrCreate(keys, selection.size(), groups.data());
          for (size_t i = 0; i < selection.size(); ++i) {
            std::vector<Cell> tuple;
            for (const Vector& c : columns) tuple.push_back(CellOf(c, selection[i]));
            const auto [it, inserted] =
                reference.try_emplace(tuple, static_cast<uint32_t>(reference.size()));
            INFO("threshold " << threshold << ", " << shape.size() << " keys, " << distinct
                              << " values, row " << selection[i]);
            REQUIRE(groups[i] == it->second);
            CHECK(table.row_hashes()[i] == table.hash(groups[i]));
          }
        }
        REQUIRE(table.size() == reference.size());
        CHECK(table.partitioned() == (threshold != 0 && reference.size() >= threshold));
        for (const auto& [tuple, group] : reference) {
          REQUIRE(KeyTuple(table, shape.size(), group) == tuple);
        }
      }
    }
  }
}

TEST_CASE("GroupTable numbers dictionary-coded strings as it numbers plain ones",
          "[sql][group_table]") {
  for (size_t threshold : {size_t{0}, size_t{5}}) {
    testing::ScopedPartitionThreshold split_at(threshold);
    Rng rng(9);
    Vector column(LogicalType::kVarchar);
    for (size_t i = 0; i < 3 * kVectorSize; ++i) {
      column.AppendString("k" + std::to_string(rng.Uniform(30)));
    }
    const ColumnPieces coded = CutIntoPieces(column, /*dictionaries=*/true);
    const ColumnPieces plain = CutIntoPieces(column, /*dictionaries=*/false);
    GroupTable by_codes({LogicalType::kVarchar}), by_strings({LogicalType::kVarchar});
    std::vector<uint32_t> selection, a(kVectorSize), b(kVectorSize);
    for (size_t p = 0; p < coded.size(); ++p) {
      REQUIRE(coded[p].dictionary() != nullptr);
      selection.clear();
      for (uint32_t r = 0; r < coded[p].size(); ++r) {
        if (rng.Uniform(3) != 0) selection.push_back(r);
      }
      by_codes.FindOrCreate({SelectedVector{&coded[p], selection.data()}}, selection.size(),
                            a.data());
      for (size_t i = 0; i < selection.size(); ++i) {
        CHECK(by_codes.row_hashes()[i] == by_codes.hash(a[i]));
      }
      by_strings.FindOrCreate({SelectedVector{&plain[p], selection.data()}}, selection.size(),
                              b.data());
      for (size_t i = 0; i < selection.size(); ++i) REQUIRE(a[i] == b[i]);
    }
    REQUIRE(by_codes.size() == by_strings.size());
    CHECK(by_codes.partitioned() == (threshold != 0));
    for (size_t g = 0; g < by_codes.size(); ++g) {
      CHECK(by_codes.keys()[0].GetString(g) == by_strings.keys()[0].GetString(g));
    }
  }
}

TEST_CASE("GroupTable::Merge maps every table's groups to the merged table's, in parallel",
          "[sql][group_table]") {
  Rng rng(13);
  ThreadPool pool(3);
  InlineTaskRunner here;
  for (size_t threshold : {size_t{0}, size_t{1}, size_t{60}}) {
    testing::ScopedPartitionThreshold split_at(threshold);
    for (const std::vector<LogicalType>& shape : kShapes) {
      for (size_t tables : {2u, 4u}) {
        // Tables of different sizes, so that with a low threshold some are split and some not.
        std::vector<std::vector<Vector>> columns(tables);
        std::vector<std::unique_ptr<GroupTable>> built;
        for (size_t t = 0; t < tables; ++t) {
          const size_t rows = t == 1 ? 30 : 3000;
          for (LogicalType type : shape) columns[t].push_back(RandomColumn(type, rows, 400, rng));
          built.push_back(std::make_unique<GroupTable>(shape));
          std::vector<SelectedVector> keys;
          for (const Vector& c : columns[t]) keys.push_back(SelectedVector{&c, nullptr});
          std::vector<uint32_t> groups(rows);
          built[t]->FindOrCreate(keys, rows, groups.data());
        }
        GroupTable& merged = *built[0];
        const size_t own = merged.size();
        std::vector<std::vector<Cell>> before;
        for (uint32_t g = 0; g < own; ++g) before.push_back(KeyTuple(merged, shape.size(), g));
        std::vector<const GroupTable*> others;
        for (size_t t = 1; t < tables; ++t) others.push_back(built[t].get());
        const std::vector<std::vector<uint32_t>> maps =
            merged.Merge(others, tables == 4 ? static_cast<TaskRunner*>(&pool) : &here);
        INFO("threshold " << threshold << ", " << shape.size() << " keys, " << tables << " tables");
        std::set<std::vector<Cell>> all(before.begin(), before.end());
        for (uint32_t g = 0; g < own; ++g) {  // the merged table's own groups keep their numbers
          REQUIRE(KeyTuple(merged, shape.size(), g) == before[g]);
        }
        for (size_t t = 0; t < others.size(); ++t) {
          REQUIRE(maps[t].size() == others[t]->size());
          for (uint32_t g = 0; g < others[t]->size(); ++g) {
            const std::vector<Cell> tuple = KeyTuple(*others[t], shape.size(), g);
            REQUIRE(maps[t][g] < merged.size());
            REQUIRE(KeyTuple(merged, shape.size(), maps[t][g]) == tuple);
            CHECK(merged.hash(maps[t][g]) == others[t]->hash(g));
            all.insert(tuple);
          }
        }
        REQUIRE(merged.size() == all.size());
        // The merged index finds every key where the maps put it, and adds nothing.
        for (size_t t = 1; t < tables; ++t) {
          std::vector<SelectedVector> keys;
          for (const Vector& c : columns[t]) keys.push_back(SelectedVector{&c, nullptr});
          std::vector<uint32_t> groups(columns[t][0].size());
          merged.FindOrCreate(keys, groups.size(), groups.data());
          for (size_t i = 0; i < groups.size(); ++i) {
            std::vector<Cell> tuple;
            for (const Vector& c : columns[t]) tuple.push_back(CellOf(c, i));
            REQUIRE(KeyTuple(merged, shape.size(), groups[i]) == tuple);
          }
        }
        CHECK(merged.size() == all.size());
      }
    }
  }
}

}  // namespace
}  // namespace lake::sql
