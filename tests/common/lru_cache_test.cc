// LruCache: found values become the most recently used, the least recently used go first when
// the budget is short, a replaced key costs only its new size, and nothing dearer than the whole
// budget is kept.
#include "common/lru_cache.h"

#include <catch2/catch.hpp>

#include <string>

namespace lake {
namespace {

TEST_CASE("LruCache drops the least recently used entries to stay within its budget",
          "[common][lru]") {
  LruCache<std::string, int> cache(100);
  cache.Insert("a", 1, 40);
  cache.Insert("b", 2, 40);
  CHECK(cache.bytes() == 80);
  REQUIRE(cache.Find("a") != nullptr);  // a is now the most recently used
  CHECK(*cache.Find("a") == 1);
  cache.Insert("c", 3, 40);  // 120 > 100: b, the least recently used, goes
  CHECK(cache.Find("b") == nullptr);
  CHECK(*cache.Find("a") == 1);
  CHECK(*cache.Find("c") == 3);
  CHECK(cache.entries() == 2);
  CHECK(cache.bytes() == 80);

  // A new value under a key replaces the old one and its cost.
  cache.Insert("a", 10, 10);
  CHECK(*cache.Find("a") == 10);
  CHECK(cache.bytes() == 50);
  // One that costs the whole budget evicts everything else; one that costs more is not kept,
  // and the key's old value is gone with it.
  cache.Insert("big", 4, 100);
  CHECK(cache.entries() == 1);
  CHECK(cache.bytes() == 100);
  cache.Insert("big", 5, 101);
  CHECK(cache.Find("big") == nullptr);
  CHECK(cache.entries() == 0);
  CHECK(cache.bytes() == 0);
}

TEST_CASE("An LruCache with no budget keeps nothing", "[common][lru]") {
  LruCache<int, std::string> cache(0);
  cache.Insert(1, "x", 1);
  CHECK(cache.Find(1) == nullptr);
  cache.Insert(2, "", 0);  // free, so kept
  CHECK(cache.Find(2) != nullptr);
}

}  // namespace
}  // namespace lake
