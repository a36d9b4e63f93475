// GroupTable against a brute-force reference: random keys of every type, NULLs, -0.0 and 0.0,
// read through selection vectors, over enough rows to make the table grow many times.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/batch.h"
#include "common/rng.h"
#include "sql/group_table.h"
#include "tests/sql/key_cells.h"

namespace lake::sql {
namespace {

using testing::Cell;
using testing::CellOf;
using testing::RandomColumn;

TEST_CASE("GroupTable numbers key tuples densely in first-seen order", "[sql][group_table]") {
  const std::vector<std::vector<LogicalType>> shapes = {
      {LogicalType::kBigInt},
      {LogicalType::kVarchar},
      {LogicalType::kDouble},
      {LogicalType::kVarchar, LogicalType::kDate, LogicalType::kBoolean},
      {LogicalType::kTimestamp, LogicalType::kVarchar},
  };
  Rng rng(7);
  for (const std::vector<LogicalType>& shape : shapes) {
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
          INFO("shape of " << shape.size() << " keys, " << distinct << " values, row "
                           << selection[i]);
          REQUIRE(groups[i] == it->second);
        }
      }
      REQUIRE(table.size() == reference.size());
      for (const auto& [tuple, group] : reference) {
        for (size_t k = 0; k < shape.size(); ++k) {
          REQUIRE(CellOf(table.keys()[k], group) == tuple[k]);
        }
      }
    }
  }
}

TEST_CASE("GroupTable numbers dictionary-coded strings as it numbers plain ones",
          "[sql][group_table]") {
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
    by_strings.FindOrCreate({SelectedVector{&plain[p], selection.data()}}, selection.size(),
                            b.data());
    for (size_t i = 0; i < selection.size(); ++i) REQUIRE(a[i] == b[i]);
  }
  REQUIRE(by_codes.size() == by_strings.size());
  for (size_t g = 0; g < by_codes.size(); ++g) {
    CHECK(by_codes.keys()[0].GetString(g) == by_strings.keys()[0].GetString(g));
  }
}

}  // namespace
}  // namespace lake::sql
