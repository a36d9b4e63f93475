#include "sql/parser.h"

#include <pg_query.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <optional>
#include <string>

#include "sql/integer_constants.h"

namespace lake::sql {
namespace {

using Json = nlohmann::json;

// Thrown inside the transformer only, caught in Parse (the parser may throw an
// internal error that becomes a Status at the module boundary).
struct SyntaxError {
  std::string message;
  int location;  // 0-based byte offset in the statement, -1 if unknown
};

[[noreturn]] void Fail(std::string message, int location) {
  throw SyntaxError{std::move(message), location};
}

int LocationOf(const Json& node) {
  auto it = node.find("location");
  return it != node.end() && it->is_number_integer() ? it->get<int>() : -1;
}

// The single key of a node object ({"A_Expr": {...}}) and its body.
std::pair<std::string, const Json*> Unwrap(const Json& node) {
  if (!node.is_object() || node.size() != 1) Fail("unexpected parse tree shape", -1);
  auto it = node.begin();
  return {it.key(), &it.value()};
}

std::string StringValue(const Json& node) {
  auto [kind, body] = Unwrap(node);
  if (kind != "String") Fail("expected a name", LocationOf(*body));
  return body->value("sval", "");
}

// The last component of a dotted name list (pg_catalog.int4 -> int4, t.col -> col).
std::string LastName(const Json& names) {
  if (!names.is_array() || names.empty()) Fail("expected a name", -1);
  return StringValue(names.back());
}

class Transformer {
 public:
  explicit Transformer(std::string_view text) : text_(text) {}

  Statement TransformStatement(const Json& stmt) {
    auto [kind, body] = Unwrap(stmt);
    Statement out;
    if (kind == "SelectStmt") {
      out.kind = Statement::Kind::kSelect;
      out.select = TransformSelect(*body);
    } else if (kind == "VariableShowStmt" && body->value("name", "") == "tables") {
      out.kind = Statement::Kind::kShowTables;
    } else {
      Fail("only SELECT, SHOW TABLES and DESCRIBE are supported", 0);
    }
    return out;
  }

 private:
  std::string_view text_;                     // the statement's text
  std::optional<IntegerConstants> integers_;  // read from text_ when first needed

  // A SELECT, a set operation of them, or VALUES.
  SelectStatement TransformSelect(const Json& s) {
    if (s.value("op", "SETOP_NONE") != "SETOP_NONE") return TransformSetOperation(s);
    if (s.contains("windowClause")) Fail("named windows (WINDOW w AS ...) are not supported", -1);
    if (s.contains("valuesLists")) return TransformValues(s);
    SelectStatement out;
    if (s.contains("withClause")) {
      const Json& with = s["withClause"];
      if (with.value("recursive", false)) Fail("WITH RECURSIVE is not supported", LocationOf(with));
      for (const Json& node : with.value("ctes", Json::array())) {
        auto [kind, cte] = Unwrap(node);
        CommonTable table;
        table.name = cte->value("ctename", "");
        table.location = LocationOf(*cte);
        for (const Json& name : cte->value("aliascolnames", Json::array())) {
          table.column_aliases.push_back(StringValue(name));
        }
        table.query = TransformSubselect(cte->at("ctequery"));
        out.with.push_back(std::move(table));
      }
    }
    if (s.contains("distinctClause")) {
      // DISTINCT is [{}]; DISTINCT ON (...) lists expressions.
      const Json& d = s["distinctClause"];
      if (!(d.is_array() && d.size() == 1 && d[0].empty())) {
        Fail("DISTINCT ON is not supported", -1);
      }
      out.distinct = true;
    }
    for (const Json& target : s.value("targetList", Json::array())) {
      auto [kind, body] = Unwrap(target);
      SelectItem item;
      item.alias = body->value("name", "");
      item.expr = TransformExpr(body->at("val"));
      out.items.push_back(std::move(item));
    }
    if (s.contains("fromClause")) {
      const Json& from = s["fromClause"];
      TableRefPtr tree = TransformTableRef(from.at(0));
      // FROM a, b, c is a CROSS join of them, its conditions in WHERE.
      for (size_t i = 1; i < from.size(); ++i) {
        auto join = std::make_unique<TableRef>();
        join->kind = TableRef::Kind::kJoin;
        join->join_type = JoinType::kCross;
        join->location = tree->location;
        join->left = std::move(tree);
        join->right = TransformTableRef(from[i]);
        tree = std::move(join);
      }
      // One stored table: the single-table path the distributed engine plans. A WITH clause or a
      // subquery anywhere makes the query one the join binder plans, as a join is.
      if (tree->kind == TableRef::Kind::kTable && out.with.empty() &&
          !HasSubquery(s, /*top=*/true)) {
        out.table = tree->table;
        out.table_alias = tree->alias;
        out.table_location = tree->location;
      } else {
        out.from = std::move(tree);
      }
    }
    if (s.contains("whereClause")) out.where = TransformExpr(s["whereClause"]);
    for (const Json& g : s.value("groupClause", Json::array())) {
      out.group_by.push_back(TransformExpr(g));
    }
    if (s.contains("havingClause")) out.having = TransformExpr(s["havingClause"]);
    TransformOrderAndLimit(s, &out);
    return out;
  }

