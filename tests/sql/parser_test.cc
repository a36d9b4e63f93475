// The SQL front end: our dialect parses into the AST; everything else is rejected
// with a message and the 1-based position of the offending text.
#include "sql/parser.h"

#include <catch2/catch.hpp>

#include <string>

namespace lake::sql {
namespace {

std::vector<Statement> MustParse(const std::string& sql) {
  Result<std::vector<Statement>> parsed = Parse(sql);
  INFO(sql << " -> " << parsed.status().ToString());
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

SelectStatement MustParseSelect(const std::string& sql) {
  std::vector<Statement> statements = MustParse(sql);
  REQUIRE(statements.size() == 1);
  REQUIRE(statements[0].kind == Statement::Kind::kSelect);
  return std::move(statements[0].select);
}

// Parses `sql`, requires an error, and returns its position.
int ErrorPosition(const std::string& sql, const std::string& message_part) {
  Result<std::vector<Statement>> parsed = Parse(sql);
  INFO(sql);
  REQUIRE_FALSE(parsed.ok());
  const int position = parsed.status().position();
  CHECK(parsed.status().IsInvalidArgument());
  CHECK(parsed.status().message().find(message_part) != std::string::npos);
  CHECK(parsed.status().message().find("(at position " + std::to_string(position) + ")") !=
        std::string::npos);
  return position;
}

TEST_CASE("Parse reads every clause of a SELECT", "[sql][parser]") {
  const std::string sql =
      "SELECT DISTINCT country, COUNT(*) AS n, ROUND(SUM(amount), 2) AS total FROM events "
      "WHERE amount IS NOT NULL AND ts >= '2025-03-01' GROUP BY country HAVING COUNT(*) > 5 "
      "ORDER BY n DESC NULLS LAST, country LIMIT 10 OFFSET 2";
  SelectStatement s = MustParseSelect(sql);
  CHECK(s.distinct);
  REQUIRE(s.items.size() == 3);
  CHECK(s.items[0].expr->kind == ExprKind::kColumn);
  CHECK(s.items[0].expr->name == "country");
  CHECK(s.items[0].alias.empty());
  CHECK(s.items[1].expr->kind == ExprKind::kFunction);
  CHECK(s.items[1].expr->name == "count");
  CHECK(s.items[1].expr->star);
  CHECK(s.items[1].alias == "n");
  CHECK(s.items[2].expr->name == "round");
  REQUIRE(s.items[2].expr->children.size() == 2);
  CHECK(s.items[2].expr->children[0]->name == "sum");
  CHECK(s.items[2].expr->children[1]->literal.integer == 2);
  CHECK(s.table == "events");
  CHECK(s.table_location == static_cast<int>(sql.find("events")));
  REQUIRE(s.where);
  CHECK(s.where->kind == ExprKind::kBinary);
  CHECK(s.where->name == "AND");
  CHECK(s.where->children[0]->kind == ExprKind::kIsNull);
  CHECK(s.where->children[0]->negated);
  CHECK(s.where->children[1]->name == ">=");
  CHECK(s.where->children[1]->children[1]->literal.kind == Literal::Kind::kString);
  CHECK(s.where->children[1]->children[1]->literal.text == "2025-03-01");
  REQUIRE(s.group_by.size() == 1);
  REQUIRE(s.having);
  REQUIRE(s.order_by.size() == 2);
  CHECK(s.order_by[0].descending);
  CHECK(s.order_by[0].nulls_first == std::optional<bool>(false));
  CHECK_FALSE(s.order_by[1].descending);
  CHECK_FALSE(s.order_by[1].nulls_first.has_value());
  CHECK(s.limit == std::optional<int64_t>(10));
  CHECK(s.offset == std::optional<int64_t>(2));
}

TEST_CASE("Parse reads the dialect's expressions", "[sql][parser]") {
  SelectStatement s = MustParseSelect(
      "SELECT -x, NOT b, a || 'x', CAST(a AS DOUBLE), a::bigint, COALESCE(a, 2.5), "
      "COUNT(DISTINCT a), c ILIKE 'x%', c NOT LIKE 'y', a NOT IN (1, 2, 3), "
      "a NOT BETWEEN 1 AND 2, CASE WHEN a > 1 THEN 'y' ELSE NULL END, CASE a WHEN 1 THEN 2 END, "
      "TRUE, 1.5e3, 12345678901, a % 3, a != b FROM t");
  REQUIRE(s.items.size() == 18);
  auto item = [&](size_t i) -> const Expr& { return *s.items[i].expr; };
  CHECK((item(0).kind == ExprKind::kUnary && item(0).name == "-"));
  CHECK((item(1).kind == ExprKind::kUnary && item(1).name == "NOT"));
  CHECK((item(2).kind == ExprKind::kBinary && item(2).name == "||"));
  CHECK((item(3).kind == ExprKind::kCast && item(3).name == "double"));
  CHECK((item(4).kind == ExprKind::kCast && item(4).name == "int8"));
  CHECK((item(5).kind == ExprKind::kCoalesce && item(5).children.size() == 2));
  CHECK(item(5).children[1]->literal.kind == Literal::Kind::kDecimal);
  CHECK(item(5).children[1]->literal.text == "2.5");
  CHECK((item(6).distinct && item(6).name == "count"));
  CHECK((item(7).kind == ExprKind::kLike && item(7).case_insensitive && !item(7).negated));
  CHECK((item(8).kind == ExprKind::kLike && !item(8).case_insensitive && item(8).negated));
  CHECK((item(9).kind == ExprKind::kIn && item(9).negated && item(9).children.size() == 4));
  CHECK((item(10).kind == ExprKind::kBetween && item(10).negated));
  CHECK(item(10).children.size() == 3);
  CHECK((item(11).kind == ExprKind::kCase && !item(11).has_operand && item(11).has_else));
  CHECK(item(11).children.size() == 3);
  CHECK((item(12).kind == ExprKind::kCase && item(12).has_operand && !item(12).has_else));
  CHECK(item(12).children.size() == 3);
  CHECK((item(13).literal.kind == Literal::Kind::kBoolean && item(13).literal.boolean));
  CHECK((item(14).literal.kind == Literal::Kind::kDecimal && item(14).literal.text == "1.5e3"));
  CHECK(
      (item(15).literal.kind == Literal::Kind::kDecimal && item(15).literal.text == "12345678901"));
  CHECK((item(16).kind == ExprKind::kBinary && item(16).name == "%"));
  CHECK((item(17).kind == ExprKind::kBinary && item(17).name == "<>"));
}

TEST_CASE("Parse keeps negative and zero integer constants", "[sql][parser]") {
  SelectStatement s = MustParseSelect("SELECT -1, - 5, 0, 7, -2147483648 FROM t LIMIT 0");
  REQUIRE(s.items.size() == 5);
  CHECK(s.items[0].expr->literal.integer == -1);
  CHECK(s.items[1].expr->literal.integer == -5);
  CHECK(s.items[2].expr->literal.integer == 0);
  CHECK(s.items[3].expr->literal.integer == 7);
  // Beyond int4, PostgreSQL keeps the literal as text, sign included.
  CHECK(s.items[4].expr->literal.kind == Literal::Kind::kDecimal);
  CHECK(s.items[4].expr->literal.text == "-2147483648");
  CHECK(s.limit == std::optional<int64_t>(0));
}

TEST_CASE("Parse takes folded negative constants from the parse tree", "[sql][parser]") {
  // The grammar folds a unary minus into the constant after it, however it is written.
  SelectStatement s = MustParseSelect(
      "SELECT -(62), - - ( - 19 ), -/* c */ 7, CAST(+-(- - 41) AS INTEGER), -(0), "
      "-(2147483647), - -2147483648 FROM t WHERE x / -(59) > 0 LIMIT -(-(3))");
  REQUIRE(s.items.size() == 7);
  auto integer = [&](size_t i) {
    const Expr& e = *s.items[i].expr;
    REQUIRE(e.kind == ExprKind::kLiteral);
    REQUIRE(e.literal.kind == Literal::Kind::kInteger);
    return e.literal.integer;
  };
  CHECK(integer(0) == -62);
  CHECK(integer(1) == -19);
  CHECK(integer(2) == -7);
  const Expr& cast = *s.items[3].expr;
  REQUIRE(cast.kind == ExprKind::kCast);
  REQUIRE(cast.children[0]->kind == ExprKind::kUnary);  // unary plus is not folded
  CHECK(cast.children[0]->children[0]->literal.integer == -41);
  CHECK(integer(4) == 0);
  CHECK(integer(5) == -2147483647);
  CHECK(s.items[6].expr->literal.kind == Literal::Kind::kDecimal);  // beyond int4: text
  CHECK(s.items[6].expr->literal.text == "2147483648");
  CHECK(s.where->children[0]->children[1]->literal.integer == -59);
  CHECK(s.limit == std::optional<int64_t>(3));
}

TEST_CASE("Parse reads NULLIF as a function of two arguments", "[sql][parser]") {
  SelectStatement s = MustParseSelect("SELECT NULLIF(a, -(1)) FROM t");
  const Expr& e = *s.items[0].expr;
  CHECK(e.kind == ExprKind::kFunction);
  CHECK(e.name == "nullif");
  REQUIRE(e.children.size() == 2);
  CHECK(e.children[0]->name == "a");
  CHECK(e.children[1]->literal.integer == -1);
}

TEST_CASE("Parse keeps semicolons inside quotes and comments", "[sql][parser]") {
  std::vector<Statement> statements = MustParse(
      "SELECT 'a;b' AS x FROM t -- a comment; still\n; /* ; */ SELECT \"odd;name\" FROM t");
  REQUIRE(statements.size() == 2);
  CHECK(statements[0].select.items[0].expr->literal.text == "a;b");
  CHECK(statements[1].select.items[0].expr->name == "odd;name");
}

TEST_CASE("Parse folds long AND chains left to right", "[sql][parser]") {
  SelectStatement s = MustParseSelect("SELECT a FROM t WHERE a = 1 AND b = 2 AND c = 3");
  const Expr& top = *s.where;
  CHECK(top.name == "AND");
  CHECK(top.children[0]->name == "AND");
  CHECK(top.children[1]->children[0]->name == "c");
}

TEST_CASE("Parse reads SHOW TABLES, DESCRIBE and several statements", "[sql][parser]") {
  const std::string sql = "SHOW TABLES; describe Events ; SELECT 1; SELECT a FROM t";
  std::vector<Statement> statements = MustParse(sql);
  REQUIRE(statements.size() == 4);
  CHECK(statements[0].kind == Statement::Kind::kShowTables);
  CHECK(statements[1].kind == Statement::Kind::kDescribe);
  CHECK(statements[1].table == "events");
  CHECK(statements[2].kind == Statement::Kind::kSelect);
  CHECK(statements[2].select.table.empty());
  // Locations count from the start of the whole input, not of the statement.
  CHECK(statements[3].select.items[0].expr->location == static_cast<int>(sql.rfind('a')));
  CHECK(statements[3].select.table_location == static_cast<int>(sql.rfind('t')));
}

TEST_CASE("Parse makes a FROM clause with joins a tree, comma lists CROSS joins", "[sql][parser]") {
  const std::string sql =
      "SELECT e.name, d.* FROM employees e LEFT JOIN departments AS d ON e.dept = d.dept, "
      "products JOIN suppliers USING (supplier) NATURAL RIGHT JOIN x";
  std::vector<Statement> statements = MustParse(sql);
  REQUIRE(statements.size() == 1);
  const SelectStatement& s = statements[0].select;
  CHECK(s.table.empty());
  REQUIRE(s.from);
  CHECK(s.items[0].expr->qualifier == "e");
  CHECK(s.items[0].expr->name == "name");
  CHECK(s.items[1].expr->kind == ExprKind::kStar);
  CHECK(s.items[1].expr->qualifier == "d");
  // ((e LEFT d) CROSS ((products JOIN suppliers USING) NATURAL RIGHT x))
  const TableRef& top = *s.from;
  REQUIRE(top.kind == TableRef::Kind::kJoin);
  CHECK(top.join_type == JoinType::kCross);
  const TableRef& left = *top.left;
  REQUIRE(left.kind == TableRef::Kind::kJoin);
  CHECK(left.join_type == JoinType::kLeft);
  CHECK(left.left->table == "employees");
  CHECK(left.left->alias == "e");
  CHECK(left.right->alias == "d");
  REQUIRE(left.on);
  CHECK(left.on->location == static_cast<int>(sql.find("e.dept =")) + 7);
  const TableRef& right = *top.right;
  CHECK(right.join_type == JoinType::kRight);
  CHECK(right.natural);
  CHECK(right.left->join_type == JoinType::kInner);
  CHECK(right.left->using_columns == std::vector<std::string>{"supplier"});
  CHECK(right.right->table == "x");
  // One table stays on the single-table path.
  std::vector<Statement> one = MustParse("SELECT a FROM t AS u");
  CHECK(one[0].select.table == "t");
  CHECK(one[0].select.table_alias == "u");
  CHECK(!one[0].select.from);
}

TEST_CASE("Parse reports syntax errors with their 1-based position", "[sql][parser]") {
  CHECK(ErrorPosition("SELEC 1", "syntax error") == 1);
  const std::string sql = "SELECT a FROM t; SELECT a FROM WHERE";
  CHECK(ErrorPosition(sql, "syntax error") == static_cast<int>(sql.rfind("WHERE")) + 1);
  CHECK(ErrorPosition("SELECT 'open", "unterminated") > 0);
  ErrorPosition("", "empty query");
  ErrorPosition("  ;  ", "empty query");
}

TEST_CASE("Parse reads a chain of set operations as PostgreSQL groups it", "[sql][parser]") {
  // INTERSECT binds tighter than UNION and EXCEPT, which group from the left.
  const SelectStatement s = MustParseSelect(
      "SELECT a FROM t UNION ALL SELECT b FROM u INTERSECT SELECT c FROM v EXCEPT SELECT 1 "
      "ORDER BY 1 DESC LIMIT 5 OFFSET 2");
  REQUIRE(s.set_operation);
  CHECK(s.items.empty());
  CHECK(s.set_operation->kind == SetOperation::Kind::kExcept);
  CHECK_FALSE(s.set_operation->all);
  REQUIRE(s.order_by.size() == 1);
  CHECK(s.order_by[0].descending);
  CHECK(s.limit == 5);
  CHECK(s.offset == 2);
  const SelectStatement& left = *s.set_operation->left;
  REQUIRE(left.set_operation);
  CHECK(left.set_operation->kind == SetOperation::Kind::kUnion);
  CHECK(left.set_operation->all);
  CHECK(left.set_operation->left->table == "t");
  const SelectStatement& intersect = *left.set_operation->right;
  REQUIRE(intersect.set_operation);
  CHECK(intersect.set_operation->kind == SetOperation::Kind::kIntersect);
  CHECK(intersect.set_operation->left->table == "u");
  CHECK(intersect.set_operation->right->table == "v");
}

TEST_CASE("Parse reads VALUES as a chain of UNION ALL of its rows, columns named column1...",
          "[sql][parser]") {
  const SelectStatement s = MustParseSelect("VALUES (1, 'a'), (2, 'b'), (3, NULL) LIMIT 2");
  REQUIRE(s.set_operation);
  CHECK(s.set_operation->kind == SetOperation::Kind::kUnion);
  CHECK(s.set_operation->all);
  CHECK(s.limit == 2);
  const SelectStatement& first_two = *s.set_operation->left;
  REQUIRE(first_two.set_operation);
  const SelectStatement& first = *first_two.set_operation->left;
  REQUIRE(first.items.size() == 2);
  CHECK(first.items[0].alias == "column1");
  CHECK(first.items[1].alias == "column2");
  CHECK(first.table.empty());
  CHECK(first_two.set_operation->right->items.size() == 2);
  CHECK(s.set_operation->right->items.size() == 2);
  // One row is one SELECT; a subquery's alias may rename its columns.
  CHECK_FALSE(MustParseSelect("VALUES (1)").set_operation);
  const SelectStatement renamed =
      MustParseSelect("SELECT * FROM (VALUES (1, 2)) AS t (x, y) JOIN u ON u.x = t.x");
  REQUIRE(renamed.from);
  CHECK(renamed.from->left->column_aliases == std::vector<std::string>{"x", "y"});
}

TEST_CASE("Parse rejects what the dialect does not support, naming where", "[sql][parser]") {
  std::string sql = "SELECT a FROM t WHERE a > ALL (SELECT b FROM u)";
  CHECK(ErrorPosition(sql, "this form of subquery is not supported") > 0);
  sql = "SELECT a, SUM(a) OVER (ORDER BY a RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t";
  CHECK(ErrorPosition(sql, "RANGE with an offset") == static_cast<int>(sql.find("SUM")) + 1);
  ErrorPosition("SELECT a, RANK() OVER w FROM t WINDOW w AS (ORDER BY a)", "named windows");
  ErrorPosition("SELECT SUM(a) OVER (ORDER BY a GROUPS 1 PRECEDING) FROM t", "GROUPS");
  ErrorPosition("WITH w AS (SELECT 1 AS a) SELECT a FROM w UNION SELECT 2", "WITH before UNION");
  ErrorPosition("WITH RECURSIVE x AS (SELECT 1) SELECT * FROM x", "WITH RECURSIVE");
  ErrorPosition("INSERT INTO t VALUES (1)", "only SELECT");
  ErrorPosition("SELECT a FROM (SELECT 1)", "must have an alias");
  ErrorPosition("SELECT a FROM LATERAL (SELECT 1) AS s", "LATERAL");
  ErrorPosition("SELECT a FROM t LIMIT -1", "LIMIT must not be negative");
  ErrorPosition("SELECT a FROM t LIMIT a", "LIMIT takes an integer constant");
  ErrorPosition("DESCRIBE", "DESCRIBE takes one table name");
  ErrorPosition("DESCRIBE a b", "DESCRIBE takes one table name");
}

}  // namespace
}  // namespace lake::sql
