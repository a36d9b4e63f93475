// The binder: names, types, aggregates and pushdown, and its errors with positions.
#include "sql/binder.h"

#include <catch2/catch.hpp>

#include <map>

#include "common/value_parse.h"
#include "sql/join_plan.h"
#include "sql/parser.h"

namespace lake::sql {
namespace {

class TestCatalog final : public Catalog {
 public:
  std::optional<Schema> FindTable(const std::string& name) const override {
    if (name == "events") {
      return Schema{{"event_id", LogicalType::kBigInt},  {"ts", LogicalType::kTimestamp},
                    {"country", LogicalType::kVarchar},  {"amount", LogicalType::kDouble},
                    {"is_error", LogicalType::kBoolean}, {"day", LogicalType::kDate},
                    {"Latency", LogicalType::kBigInt}};
    }
    return std::nullopt;
  }
};

BoundSelect MustBind(const std::string& sql) {
  Result<std::vector<Statement>> parsed = Parse(sql);
  INFO(sql << ": " << parsed.status().ToString());
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 1);
  Result<BoundStatement> bound = Bind(parsed->front(), TestCatalog());
  INFO(bound.status().ToString());
  REQUIRE(bound.ok());
  REQUIRE(bound->kind == BoundStatement::Kind::kSelect);
  return std::move(bound->select);
}

// Binds `sql`, requires an error containing `part`, and returns its 1-based position.
int BindError(const std::string& sql, const std::string& part) {
  Result<std::vector<Statement>> parsed = Parse(sql);
  REQUIRE(parsed.ok());
  Result<BoundStatement> bound = Bind(parsed->front(), TestCatalog());
  INFO(sql);
  REQUIRE_FALSE(bound.ok());
  const int position = bound.status().position();
  CHECK(bound.status().IsInvalidArgument());
  INFO(bound.status().message());
  CHECK(bound.status().message().find(part) != std::string::npos);
  CHECK(bound.status().message().find("(at position " + std::to_string(position) + ")") !=
        std::string::npos);
  return position;
}

int PositionOf(const std::string& sql, const std::string& text) {
  return static_cast<int>(sql.find(text)) + 1;
}

TEST_CASE("Bind reads only the columns a query uses", "[sql][binder]") {
  BoundSelect s = MustBind("SELECT amount, event_id FROM events WHERE country = 'DE'");
  CHECK_FALSE(s.aggregated);
  // Scan order follows first use: WHERE is bound before the select list.
  CHECK(s.scan_columns == std::vector<size_t>{2, 3, 0});
  REQUIRE(s.projections.size() == 2);
  CHECK(s.projections[0]->kind == BoundExpr::Kind::kColumn);
  CHECK(s.projections[0]->column == 1);
  CHECK(s.projections[0]->type == LogicalType::kDouble);
  CHECK(s.names == std::vector<std::string>{"amount", "event_id"});
  REQUIRE(s.filter);
  CHECK(s.filter->op == ScalarOp::kEqual);
  CHECK(s.filter->children[0]->column == 0);
}

TEST_CASE("Bind types expressions as PostgreSQL does", "[sql][binder]") {
  BoundSelect s = MustBind(
      "SELECT event_id / 2 AS a, amount + 1 AS b, event_id * 1.5 AS c, -event_id AS d, "
      "country || event_id AS e, CAST(amount AS BIGINT) AS f, ROUND(amount, 2) AS g, "
      "LENGTH(country) AS h, COALESCE(amount, 0) AS i, CASE WHEN amount > 1 THEN 1 ELSE 2.5 END "
      "AS j, latency AS k FROM events WHERE ts >= '2025-03-01' AND day = '2025-03-04'");
  auto type = [&](size_t i) { return s.projections[i]->type; };
  CHECK(type(0) == LogicalType::kBigInt);
  CHECK(type(1) == LogicalType::kDouble);
  CHECK(type(2) == LogicalType::kDouble);
  CHECK(type(3) == LogicalType::kBigInt);
  CHECK(type(4) == LogicalType::kVarchar);
  CHECK(type(5) == LogicalType::kBigInt);
  CHECK(type(6) == LogicalType::kDouble);
  CHECK(type(7) == LogicalType::kBigInt);
  CHECK(type(8) == LogicalType::kDouble);
  CHECK(type(9) == LogicalType::kDouble);
  CHECK(type(10) == LogicalType::kBigInt);  // "latency" finds column "Latency"
  // A string compared with a TIMESTAMP or DATE column becomes a constant of that type.
  const BoundExpr& ts_bound = *s.filter->children[0]->children[1];
  REQUIRE(ts_bound.kind == BoundExpr::Kind::kConstant);
  CHECK(ts_bound.type == LogicalType::kTimestamp);
  int64_t march_first;
  REQUIRE(ParseTimestamp("2025-03-01", &march_first));
  CHECK(ts_bound.constant.integer == march_first);
  const BoundExpr& day_bound = *s.filter->children[1]->children[1];
  CHECK(day_bound.type == LogicalType::kDate);
}

TEST_CASE("Bind types a bare NULL from its context and keeps a typed NULL's type",
          "[sql][binder]") {
  BoundSelect s = MustBind(
      "SELECT CAST(NULL AS INTEGER) > NULL AS a, "
      "CASE WHEN amount > 1 THEN CAST(NULL AS INTEGER) ELSE NULL END AS b, "
      "COALESCE(NULL, CAST(NULL AS DOUBLE)) AS c, NULL AS d, NULLIF(event_id, 1.5) AS e, "
      "NULLIF(NULL, event_id) AS f, NULL + NULL AS g, event_id IN (NULL, 2) AS h FROM events");
  auto type = [&](size_t i) { return s.projections[i]->type; };
  CHECK(type(0) == LogicalType::kBoolean);
  REQUIRE(s.projections[0]->children.size() == 2);
  CHECK(s.projections[0]->children[1]->type == LogicalType::kBigInt);
  CHECK(type(1) == LogicalType::kBigInt);
  CHECK(type(2) == LogicalType::kDouble);
  CHECK(type(3) == LogicalType::kVarchar);  // undecided: text, as in PostgreSQL
  CHECK(type(4) == LogicalType::kDouble);   // NULLIF takes the type a = b compares in
  CHECK(s.projections[4]->op == ScalarOp::kNullIf);
  CHECK(type(5) == LogicalType::kBigInt);
  CHECK(type(6) == LogicalType::kBigInt);
  CHECK(s.projections[7]->children[1]->type == LogicalType::kBigInt);
  // A typed NULL does not bend: it is compared as its own type.
  BindError("SELECT CAST(NULL AS VARCHAR) = event_id FROM events", "varchar = bigint");
  BindError("SELECT NULLIF(country, 1) FROM events", "varchar = bigint");
}

TEST_CASE("Bind splits an aggregated query into keys, aggregates and outputs", "[sql][binder]") {
  BoundSelect s = MustBind(
      "SELECT country, COUNT(*) AS n, ROUND(SUM(amount), 2) AS total, COUNT(*) + 1 AS n1 "
      "FROM events WHERE is_error GROUP BY country HAVING MAX(amount) > 10 "
      "ORDER BY n DESC, 1, AVG(amount)");
  REQUIRE(s.aggregated);
  REQUIRE(s.group_keys.size() == 1);
  // COUNT(*) appears twice but is computed once; MAX and AVG come from HAVING and ORDER BY.
  REQUIRE(s.aggregates.size() == 4);
  CHECK(s.aggregates[0].kind == AggregateKind::kCountStar);
  CHECK(s.aggregates[1].kind == AggregateKind::kSum);
  CHECK(s.aggregates[1].type == LogicalType::kDouble);
  CHECK(s.aggregates[2].kind == AggregateKind::kMax);
  CHECK(s.aggregates[3].kind == AggregateKind::kAvg);
  CHECK(s.visible == 4);
  REQUIRE(s.projections.size() == 5);    // AVG(amount) is a hidden sort key
  CHECK(s.projections[0]->column == 0);  // the group key
  CHECK(s.projections[1]->column == 1);  // COUNT(*)
  CHECK(s.projections[3]->op == ScalarOp::kAdd);
  CHECK(s.projections[3]->children[0]->column == 1);
  REQUIRE(s.order_by.size() == 3);
  CHECK(s.order_by[0].column == 1);
  CHECK(s.order_by[0].descending);
  CHECK_FALSE(s.order_by[0].nulls_first);  // NULLS LAST by default, descending too (DuckDB)
  CHECK(s.order_by[1].column == 0);
  CHECK_FALSE(s.order_by[1].nulls_first);
  CHECK(s.order_by[2].column == 4);
  REQUIRE(s.having);
  CHECK(s.names == std::vector<std::string>{"country", "n", "total", "n1"});
}

TEST_CASE("Bind accepts GROUP BY positions and aliases, and SELECT *", "[sql][binder]") {
  BoundSelect by_position = MustBind("SELECT country AS c, COUNT(*) FROM events GROUP BY 1");
  CHECK(by_position.group_keys.size() == 1);
  BoundSelect by_alias = MustBind("SELECT country AS c, COUNT(*) FROM events GROUP BY c");
  CHECK(by_alias.projections[0]->column == 0);
  BoundSelect star = MustBind("SELECT * FROM events");
  CHECK(star.visible == 7);
  CHECK(star.names[6] == "Latency");
  BoundSelect no_from = MustBind("SELECT 1 + 2 AS x");
  CHECK(no_from.table.empty());
  CHECK(no_from.projections[0]->type == LogicalType::kBigInt);
}

TEST_CASE("Bind errors name the position of the problem", "[sql][binder]") {
  std::string sql = "SELECT a FROM nowhere";
  CHECK(BindError(sql, "table \"nowhere\" does not exist") == PositionOf(sql, "nowhere"));
  sql = "SELECT event_id, bogus FROM events";
  CHECK(BindError(sql, "column \"bogus\" does not exist") == PositionOf(sql, "bogus"));
  sql = "SELECT country, amount FROM events GROUP BY country";
  CHECK(BindError(sql, "must appear in the GROUP BY clause") == PositionOf(sql, "amount"));
  sql = "SELECT event_id FROM events WHERE SUM(amount) > 1";
  CHECK(BindError(sql, "not allowed in WHERE") > 0);
  sql = "SELECT SUM(MAX(amount)) FROM events";
  CHECK(BindError(sql, "cannot be nested") == PositionOf(sql, "MAX"));
  sql = "SELECT frobnicate(amount) FROM events";
  CHECK(BindError(sql, "function frobnicate does not exist") == PositionOf(sql, "frob"));
  sql = "SELECT SUM(country) FROM events";
  CHECK(BindError(sql, "function sum(varchar) does not exist") == PositionOf(sql, "SUM"));
  sql = "SELECT country + 1 FROM events";
  CHECK(BindError(sql, "operator does not exist: varchar + bigint") > 0);
  sql = "SELECT event_id FROM events WHERE ts > 'yesterday'";
  CHECK(BindError(sql, "invalid input syntax for type timestamp") == PositionOf(sql, "'yest"));
  sql = "SELECT event_id FROM events WHERE amount";
  CHECK(BindError(sql, "argument of WHERE must be type boolean") == PositionOf(sql, "amount"));
  sql = "SELECT country FROM events ORDER BY 3";
  CHECK(BindError(sql, "ORDER BY position 3 is not in select list") == PositionOf(sql, "3"));
  sql = "SELECT DISTINCT country FROM events ORDER BY amount";
  CHECK(BindError(sql, "ORDER BY expressions must appear in select list") > 0);
  sql = "SELECT event_id FROM events WHERE country = 1";
  CHECK(BindError(sql, "operator does not exist: varchar = bigint") > 0);
  sql = "SELECT amount";
  CHECK(BindError(sql, "does not exist (no FROM clause)") == PositionOf(sql, "amount"));
}

TEST_CASE("Bind resolves DESCRIBE and SHOW TABLES", "[sql][binder]") {
  Result<std::vector<Statement>> parsed = Parse("DESCRIBE events; SHOW TABLES; DESCRIBE nope");
  REQUIRE(parsed.ok());
  Result<BoundStatement> describe = Bind((*parsed)[0], TestCatalog());
  REQUIRE(describe.ok());
  CHECK(describe->kind == BoundStatement::Kind::kDescribe);
  CHECK(describe->describe.size() == 7);
  CHECK(Bind((*parsed)[1], TestCatalog())->kind == BoundStatement::Kind::kShowTables);
  Result<BoundStatement> missing = Bind((*parsed)[2], TestCatalog());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().position() == 40);
}