  SelectStatement TransformSetOperation(const Json& s) {
    if (s.contains("withClause")) {
      Fail("WITH before UNION, INTERSECT or EXCEPT is not supported", LocationOf(s["withClause"]));
    }
    SelectStatement out;
    auto op = std::make_shared<SetOperation>();
    const std::string kind = s.value("op", "");
    op->kind = kind == "SETOP_UNION"       ? SetOperation::Kind::kUnion
               : kind == "SETOP_INTERSECT" ? SetOperation::Kind::kIntersect
                                           : SetOperation::Kind::kExcept;
    op->all = s.value("all", false);
    op->location = 0;
    // The branches are SelectStmt bodies themselves, not wrapped in a node.
    op->left = std::make_shared<SelectStatement>(TransformSelect(s.at("larg")));
    op->right = std::make_shared<SelectStatement>(TransformSelect(s.at("rarg")));
    out.set_operation = std::move(op);
    TransformOrderAndLimit(s, &out);
    return out;
  }

  // VALUES (a, b), (c, d): each row a SELECT without FROM, the rows a chain of UNION ALL. Its
  // columns are column1, column2, ... as in PostgreSQL; the set operation matches their types.
  SelectStatement TransformValues(const Json& s) {
    SelectStatement out;
    for (const Json& list : s["valuesLists"]) {
      auto [kind, body] = Unwrap(list);
      SelectStatement row;
      for (const Json& value : body->value("items", Json::array())) {
        SelectItem item;
        item.alias = "column" + std::to_string(row.items.size() + 1);
        item.expr = TransformExpr(value);
        row.items.push_back(std::move(item));
      }
      if (out.items.empty() && !out.set_operation) {
        out = std::move(row);
        continue;
      }
      auto chain = std::make_shared<SetOperation>();
      chain->kind = SetOperation::Kind::kUnion;
      chain->all = true;
      chain->location = 0;
      chain->left = std::make_shared<SelectStatement>(std::move(out));
      chain->right = std::make_shared<SelectStatement>(std::move(row));
      out = SelectStatement{};
      out.set_operation = std::move(chain);
    }
    TransformOrderAndLimit(s, &out);
    return out;
  }

  std::vector<OrderItem> TransformSortClause(const Json& clause) {
    std::vector<OrderItem> items;
    for (const Json& sort : clause) {
      auto [kind, body] = Unwrap(sort);
      OrderItem item;
      item.expr = TransformExpr(body->at("node"));
      item.descending = body->value("sortby_dir", "") == "SORTBY_DESC";
      const std::string nulls = body->value("sortby_nulls", "SORTBY_NULLS_DEFAULT");
      if (nulls == "SORTBY_NULLS_FIRST") item.nulls_first = true;
      if (nulls == "SORTBY_NULLS_LAST") item.nulls_first = false;
      items.push_back(std::move(item));
    }
    return items;
  }

