// Joining a partial result's pieces back: in order they give the result whole, and every way a
// holder can get them wrong (out of sequence, repeated, after the last, too large, not a piece)
// is Corruption that spends the assembly.
#include "dht/partial_assembly.h"

#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "common/rng.h"
#include "tests/support/random_data.h"

namespace lake::dht {
namespace {

using testing::RandomBytes;

// Feeds `pieces` in order; the result, or the first error.
Result<std::optional<Bytes>> Feed(PartialAssembly& assembly,
                                  const std::vector<QueryMessage>& pieces) {
  Result<std::optional<Bytes>> out = std::optional<Bytes>();
  for (const QueryMessage& piece : pieces) {
    out = assembly.Add(piece);
    if (!out.ok()) break;
  }
  return out;
}

TEST_CASE("Pieces added in order join back to the partial result", "[dht][partial_assembly]") {
  Rng rng(11);
  for (size_t size : {size_t{0}, size_t{1}, size_t{400}, size_t{401}, size_t{4000}}) {
    const Bytes result = RandomBytes(rng, size);
    const std::vector<QueryMessage> pieces = PartialPieces(7, result, 400);
    PartialAssembly assembly(1 << 20);
    for (size_t i = 0; i + 1 < pieces.size(); ++i) {
      Result<std::optional<Bytes>> partial = assembly.Add(pieces[i]);
      REQUIRE(partial.ok());
      CHECK(!partial->has_value());  // more are due
    }
    Result<std::optional<Bytes>> whole = assembly.Add(pieces.back());
    REQUIRE(whole.ok());
    REQUIRE(whole->has_value());
    CHECK(**whole == result);
    // Spent: nothing may follow the last piece.
    CHECK(assembly.Add(pieces.back()).status().IsCorruption());
  }
}

TEST_CASE("Pieces out of sequence, repeated or not pieces at all are Corruption",
          "[dht][partial_assembly]") {
  Rng rng(12);
  const std::vector<QueryMessage> pieces = PartialPieces(7, RandomBytes(rng, 1000), 400);
  REQUIRE(pieces.size() == 3);

  PartialAssembly skipped(1 << 20);
  CHECK(Feed(skipped, {pieces[1]}).status().IsCorruption());
  // Spent by the refusal: even the right piece is refused now.
  CHECK(skipped.Add(pieces[0]).status().IsCorruption());

  PartialAssembly repeated(1 << 20);
  CHECK(Feed(repeated, {pieces[0], pieces[0]}).status().IsCorruption());

  PartialAssembly swapped(1 << 20);
  CHECK(Feed(swapped, {pieces[0], pieces[2], pieces[1]}).status().IsCorruption());

  QueryMessage error;
  error.kind = QueryMessageKind::kError;
  error.error = Status::NotFound("no chunk");
  PartialAssembly not_a_piece(1 << 20);
  CHECK(not_a_piece.Add(error).status().IsCorruption());
}

TEST_CASE("A partial result larger than the limit is Corruption, one at the limit is whole",
          "[dht][partial_assembly]") {
  Rng rng(13);
  const Bytes result = RandomBytes(rng, 1000);
  PartialAssembly at_limit(1000);
  Result<std::optional<Bytes>> whole = Feed(at_limit, PartialPieces(1, result, 300));
  REQUIRE(whole.ok());
  REQUIRE(whole->has_value());
  CHECK(**whole == result);

  PartialAssembly below(999);
  CHECK(Feed(below, PartialPieces(1, result, 300)).status().IsCorruption());

  // A holder that never marks a piece last is stopped by the limit, not by patience.
  PartialAssembly endless(10'000);
  Status status;
  for (uint32_t i = 0; status.ok() && i < 1000; ++i) {
    QueryMessage piece = PartialPieces(1, RandomBytes(rng, 100), 100)[0];
    piece.piece = i;
    piece.last = false;
    status = endless.Add(piece).status();
  }
  CHECK(status.IsCorruption());
}

}  // namespace
}  // namespace lake::dht
