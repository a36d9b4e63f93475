// ColumnCache: hits return the very vector inserted, the byte budget holds with the least
// recently used entry leaving first, and concurrent scans can share it.
#include "store/column_cache.h"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "common/hash.h"

namespace lake::store {
namespace {

std::shared_ptr<const ColumnPieces> Column(size_t rows) {
  Vector v(LogicalType::kBigInt);
  for (size_t i = 0; i < rows; ++i) v.Append<int64_t>(static_cast<int64_t>(i));
  return std::make_shared<const ColumnPieces>(CutIntoPieces(v, /*dictionaries=*/false));
}

size_t BytesOf(const ColumnPieces& pieces) {
  size_t bytes = 0;
  for (const Vector& piece : pieces) bytes += piece.MemoryBytes();
  return bytes;
}

ChunkId IdOf(int n) { return Blake2b256("chunk " + std::to_string(n)); }

TEST_CASE("ColumnCache returns what was inserted and counts hits and misses", "[store][cache]") {
  ColumnCache cache(1 << 20);
  const auto column = Column(100);
  CHECK(cache.Find(IdOf(1), 0) == nullptr);
  cache.Insert(IdOf(1), 0, column);
  CHECK(cache.Find(IdOf(1), 0) == column);
  CHECK(cache.Find(IdOf(1), 1) == nullptr);  // another column of the same chunk
  CHECK(cache.Find(IdOf(2), 0) == nullptr);  // the same column of another chunk
  const ColumnCache::Stats stats = cache.stats();
  CHECK(stats.hits == 1);
  CHECK(stats.misses == 3);
  CHECK(stats.entries == 1);
  CHECK(stats.bytes == BytesOf(*column));
}

TEST_CASE("ColumnCache stays within its budget, dropping the least recently used",
          "[store][cache]") {
  const size_t each = BytesOf(*Column(1000));
  ColumnCache cache(3 * each);
  for (int n = 0; n < 3; ++n) cache.Insert(IdOf(n), 0, Column(1000));
  REQUIRE(cache.Find(IdOf(0), 0) != nullptr);  // 0 is now the most recently used
  cache.Insert(IdOf(3), 0, Column(1000));      // evicts 1, the least recently used
  CHECK(cache.Find(IdOf(1), 0) == nullptr);
  CHECK(cache.Find(IdOf(0), 0) != nullptr);
  CHECK(cache.Find(IdOf(2), 0) != nullptr);
  CHECK(cache.Find(IdOf(3), 0) != nullptr);
  CHECK(cache.stats().bytes <= 3 * each);

  cache.Insert(IdOf(9), 0, Column(10000));  // larger than the whole budget: not kept
  CHECK(cache.Find(IdOf(9), 0) == nullptr);
  CHECK(cache.stats().entries == 3);

  ColumnCache none(0);
  none.Insert(IdOf(0), 0, Column(1));
  CHECK(none.Find(IdOf(0), 0) == nullptr);
}

TEST_CASE("ColumnCache serves concurrent readers and writers", "[store][cache]") {
  const size_t each = BytesOf(*Column(64));
  ColumnCache cache(50 * each);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        const int n = (i * 7 + t) % 80;
        if (auto hit = cache.Find(IdOf(n), 0)) {
          REQUIRE(hit->size() == 1);
          REQUIRE((*hit)[0].size() == 64);
        } else {
          cache.Insert(IdOf(n), 0, Column(64));
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const ColumnCache::Stats stats = cache.stats();
  CHECK(stats.bytes <= 50 * each);
  CHECK(stats.entries <= 50);
  CHECK(stats.hits + stats.misses == 8000);
}

}  // namespace
}  // namespace lake::store