  // OVER (...): PostgreSQL's WindowDef, its frame in frameOptions bits (parsenodes.h).
  std::shared_ptr<WindowSpec> TransformWindow(const Json& window_def, int location) {
    const Json* body = &window_def;  // a WindowDef's fields, not wrapped in a node
    if (!body->value("refname", "").empty() || !body->value("name", "").empty()) {
      Fail("named windows are not supported", location);
    }
    auto spec = std::make_shared<WindowSpec>();
    for (const Json& p : body->value("partitionClause", Json::array())) {
      spec->partition_by.push_back(TransformExpr(p));
    }
    spec->order_by = TransformSortClause(body->value("orderClause", Json::array()));
    constexpr int kNonDefault = 0x1, kRows = 0x4, kGroups = 0x8;
    constexpr int kStartUnboundedPreceding = 0x20, kEndUnboundedPreceding = 0x40;
    constexpr int kStartUnboundedFollowing = 0x80, kEndUnboundedFollowing = 0x100;
    constexpr int kStartCurrentRow = 0x200, kEndCurrentRow = 0x400;
    constexpr int kStartPreceding = 0x800, kEndPreceding = 0x1000;
    constexpr int kStartFollowing = 0x2000, kEndFollowing = 0x4000;
    constexpr int kExclusions = 0x8000 | 0x10000 | 0x20000;
    const int options = body->value("frameOptions", 0);
    if (!(options & kNonDefault)) return spec;
    if (options & kGroups) Fail("GROUPS frames are not supported", location);
    if (options & kExclusions) Fail("frame exclusions are not supported", location);
    spec->frame.rows = (options & kRows) != 0;
    const auto bound = [&](int unbounded_preceding, int preceding, int current, int following,
                           int unbounded_following, const char* offset_field) {
      FrameBound b;
      if (options & unbounded_preceding) {
        b.kind = FrameBound::Kind::kUnboundedPreceding;
      } else if (options & unbounded_following) {
        b.kind = FrameBound::Kind::kUnboundedFollowing;
      } else if (options & current) {
        b.kind = FrameBound::Kind::kCurrentRow;
      } else if (options & (preceding | following)) {
        if (!spec->frame.rows) Fail("RANGE with an offset is not supported: use ROWS", location);
        b.kind =
            (options & preceding) ? FrameBound::Kind::kPreceding : FrameBound::Kind::kFollowing;
        b.offset = TransformCount(body->at(offset_field), "a frame offset");
      }
      return b;
    };
    spec->frame.start = bound(kStartUnboundedPreceding, kStartPreceding, kStartCurrentRow,
                              kStartFollowing, kStartUnboundedFollowing, "startOffset");
    spec->frame.end = bound(kEndUnboundedPreceding, kEndPreceding, kEndCurrentRow, kEndFollowing,
                            kEndUnboundedFollowing, "endOffset");
    return spec;
  }

  void TransformOrderAndLimit(const Json& s, SelectStatement* out) {
    out->order_by = TransformSortClause(s.value("sortClause", Json::array()));
    if (s.contains("limitCount")) out->limit = TransformCount(s["limitCount"], "LIMIT");
    if (s.contains("limitOffset")) out->offset = TransformCount(s["limitOffset"], "OFFSET");
  }

