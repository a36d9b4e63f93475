// TablesRead: which stored tables a statement reads, found before binding.
#include "sql/table_references.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "sql/parser.h"

namespace lake::sql {
namespace {

Statement ParseOne(const std::string& sql) {
  Result<std::vector<Statement>> parsed = Parse(sql);
  INFO(sql << " -> " << parsed.status().ToString());
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 1);
  return std::move(parsed->front());
}

std::vector<std::string> Read(const std::string& sql) { return TablesRead(ParseOne(sql)); }

std::optional<std::vector<std::string>> Joined(const std::string& sql) {
  return JoinedTables(ParseOne(sql));
}

using Names = std::vector<std::string>;

TEST_CASE("TablesRead names each table of a FROM clause once, in order", "[sql][references]") {
  CHECK(Read("SELECT * FROM t") == Names{"t"});
  CHECK(Read("SELECT 1") == Names{});
  CHECK(Read("SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (y)") == Names{"a", "b", "c"});
  CHECK(Read("SELECT * FROM a, b, a AS again") == Names{"a", "b"});
  CHECK(Read("SELECT * FROM \"Mixed\" m JOIN lower l ON m.k = l.k") == Names{"Mixed", "lower"});
}

TEST_CASE("TablesRead finds the tables of subqueries wherever they are written",
          "[sql][references]") {
  CHECK(Read("SELECT * FROM (SELECT x FROM inner_t) AS s JOIN o ON s.x = o.x") ==
        Names{"inner_t", "o"});
  CHECK(Read("SELECT (SELECT MAX(v) FROM m) FROM t WHERE t.k IN (SELECT k FROM keys) AND EXISTS "
             "(SELECT 1 FROM e) ORDER BY 1") == Names{"t", "m", "keys", "e"});
  CHECK(Read("SELECT k, COUNT(*) FROM t GROUP BY k HAVING COUNT(*) > (SELECT COUNT(*) FROM h)") ==
        Names{"t", "h"});
  CHECK(Read("SELECT * FROM a JOIN b ON a.k = (SELECT MIN(k) FROM c)") == Names{"a", "b", "c"});
}

TEST_CASE("TablesRead leaves out the names of WITH queries in scope, and only those",
          "[sql][references]") {
  CHECK(Read("WITH w AS (SELECT * FROM base) SELECT * FROM w JOIN other ON w.k = other.k") ==
        Names{"base", "other"});
  // The second WITH query sees the first; the first does not see itself, so `w` there is stored.
  CHECK(Read("WITH w AS (SELECT * FROM w), v AS (SELECT * FROM w) SELECT * FROM v") == Names{"w"});
  // A WITH query is visible inside the subqueries below it, not in the statement's other parts.
  CHECK(
      Read("SELECT * FROM (WITH s AS (SELECT 1 AS k) SELECT * FROM s) AS d JOIN s ON d.k = s.k") ==
      Names{"s"});
}

TEST_CASE("TablesRead finds the tables of every side of a set operation", "[sql][references]") {
  CHECK(Read("SELECT a FROM l UNION SELECT b FROM r EXCEPT SELECT c FROM l ORDER BY 1") ==
        Names{"l", "r"});
  CHECK(Read("SELECT x FROM p JOIN q USING (x) INTERSECT ALL SELECT 1") == Names{"p", "q"});
}

TEST_CASE("TablesRead reads nothing for statements that are not SELECTs", "[sql][references]") {
  CHECK(Read("SHOW TABLES") == Names{});
  CHECK(Read("DESCRIBE t") == Names{});
}

TEST_CASE("JoinedTables lists a plain join's table references, repeats included",
          "[sql][references]") {
  using Joined_ = std::optional<Names>;
  CHECK(Joined("SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (y)") ==
        Joined_(Names{"a", "b", "c"}));
  CHECK(Joined("SELECT * FROM a, b WHERE a.k = b.k") == Joined_(Names{"a", "b"}));
  CHECK(Joined("SELECT * FROM a JOIN a AS again ON a.k = again.k") == Joined_(Names{"a", "a"}));
  CHECK(Joined("SELECT b.c, SUM(a.v) OVER (PARTITION BY b.c) FROM a JOIN b ON a.k = b.k "
               "WHERE a.v > 1 GROUP BY b.c, a.v HAVING COUNT(*) > 1 ORDER BY 1") ==
        Joined_(Names{"a", "b"}));
}

TEST_CASE("JoinedTables refuses a statement that reads anything but its joined tables",
          "[sql][references]") {
  CHECK_FALSE(Joined("SELECT * FROM a"));
  CHECK_FALSE(Joined("SELECT 1"));
  CHECK_FALSE(Joined("SELECT * FROM (SELECT * FROM a) AS s JOIN b ON s.k = b.k"));
  CHECK_FALSE(Joined("WITH w AS (SELECT * FROM a) SELECT * FROM w JOIN b ON w.k = b.k"));
  CHECK_FALSE(Joined("SELECT * FROM a JOIN b ON a.k = b.k UNION SELECT * FROM a JOIN b USING (k)"));
  CHECK_FALSE(Joined("SELECT * FROM a JOIN b ON a.k = (SELECT MIN(k) FROM b)"));
  CHECK_FALSE(Joined("SELECT * FROM a JOIN b ON a.k = b.k WHERE a.v IN (SELECT v FROM c)"));
  CHECK_FALSE(Joined("SELECT (SELECT MAX(v) FROM a), b.k FROM a JOIN b ON a.k = b.k"));
  CHECK_FALSE(
      Joined("SELECT a.k FROM a JOIN b ON a.k = b.k GROUP BY a.k "
             "HAVING COUNT(*) > (SELECT 1)"));
  CHECK_FALSE(Joined("SELECT a.k FROM a JOIN b ON a.k = b.k ORDER BY (SELECT 1)"));
  CHECK_FALSE(
      Joined("SELECT COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM c)) "
             "FROM a JOIN b ON a.k = b.k"));
  CHECK_FALSE(
      Joined("SELECT ROW_NUMBER() OVER (PARTITION BY (SELECT 1)) "
             "FROM a JOIN b ON a.k = b.k"));
}

TEST_CASE("TablesRead finds the tables of subqueries in a window's PARTITION BY and ORDER BY",
          "[sql][references]") {
  CHECK(Read("SELECT RANK() OVER (PARTITION BY (SELECT MIN(k) FROM p) ORDER BY (SELECT 1 FROM o)) "
             "FROM t") == Names{"t", "p", "o"});
}

}  // namespace
}  // namespace lake::sql
