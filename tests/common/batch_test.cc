// Column pieces and borrowed batches: cutting a column keeps every row, the dictionary form of
// repeating strings describes the same values, and any change to a vector drops it.
#include "common/batch.h"

#include <catch2/catch.hpp>

#include <string>
#include <utility>

namespace lake {
namespace {

Vector Strings(size_t rows, size_t distinct) {
  Vector v(LogicalType::kVarchar);
  for (size_t i = 0; i < rows; ++i) {
    if (i % 13 == 0) {
      v.AppendNull();
    } else {
      v.AppendString("s" + std::to_string((i * 7) % distinct));
    }
  }
  return v;
}

TEST_CASE("CutIntoPieces keeps every row, in pieces of kVectorSize", "[common][batch]") {
  const Vector column = Strings(5000, 40);
  const ColumnPieces pieces = CutIntoPieces(column, /*dictionaries=*/false);
  REQUIRE(pieces.size() == 3);
  CHECK(pieces[0].size() == kVectorSize);
  CHECK(pieces[2].size() == 5000 - 2 * kVectorSize);
  for (size_t row = 0; row < column.size(); ++row) {
    const Vector& piece = pieces[row / kVectorSize];
    const size_t at = row % kVectorSize;
    REQUIRE(piece.IsValid(at) == column.IsValid(row));
    REQUIRE(piece.GetString(at) == column.GetString(row));
    REQUIRE(piece.dictionary() == nullptr);
  }
}

TEST_CASE("Repeating strings get a dictionary that describes the same values", "[common][batch]") {
  const Vector column = Strings(5000, 40);
  const ColumnPieces pieces = CutIntoPieces(column, /*dictionaries=*/true);
  for (const Vector& piece : pieces) {
    const StringDictionary* d = piece.dictionary();
    REQUIRE(d != nullptr);
    REQUIRE(d->codes.size() == piece.size());
    CHECK(d->values.size() <= 40);
    CHECK(d->values.null_count() == 0);
    for (size_t row = 0; row < piece.size(); ++row) {
      if (piece.IsValid(row)) REQUIRE(d->values.GetString(d->codes[row]) == piece.GetString(row));
    }
  }
  // Codes are one byte: 256 distinct strings fit, 257 do not.
  const ColumnPieces full = CutIntoPieces(Strings(kVectorSize, 256), true);
  REQUIRE(full[0].dictionary() != nullptr);
  CHECK(full[0].dictionary()->values.size() == 256);
  CHECK(CutIntoPieces(Strings(kVectorSize, 257), true)[0].dictionary() == nullptr);
  // Strings that hardly repeat get none.
  for (const Vector& piece : CutIntoPieces(Strings(5000, 5000), true)) {
    CHECK(piece.dictionary() == nullptr);
  }
  // Changing a vector drops its dictionary, which would no longer describe it.
  Vector changed = pieces[0];
  REQUIRE(changed.dictionary() != nullptr);
  changed.AppendString("new");
  CHECK(changed.dictionary() == nullptr);
  Vector cleared = pieces[1];
  cleared.Clear();
  CHECK(cleared.dictionary() == nullptr);
}

TEST_CASE("A borrowing batch reads the lent vectors without copying them", "[common][batch]") {
  const ColumnPieces pieces = CutIntoPieces(Strings(100, 10), false);
  Batch batch(Schema{Column{"s", LogicalType::kVarchar}});
  batch.Borrow({&pieces[0]});
  CHECK(batch.rows() == 100);
  CHECK(&std::as_const(batch).column(0) == &pieces[0]);
  batch.Clear();
  CHECK(batch.rows() == 0);
}

}  // namespace
}  // namespace lake