  TableRefPtr TransformTableRef(const Json& node) {
    auto [kind, body] = Unwrap(node);
    auto ref = std::make_unique<TableRef>();
    if (kind == "RangeVar") {
      ref->location = LocationOf(*body);
      ref->table = body->value("relname", "");
      if (body->contains("alias")) ref->alias = (*body)["alias"].value("aliasname", "");
      return ref;
    }
    if (kind == "RangeSubselect") {
      if (body->value("lateral", false)) Fail("LATERAL is not supported", -1);
      ref->kind = TableRef::Kind::kSubquery;
      ref->subquery = TransformSubselect(body->at("subquery"));
      if (!body->contains("alias")) Fail("a subquery in FROM must have an alias", -1);
      const Json& alias = (*body)["alias"];
      for (const Json& name : alias.value("colnames", Json::array())) {
        ref->column_aliases.push_back(StringValue(name));
      }
      ref->alias = alias.value("aliasname", "");
      return ref;
    }
    if (kind != "JoinExpr") Fail("only tables and joins may follow FROM", LocationOf(*body));
    ref->kind = TableRef::Kind::kJoin;
    ref->left = TransformTableRef(body->at("larg"));
    ref->right = TransformTableRef(body->at("rarg"));
    ref->location = ref->left->location;
    if (body->contains("alias")) Fail("an alias on a join is not supported", ref->location);
    const std::string type = body->value("jointype", "JOIN_INNER");
    if (type == "JOIN_INNER") {
      ref->join_type = JoinType::kInner;
    } else if (type == "JOIN_LEFT") {
      ref->join_type = JoinType::kLeft;
    } else if (type == "JOIN_RIGHT") {
      ref->join_type = JoinType::kRight;
    } else if (type == "JOIN_FULL") {
      ref->join_type = JoinType::kFull;
    } else {
      Fail("unsupported join type " + type, ref->location);
    }
    ref->natural = body->value("isNatural", false);
    for (const Json& name : body->value("usingClause", Json::array())) {
      ref->using_columns.push_back(StringValue(name));
    }
    if (body->contains("quals")) {
      ref->on = TransformExpr((*body)["quals"]);
    } else if (ref->join_type == JoinType::kInner && !ref->natural && ref->using_columns.empty()) {
      ref->join_type = JoinType::kCross;
    }
    return ref;
  }

  // Whether the parse tree below `node` holds a subquery (a SubLink or a subquery in FROM);
  // `top` skips node itself when it is the SELECT being transformed.
  static bool HasSubquery(const Json& node, bool top) {
    if (node.is_object()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!top && (it.key() == "SubLink" || it.key() == "RangeSubselect")) return true;
        if (HasSubquery(it.value(), false)) return true;
      }
    } else if (node.is_array()) {
      for (const Json& item : node) {
        if (HasSubquery(item, false)) return true;
      }
    }
    return false;
  }

  std::shared_ptr<SelectStatement> TransformSubselect(const Json& node) {
    auto [kind, body] = Unwrap(node);
    if (kind != "SelectStmt") Fail("a subquery must be a SELECT", LocationOf(*body));
    return std::make_shared<SelectStatement>(TransformSelect(*body));
  }

  int64_t TransformCount(const Json& node, const char* clause) {
    auto [kind, body] = Unwrap(node);
    if (kind == "A_Const" && body->contains("ival")) {
      const int64_t n = IntegerOf(*body);
      if (n < 0) Fail(std::string(clause) + " must not be negative", LocationOf(*body));
      return n;
    }
    Fail(std::string(clause) + " takes an integer constant", LocationOf(*body));
  }

  ExprPtr Make(ExprKind kind, const Json& body) {
    return std::make_unique<Expr>(kind, LocationOf(body));
  }

  ExprPtr TransformExpr(const Json& node) {
    auto [kind, body] = Unwrap(node);
    if (kind == "ColumnRef") return TransformColumnRef(*body);
    if (kind == "A_Const") return TransformConst(*body);
    if (kind == "A_Expr") return TransformAExpr(*body);
    if (kind == "BoolExpr") return TransformBoolExpr(*body);
    if (kind == "FuncCall") return TransformFuncCall(*body);
    if (kind == "TypeCast") return TransformTypeCast(*body);
    if (kind == "NullTest") {
      ExprPtr e = Make(ExprKind::kIsNull, *body);
      e->negated = body->value("nulltesttype", "") == "IS_NOT_NULL";
      e->children.push_back(TransformExpr(body->at("arg")));
      return e;
    }
    if (kind == "CaseExpr") return TransformCase(*body);
    if (kind == "CoalesceExpr") {
      ExprPtr e = Make(ExprKind::kCoalesce, *body);
      for (const Json& arg : body->at("args")) e->children.push_back(TransformExpr(arg));
      return e;
    }
    if (kind == "SubLink") return TransformSubLink(*body);
    if (kind == "SQLValueFunction") return TransformValueFunction(*body);
    if (kind == "MinMaxExpr") {
      // GREATEST(...) / LEAST(...): functions of their arguments to the binder.
      ExprPtr e = Make(ExprKind::kFunction, *body);
      e->name = body->value("op", "") == "IS_GREATEST" ? "greatest" : "least";
      for (const Json& arg : body->at("args")) e->children.push_back(TransformExpr(arg));
      return e;
    }
    if (kind == "BooleanTest") Fail("IS TRUE / IS FALSE is not supported", LocationOf(*body));
    Fail("unsupported expression (" + kind + ")", LocationOf(*body));
  }