// Three tables of very different sizes, each with a key k, a value v and a name.
class SizedCatalog final : public Catalog {
 public:
  std::optional<Schema> FindTable(const std::string& name) const override {
    if (!TableRows(name)) return std::nullopt;
    return Schema{{"k", LogicalType::kBigInt}, {"v", LogicalType::kDouble},
                  {"name", LogicalType::kVarchar}};
  }
  std::optional<uint64_t> TableRows(const std::string& name) const override {
    static const std::map<std::string, uint64_t> kRows{
        {"big", 1000000}, {"mid", 1000}, {"small", 10}};
    auto it = kRows.find(name);
    return it == kRows.end() ? std::nullopt : std::optional<uint64_t>(it->second);
  }
};

BoundSelect MustBindJoin(const std::string& sql) {
  Result<std::vector<Statement>> parsed = Parse(sql);
  REQUIRE(parsed.ok());
  Result<BoundStatement> bound = Bind(parsed->front(), SizedCatalog());
  INFO(sql << ": " << bound.status().ToString());
  REQUIRE(bound.ok());
  REQUIRE(bound->select.join);
  return std::move(bound->select);
}

TEST_CASE("Bind plans joins: the largest table drives, the smallest connected one joins first",
          "[sql][binder][join]") {
  BoundSelect q = MustBindJoin(
      "SELECT b.name, m.v FROM small s JOIN big b ON s.k = b.k JOIN mid m ON m.k = b.k "
      "WHERE s.v > 3");
  const JoinRelation& r = *q.join;
  CHECK(q.table == "big");
  CHECK(r.scan.table == "big");
  REQUIRE(r.steps.size() == 2);
  CHECK(r.steps[0].build->scan.table == "small");
  CHECK(r.steps[1].build->scan.table == "mid");
  CHECK(r.steps[0].probe_keys.size() == 1);
  CHECK(r.steps[1].build_keys.size() == 1);
  CHECK_FALSE(r.steps[0].residual);
  // The condition on one table filters its scan; nothing is left for after the join.
  CHECK(r.steps[0].build->scan.filter);
  CHECK_FALSE(r.scan.filter);
  CHECK_FALSE(r.filter);
  // Projection pushdown: big reads k and name only.
  CHECK(r.scan.scan_columns == std::vector<size_t>{0, 2});
}

