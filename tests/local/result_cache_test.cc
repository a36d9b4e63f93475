// ResultCache: keys that ignore white space outside quotes but not inside them, that change with
// any dataset version read; answers kept most recently used first within the byte budget.
#include "local/result_cache.h"

#include <catch2/catch.hpp>

#include <string>

#include "common/rng.h"

namespace lake::local {
namespace {

sql::QueryResult Answer(const std::string& text, size_t rows) {
  sql::QueryResult result;
  result.names = {"v"};
  result.types = {LogicalType::kVarchar};
  for (size_t i = 0; i < rows; ++i) result.rows.push_back({sql::Value::Varchar(text)});
  return result;
}

TEST_CASE("A cache key ignores spacing and trailing semicolons, but not quoted text or versions",
          "[local][result_cache]") {
  Rng rng(3);
  const Id v1 = rng.NextId();
  const Id v2 = rng.NextId();
  const std::string key = ResultCache::Key("SELECT a FROM t WHERE b = 'x  y'", {v1});
  CHECK(ResultCache::Key("  SELECT a\n FROM\tt   WHERE b = 'x  y' ;  ", {v1}) == key);
  CHECK(ResultCache::Key("SELECT a FROM t WHERE b = 'x y'", {v1}) != key);
  CHECK(ResultCache::Key("SELECT a FROM t WHERE b = 'x  y'", {v2}) != key);
  CHECK(ResultCache::Key("SELECT a FROM t WHERE b = 'x  y'", {}) != key);
  // A doubled quote inside a literal keeps the literal open.
  CHECK(ResultCache::Key("SELECT 'it''s  here'", {}) !=
        ResultCache::Key("SELECT 'it''s here'", {}));
}

TEST_CASE("The cache returns what it kept and drops the least recently used past its budget",
          "[local][result_cache]") {
  ResultCache cache(4096);
  cache.Insert("a", Answer("alpha", 4));
  cache.Insert("b", Answer("beta", 4));
  REQUIRE(cache.Find("a").has_value());
  CHECK(cache.Find("a")->rows == Answer("alpha", 4).rows);
  CHECK_FALSE(cache.Find("c").has_value());
  // "a" is used between insertions, "b" never: filling the budget drops "b" first.
  for (int i = 0; i < 20; ++i) {
    cache.Find("a");
    cache.Insert("filler" + std::to_string(i), Answer("x", 4));
  }
  CHECK_FALSE(cache.Find("b").has_value());
  CHECK(cache.Find("a").has_value());
  CHECK(cache.bytes() <= 4096);
  // An answer larger than the whole budget is not kept, and evicts nothing.
  const size_t entries = cache.entries();
  cache.Insert("huge", Answer(std::string(8192, 'z'), 1));
  CHECK_FALSE(cache.Find("huge").has_value());
  CHECK(cache.entries() == entries);
  // Inserting a key again replaces its answer.
  cache.Insert("a", Answer("gamma", 1));
  CHECK(cache.Find("a")->rows == Answer("gamma", 1).rows);
}

TEST_CASE("A cache of zero bytes keeps nothing", "[local][result_cache]") {
  ResultCache cache(0);
  cache.Insert("a", Answer("alpha", 1));
  CHECK_FALSE(cache.Find("a").has_value());
  CHECK(cache.entries() == 0);
}

}  // namespace
}  // namespace lake::local