  ExprPtr TransformSubLink(const Json& body) {
    const std::string type = body.value("subLinkType", "");
    ExprPtr sub = Make(ExprKind::kSubquery, body);
    sub->subquery = TransformSubselect(body.at("subselect"));
    if (type == "EXPR_SUBLINK") {
      sub->name = "scalar";
      return sub;
    }
    if (type == "EXISTS_SUBLINK") {
      sub->name = "exists";
      return sub;
    }
    // x IN (SELECT ...) is ANY with no operator named; x = ANY (...) and the like are not ours.
    if (type == "ANY_SUBLINK" && !body.contains("operName")) {
      sub->name = "in";
      ExprPtr in = Make(ExprKind::kIn, body);
      in->children.push_back(TransformExpr(body.at("testexpr")));
      in->children.push_back(std::move(sub));
      return in;
    }
    Fail("this form of subquery is not supported", LocationOf(body));
  }

  ExprPtr TransformColumnRef(const Json& body) {
    const Json& fields = body.at("fields");
    if (fields.size() == 1 && Unwrap(fields[0]).first == "A_Star") {
      return Make(ExprKind::kStar, body);
    }
    if (fields.size() > 2) Fail("column names take at most one qualifier", LocationOf(body));
    const bool star = Unwrap(fields.back()).first == "A_Star";
    ExprPtr e = Make(star ? ExprKind::kStar : ExprKind::kColumn, body);
    if (fields.size() == 2) e->qualifier = StringValue(fields[0]);
    if (!star) e->name = LastName(fields);
    return e;
  }

  ExprPtr TransformConst(const Json& body) {
    ExprPtr e = Make(ExprKind::kLiteral, body);
    Literal& lit = e->literal;
    if (body.value("isnull", false)) {
      lit.kind = Literal::Kind::kNull;
    } else if (body.contains("ival")) {
      lit.kind = Literal::Kind::kInteger;
      lit.integer = IntegerOf(body);
    } else if (body.contains("fval")) {
      // Decimal literals, and integers too large for int4, arrive as text.
      lit.kind = Literal::Kind::kDecimal;
      lit.text = body["fval"].value("fval", "");
    } else if (body.contains("sval")) {
      lit.kind = Literal::Kind::kString;
      lit.text = body["sval"].value("sval", "");
    } else if (body.contains("boolval")) {
      lit.kind = Literal::Kind::kBoolean;
      lit.boolean = body["boolval"].value("boolval", false);
    } else if (body.contains("bsval")) {
      Fail("bit-string literals are not supported", LocationOf(body));
    } else {
      Fail("unsupported literal", LocationOf(body));
    }
    return e;
  }

  // The value of an integer constant (an A_Const with "ival"): the JSON's when it has one, which
  // it has only for positive values; otherwise the exact parse tree's (integer_constants.h).
  // Integers beyond int4 arrive as "fval" text and are typed by the binder.
  int64_t IntegerOf(const Json& body) {
    const Json& ival = body.at("ival");
    if (ival.contains("ival")) return ival["ival"].get<int64_t>();
    if (!integers_) {
      Result<IntegerConstants> collected = IntegerConstants::Collect(std::string(text_));
      if (!collected.ok()) Fail(collected.status().message(), LocationOf(body));
      integers_ = std::move(collected).value();
    }
    const std::optional<int64_t> value = integers_->At(LocationOf(body));
    if (!value) Fail("internal: integer constant missing from the parse tree", LocationOf(body));
    return *value;
  }