TEST_CASE("Bind keeps outer joins' sides and turns a RIGHT join around", "[sql][binder][join]") {
  BoundSelect left = MustBindJoin("SELECT b.v FROM small s LEFT JOIN big b ON s.k = b.k");
  CHECK(left.table == "small");
  REQUIRE(left.join->steps.size() == 1);
  CHECK(left.join->steps[0].kind == JoinKind::kLeft);
  BoundSelect right = MustBindJoin("SELECT b.v FROM big b RIGHT JOIN small s ON s.k = b.k");
  CHECK(right.table == "small");
  CHECK(right.join->steps[0].build->scan.table == "big");
  CHECK(right.join->steps[0].kind == JoinKind::kLeft);
  BoundSelect full = MustBindJoin("SELECT b.v FROM big b FULL JOIN small s ON s.k = b.k");
  CHECK(full.table == "big");
  CHECK(full.join->steps[0].kind == JoinKind::kFull);
}

TEST_CASE("Bind makes a join condition without equality a residual", "[sql][binder][join]") {
  BoundSelect q = MustBindJoin("SELECT s.name FROM big b JOIN small s ON s.v < b.v AND s.k = 1");
  REQUIRE(q.join->steps.size() == 1);
  const JoinStep& step = q.join->steps[0];
  CHECK(step.probe_keys.empty());
  CHECK(step.residual);
  CHECK(step.build->scan.filter);  // s.k = 1 reads small alone
}

}  // namespace
}  // namespace lake::sql