  ExprPtr TransformAExpr(const Json& body) {
    const std::string kind = body.value("kind", "");
    const std::string op = body.contains("name") ? LastName(body["name"]) : "";
    if (kind == "AEXPR_OP") {
      if (!body.contains("lexpr")) {
        ExprPtr e = Make(ExprKind::kUnary, body);
        e->name = op;
        e->children.push_back(TransformExpr(body.at("rexpr")));
        return e;
      }
      ExprPtr e = Make(ExprKind::kBinary, body);
      e->name = op == "!=" ? "<>" : op;
      e->children.push_back(TransformExpr(body.at("lexpr")));
      e->children.push_back(TransformExpr(body.at("rexpr")));
      return e;
    }
    if (kind == "AEXPR_IN") {
      ExprPtr e = Make(ExprKind::kIn, body);
      e->negated = op == "<>";
      e->children.push_back(TransformExpr(body.at("lexpr")));
      const Json& list = body.at("rexpr");
      auto [list_kind, list_body] = Unwrap(list);
      if (list_kind != "List") Fail("IN takes a list of values", LocationOf(body));
      for (const Json& item : list_body->at("items")) e->children.push_back(TransformExpr(item));
      return e;
    }
    if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") {
      ExprPtr e = Make(ExprKind::kLike, body);
      e->case_insensitive = kind == "AEXPR_ILIKE";
      e->negated = op == "!~~" || op == "!~~*";
      e->children.push_back(TransformExpr(body.at("lexpr")));
      e->children.push_back(TransformExpr(body.at("rexpr")));
      return e;
    }
    if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN") {
      ExprPtr e = Make(ExprKind::kBetween, body);
      e->negated = kind == "AEXPR_NOT_BETWEEN";
      e->children.push_back(TransformExpr(body.at("lexpr")));
      const Json& bounds = Unwrap(body.at("rexpr")).second->at("items");
      for (const Json& bound : bounds) e->children.push_back(TransformExpr(bound));
      return e;
    }
    if (kind == "AEXPR_NULLIF") {
      // NULLIF(a, b) is a function of two arguments to the binder (and its column is "nullif").
      ExprPtr e = Make(ExprKind::kFunction, body);
      e->name = "nullif";
      e->children.push_back(TransformExpr(body.at("lexpr")));
      e->children.push_back(TransformExpr(body.at("rexpr")));
      return e;
    }
    Fail("unsupported operator " + op, LocationOf(body));
  }

  ExprPtr TransformBoolExpr(const Json& body) {
    const std::string op = body.value("boolop", "");
    const Json& args = body.at("args");
    if (op == "NOT_EXPR") {
      ExprPtr e = Make(ExprKind::kUnary, body);
      e->name = "NOT";
      e->children.push_back(TransformExpr(args.at(0)));
      return e;
    }
    // a AND b AND c arrives as one node with three arguments: fold it left to right.
    ExprPtr e = TransformExpr(args.at(0));
    for (size_t i = 1; i < args.size(); ++i) {
      ExprPtr combined = Make(ExprKind::kBinary, body);
      combined->name = op == "AND_EXPR" ? "AND" : "OR";
      combined->children.push_back(std::move(e));
      combined->children.push_back(TransformExpr(args[i]));
      e = std::move(combined);
    }
    return e;
  }

  ExprPtr TransformFuncCall(const Json& body) {
    if (body.contains("agg_order")) Fail("ordered aggregates are not supported", LocationOf(body));
    ExprPtr e = Make(ExprKind::kFunction, body);
    if (body.contains("over")) e->over = TransformWindow(body["over"], LocationOf(body));
    if (body.contains("agg_filter")) e->filter = TransformExpr(body["agg_filter"]);
    e->name = LastName(body.at("funcname"));
    e->star = body.value("agg_star", false);
    e->distinct = body.value("agg_distinct", false);
    for (const Json& arg : body.value("args", Json::array())) {
      e->children.push_back(TransformExpr(arg));
    }
    return e;
  }

  // CURRENT_DATE and CURRENT_TIMESTAMP: functions of no argument to the binder, named as
  // PostgreSQL names their columns.
  ExprPtr TransformValueFunction(const Json& body) {
    const std::string op = body.value("op", "");
    ExprPtr e = Make(ExprKind::kFunction, body);
    if (op == "SVFOP_CURRENT_DATE") {
      e->name = "current_date";
    } else if (op == "SVFOP_CURRENT_TIMESTAMP" || op == "SVFOP_LOCALTIMESTAMP") {
      e->name = "current_timestamp";
    } else {
      Fail("unsupported SQL value function (" + op + ")", LocationOf(body));
    }
    return e;
  }

  ExprPtr TransformTypeCast(const Json& body) {
    ExprPtr e = Make(ExprKind::kCast, body);
    const Json& type = body.at("typeName");
    if (type.contains("arrayBounds")) Fail("array types are not supported", LocationOf(type));
    e->name = LastName(type.at("names"));
    e->children.push_back(TransformExpr(body.at("arg")));
    return e;
  }

  ExprPtr TransformCase(const Json& body) {
    ExprPtr e = Make(ExprKind::kCase, body);
    if (body.contains("arg")) {
      e->has_operand = true;
      e->children.push_back(TransformExpr(body["arg"]));
    }
    for (const Json& when : body.at("args")) {
      const Json& w = *Unwrap(when).second;
      e->children.push_back(TransformExpr(w.at("expr")));
      e->children.push_back(TransformExpr(w.at("result")));
    }
    if (body.contains("defresult")) {
      e->has_else = true;
      e->children.push_back(TransformExpr(body["defresult"]));
    }
    return e;
  }
};

// Shifts every location in `expr` by `offset` (statement -> whole input).
void Shift(SelectStatement* sel, int offset);

void Shift(Expr* expr, int offset) {
  if (expr == nullptr) return;
  if (expr->location >= 0) expr->location += offset;
  for (ExprPtr& child : expr->children) Shift(child.get(), offset);
  if (expr->subquery) Shift(expr->subquery.get(), offset);
  Shift(expr->filter.get(), offset);
  if (expr->over) {
    for (ExprPtr& p : expr->over->partition_by) Shift(p.get(), offset);
    for (OrderItem& o : expr->over->order_by) Shift(o.expr.get(), offset);
  }
}

void Shift(TableRef* ref, int offset) {
  if (ref == nullptr) return;
  if (ref->location >= 0) ref->location += offset;
  Shift(ref->left.get(), offset);
  Shift(ref->right.get(), offset);
  Shift(ref->on.get(), offset);
  if (ref->subquery) Shift(ref->subquery.get(), offset);
}

void Shift(SelectStatement* selp, int offset) {
  SelectStatement& sel = *selp;
  if (sel.set_operation) {
    if (sel.set_operation->location >= 0) sel.set_operation->location += offset;
    Shift(sel.set_operation->left.get(), offset);
    Shift(sel.set_operation->right.get(), offset);
  }
  for (CommonTable& table : sel.with) {
    if (table.location >= 0) table.location += offset;
    Shift(table.query.get(), offset);
  }
  Shift(sel.from.get(), offset);
  if (sel.table_location >= 0) sel.table_location += offset;
  for (SelectItem& item : sel.items) Shift(item.expr.get(), offset);
  Shift(sel.where.get(), offset);
  for (ExprPtr& g : sel.group_by) Shift(g.get(), offset);
  Shift(sel.having.get(), offset);
  for (OrderItem& o : sel.order_by) Shift(o.expr.get(), offset);
}

bool IsIdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// "DESCRIBE t" / "DESC t": returns the table name and its offset, or nothing.
std::optional<std::pair<std::string, int>> MatchDescribe(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  size_t word_end = i;
  while (word_end < text.size() && IsIdentifierChar(text[word_end])) ++word_end;
  std::string word(text.substr(i, word_end - i));
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (word != "describe" && word != "desc") return std::nullopt;
  size_t name_start = word_end;
  while (name_start < text.size() && std::isspace(static_cast<unsigned char>(text[name_start]))) {
    ++name_start;
  }
  size_t name_end = name_start;
  while (name_end < text.size() && IsIdentifierChar(text[name_end])) ++name_end;
  size_t rest = name_end;
  while (rest < text.size() &&
         (std::isspace(static_cast<unsigned char>(text[rest])) || text[rest] == ';')) {
    ++rest;
  }
  if (name_end == name_start || rest != text.size()) return std::make_pair(std::string(), -1);
  std::string name(text.substr(name_start, name_end - name_start));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::make_pair(name, static_cast<int>(name_start));
}

// Cuts `text` at the semicolons that are outside quotes and comments. (libpg_query's splitters
// either need statements it can parse or silently drop DESCRIBE, so we split ourselves.)
Status SplitStatements(const std::string& text, std::vector<std::pair<int, int>>* ranges) {
  size_t start = 0;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '\'' || c == '"') {
      const size_t open = i++;
      while (i < n && !(text[i] == c && (i + 1 >= n || text[i + 1] != c))) {
        i += text[i] == c ? 2 : 1;  // a doubled quote stays inside
      }
      if (i >= n) {
        return Status::InvalidArgumentAt(
            c == '\'' ? "unterminated quoted string" : "unterminated quoted identifier",
            static_cast<int>(open) + 1);
      }
      ++i;
    } else if (c == '-' && i + 1 < n && text[i + 1] == '-') {
      while (i < n && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      const size_t close = text.find("*/", i + 2);
      if (close == std::string::npos) {
        return Status::InvalidArgumentAt("unterminated /* comment", static_cast<int>(i) + 1);
      }
      i = close + 2;
    } else if (c == ';') {
      ranges->emplace_back(static_cast<int>(start), static_cast<int>(i - start));
      start = ++i;
    } else {
      ++i;
    }
  }
  ranges->emplace_back(static_cast<int>(start), static_cast<int>(n - start));
  return Status::OK();
}

}  // namespace

Result<std::vector<Statement>> Parse(std::string_view sql) {
  const std::string input(sql);
  std::vector<std::pair<int, int>> ranges;  // (offset, length) of each statement
  LAKE_RETURN_IF_ERROR(SplitStatements(input, &ranges));

  std::vector<Statement> statements;
  for (auto [offset, length] : ranges) {
    std::string text = input.substr(offset, length);
    // The splitter includes leading whitespace and comments in a statement; skip blank ones.
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    if (auto describe = MatchDescribe(text)) {
      if (describe->second < 0) {
        return Status::InvalidArgumentAt("DESCRIBE takes one table name", offset + 1);
      }
      Statement s;
      s.kind = Statement::Kind::kDescribe;
      s.table = describe->first;
      s.location = offset + describe->second;
      s.text = text;
      statements.push_back(std::move(s));
      continue;
    }
    PgQueryParseResult parsed = pg_query_parse(text.c_str());
    if (parsed.error != nullptr) {
      const std::string message = parsed.error->message;
      const int position = offset + std::max(1, parsed.error->cursorpos);
      pg_query_free_parse_result(parsed);
      return Status::InvalidArgumentAt(message, position);
    }
    Json tree = Json::parse(parsed.parse_tree, nullptr, /*allow_exceptions=*/false);
    pg_query_free_parse_result(parsed);
    if (tree.is_discarded())
      return Status::InvalidArgumentAt("internal: unreadable parse tree", offset + 1);
    for (const Json& stmt : tree.value("stmts", Json::array())) {
      try {
        Statement s = Transformer(text).TransformStatement(stmt.at("stmt"));
        s.location = offset;
        s.text = text;
        Shift(&s.select, offset);
        statements.push_back(std::move(s));
      } catch (const SyntaxError& e) {
        return Status::InvalidArgumentAt(e.message, offset + std::max(0, e.location) + 1);
      } catch (const Json::exception& e) {
        return Status::InvalidArgumentAt(std::string("unexpected parse tree: ") + e.what(),
                                         offset + 1);
      }
    }
  }
  if (statements.empty()) return Status::InvalidArgumentAt("empty query", 1);
  return statements;
}

}  // namespace lake::sql
