#include "sql/binder.h"

#include <strings.h>

#include <map>

#include "sql/join_binder.h"
#include "sql/root_stage.h"
#include "sql/scope.h"
#include "sql/type_coercion.h"

namespace lake::sql {
namespace {

bool SameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Structural equality of two AST expressions, ignoring where they are in the text: how GROUP BY
// keys, repeated aggregates and ORDER BY expressions are recognised in the select list. Column
// references are equal when they name the same column of `scope` (`e.name` and `name`).
bool SameExpr(const Expr& a, const Expr& b, const Scope& scope) {
  if (a.kind == ExprKind::kColumn && b.kind == ExprKind::kColumn &&
      !(a.qualifier.empty() && b.qualifier.empty()) && Resolves(scope, a) && Resolves(scope, b)) {
    return ResolveColumn(scope, a, "") == ResolveColumn(scope, b, "");
  }
  if (a.kind != b.kind || a.subquery != b.subquery || !SameName(a.qualifier, b.qualifier) ||
      a.negated != b.negated || a.distinct != b.distinct || a.star != b.star ||
      a.case_insensitive != b.case_insensitive || a.has_operand != b.has_operand ||
      a.has_else != b.has_else || !SameName(a.name, b.name) ||
      a.children.size() != b.children.size()) {
    return false;
  }
  if (a.kind == ExprKind::kLiteral) {
    const Literal& x = a.literal;
    const Literal& y = b.literal;
    if (x.kind != y.kind || x.integer != y.integer || x.text != y.text || x.boolean != y.boolean) {
      return false;
    }
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!SameExpr(*a.children[i], *b.children[i], scope)) return false;
  }
  if ((a.filter == nullptr) != (b.filter == nullptr)) return false;
  return a.filter == nullptr || SameExpr(*a.filter, *b.filter, scope);
}

std::optional<AggregateKind> AggregateOf(const Expr& e) {
  if (e.kind != ExprKind::kFunction) return std::nullopt;
  if (SameName(e.name, "count")) return e.star ? AggregateKind::kCountStar : AggregateKind::kCount;
  if (SameName(e.name, "sum")) return AggregateKind::kSum;
  if (SameName(e.name, "avg")) return AggregateKind::kAvg;
  if (SameName(e.name, "min")) return AggregateKind::kMin;
  if (SameName(e.name, "max")) return AggregateKind::kMax;
  if (SameName(e.name, "var_samp") || SameName(e.name, "variance")) return AggregateKind::kVarSamp;
  if (SameName(e.name, "var_pop")) return AggregateKind::kVarPop;
  if (SameName(e.name, "stddev_samp") || SameName(e.name, "stddev")) {
    return AggregateKind::kStddevSamp;
  }
  if (SameName(e.name, "stddev_pop")) return AggregateKind::kStddevPop;
  if (SameName(e.name, "approx_count_distinct")) return AggregateKind::kApproxCountDistinct;
  return std::nullopt;
}

// What an output column is called when it has no alias (PostgreSQL's rule).
std::string DefaultName(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kColumn:
      return e.name;
    case ExprKind::kFunction:
      return e.name;
    case ExprKind::kCast:
      return DefaultName(*e.children[0]);
    case ExprKind::kCase:
      return "case";
    case ExprKind::kCoalesce:
      return "coalesce";
    default:
      return "?column?";
  }
}

class SelectBinder {
 public:
  // `scope` describes out->table_schema, the input the scan reads; `where` is the filter over
  // it (null: none, or already planned into a join). `relation` names the input in errors.
  SelectBinder(const SelectStatement& ast, const Scope& scope, const Expr* where,
               std::string relation, const SubqueryBinder& subqueries, BoundSelect* out)
      : ast_(ast),
        scope_(scope),
        where_(where),
        relation_(std::move(relation)),
        subqueries_(subqueries),
        out_(*out),
        coercion_(subqueries.statement_time()) {}

  void Bind() {
    out_.distinct = ast_.distinct;
    out_.limit = ast_.limit;
    out_.offset = ast_.offset.value_or(0);
    if (where_ != nullptr) {
      if (ContainsAggregate(*where_)) {
        Fail("aggregate functions are not allowed in WHERE", where_->location);
      }
      out_.filter = coercion_.RequireBoolean(BindScan(*where_), "WHERE");
    }
    const std::vector<const Expr*> items = ExpandSelectList();
    out_.aggregated = !ast_.group_by.empty() || (ast_.having != nullptr);
    for (const Expr* item : items) out_.aggregated |= ContainsAggregate(*item);
    for (const OrderItem& o : ast_.order_by) out_.aggregated |= ContainsAggregate(*o.expr);
    if (out_.aggregated) BindGroupKeys(items);

    for (const Expr* item : items) out_.projections.push_back(BindOutput(*item));
    out_.names = item_names_;
    out_.visible = items.size();
    if (ast_.having) out_.having = coercion_.RequireBoolean(BindOutput(*ast_.having), "HAVING");
    BindOrderBy(items);
  }

 private:
  [[noreturn]] static void Fail(const std::string& message, int location) {
    throw BindError{message, location};
  }

  // The select list with * expanded, remembering each item's default name.
  std::vector<const Expr*> ExpandSelectList() {
    std::vector<const Expr*> items;
    for (const SelectItem& item : ast_.items) {
      if (item.expr->kind == ExprKind::kStar) {
        const Expr& star = *item.expr;
        if (out_.table.empty()) Fail("SELECT * needs a FROM clause", star.location);
        bool any = false;
        for (const ScopeColumn& column : scope_) {
          // `*` lists the visible columns; `t.*` every column of t.
          if (star.qualifier.empty() ? !column.star
                                     : !SameIdentifier(star.qualifier, column.qualifier)) {
            continue;
          }
          any = true;
          star_columns_.push_back(std::make_unique<Expr>(ExprKind::kColumn, star.location));
          star_columns_.back()->name = column.name;
          star_columns_.back()->qualifier = column.qualifier;
          items.push_back(star_columns_.back().get());
          item_names_.push_back(column.name);
        }
        if (!any)
          Fail("missing FROM-clause entry for table \"" + star.qualifier + "\"", star.location);
        aliases_.resize(items.size());
        continue;
      }
      items.push_back(item.expr.get());
      item_names_.push_back(item.alias.empty() ? DefaultName(*item.expr) : item.alias);
      aliases_.push_back(item.alias);
    }
    return items;
  }

  // GROUP BY n and GROUP BY alias name a select item, as in PostgreSQL.
  const Expr& ResolveGroupOrOrderItem(const Expr& e, const std::vector<const Expr*>& items,
                                      const char* clause) {
    if (e.kind == ExprKind::kLiteral && e.literal.kind == Literal::Kind::kInteger) {
      const int64_t n = e.literal.integer;
      if (n < 1 || n > static_cast<int64_t>(items.size())) {
        Fail(std::string(clause) + " position " + std::to_string(n) + " is not in select list",
             e.location);
      }
      return *items[n - 1];
    }
    if (e.kind == ExprKind::kColumn && e.qualifier.empty() && !Resolves(scope_, e)) {
      for (size_t i = 0; i < items.size(); ++i) {
        if (i < aliases_.size() && SameName(aliases_[i], e.name)) return *items[i];
      }
    }
    return e;
  }

  void BindGroupKeys(const std::vector<const Expr*>& items) {
    for (const ExprPtr& g : ast_.group_by) {
      const Expr& key = ResolveGroupOrOrderItem(*g, items, "GROUP BY");
      if (ContainsAggregate(key))
        Fail("aggregate functions are not allowed in GROUP BY", key.location);
      group_asts_.push_back(&key);
      out_.group_keys.push_back(BindScan(key));
    }
  }

  void BindOrderBy(const std::vector<const Expr*>& items) {
    for (const OrderItem& o : ast_.order_by) {
      BoundOrder order;
      order.descending = o.descending;
      order.nulls_first = o.nulls_first.value_or(false);  // NULLS LAST unless told (DuckDB)
      const Expr& e = ResolveGroupOrOrderItem(*o.expr, items, "ORDER BY");
      std::optional<size_t> column;
      for (size_t i = 0; i < items.size() && !column; ++i) {
        if (&e == items[i] || SameExpr(e, *items[i], scope_)) column = i;
      }
      if (!column) {
        if (out_.distinct) {
          Fail("for SELECT DISTINCT, ORDER BY expressions must appear in select list", e.location);
        }
        out_.projections.push_back(BindOutput(e));
        column = out_.projections.size() - 1;
      }
      order.column = *column;
      out_.order_by.push_back(order);
    }
  }

  // A column of the input, as a column of the scan batch (added to the pushdown list).
  BoundExprPtr BindColumn(const Expr& e) {
    if (out_.table.empty())
      Fail("column \"" + e.name + "\" does not exist (no FROM clause)", e.location);
    const ScopeColumn& found = scope_[ResolveColumn(scope_, e, relation_)];
    auto [it, inserted] = scan_index_.try_emplace(found.column, out_.scan_columns.size());
    if (inserted) out_.scan_columns.push_back(found.column);
    auto bound = std::make_unique<BoundExpr>();
    bound->kind = BoundExpr::Kind::kColumn;
    bound->type = found.type;
    bound->column = it->second;
    bound->location = e.location;
    return bound;
  }

  // Binds over the scan batch (WHERE, GROUP BY keys, aggregate arguments, plain SELECT).
  BoundExprPtr BindScan(const Expr& e) {
    TypeCoercion::LeafBinder bind_leaf = [&](const Expr& leaf) -> BoundExprPtr {
      if (BoundExprPtr sub = subqueries_.BindSubqueryExpr(leaf, &coercion_, bind_leaf)) return sub;
      if (leaf.kind == ExprKind::kColumn) return BindColumn(leaf);
      if (AggregateOf(leaf)) {
        Fail("aggregate function calls cannot be nested or used here", leaf.location);
      }
      return nullptr;
    };
    return coercion_.BindTree(e, bind_leaf);
  }

  // Binds over the intermediate row: the scan batch if not aggregated, else group keys and
  // aggregates.
  BoundExprPtr BindOutput(const Expr& e) {
    if (!out_.aggregated) return BindScan(e);
    TypeCoercion::LeafBinder bind_node = [&](const Expr& node) -> BoundExprPtr {
      if (BoundExprPtr sub = subqueries_.BindSubqueryExpr(node, &coercion_, bind_node)) return sub;
      for (size_t i = 0; i < group_asts_.size(); ++i) {
        if (SameExpr(node, *group_asts_[i], scope_)) {
          return IntermediateColumn(i, out_.group_keys[i]->type, node.location);
        }
      }
      if (std::optional<AggregateKind> kind = AggregateOf(node)) return BindAggregate(node, *kind);
      if (node.kind == ExprKind::kColumn) {
        Fail("column \"" + node.name +
                 "\" must appear in the GROUP BY clause or be used in an aggregate function",
             node.location);
      }
      return nullptr;
    };
    return coercion_.BindTree(e, bind_node);
  }

  BoundExprPtr IntermediateColumn(size_t index, LogicalType type, int location) {
    auto bound = std::make_unique<BoundExpr>();
    bound->kind = BoundExpr::Kind::kColumn;
    bound->type = type;
    bound->column = index;
    bound->location = location;
    return bound;
  }

  BoundExprPtr BindAggregate(const Expr& node, AggregateKind kind) {
    for (size_t i = 0; i < aggregate_asts_.size(); ++i) {
      if (SameExpr(node, *aggregate_asts_[i], scope_)) {
        return IntermediateColumn(out_.group_keys.size() + i, out_.aggregates[i].type,
                                  node.location);
      }
    }
    BoundAggregate aggregate;
    aggregate.kind = kind;
    aggregate.distinct = node.distinct;
    if (kind != AggregateKind::kCountStar) {
      if (node.children.size() != 1) {
        Fail(node.name + " takes exactly one argument", node.location);
      }
      if (ContainsAggregate(*node.children[0])) {
        Fail("aggregate function calls cannot be nested", node.children[0]->location);
      }
      aggregate.argument = BindScan(*node.children[0]);
    }
    aggregate.type = coercion_.AggregateType(aggregate, node);
    if (IsMoment(kind)) {  // their states read doubles
      aggregate.argument = coercion_.CastTo(std::move(aggregate.argument), LogicalType::kDouble);
    }
    if (node.filter) ApplyFilter(*node.filter, &aggregate);
    aggregate_asts_.push_back(&node);
    out_.aggregates.push_back(std::move(aggregate));
    return IntermediateColumn(out_.group_keys.size() + out_.aggregates.size() - 1,
                              out_.aggregates.back().type, node.location);
  }

  // agg(x) FILTER (WHERE c) runs as agg(CASE WHEN c THEN x END), and COUNT(*) FILTER (WHERE c)
  // as COUNT(CASE WHEN c THEN TRUE END): every aggregate but COUNT(*) skips NULL inputs, and the
  // CASE evaluates x only for the rows where c holds, as PostgreSQL does. The rewritten argument
  // is an ordinary expression, so leaf fragments and their wire forms need nothing new.
  void ApplyFilter(const Expr& filter, BoundAggregate* aggregate) {
    if (ContainsAggregate(filter)) {
      Fail("aggregate functions are not allowed in FILTER", filter.location);
    }
    BoundExprPtr condition = coercion_.RequireBoolean(BindScan(filter), "FILTER");
    if (aggregate->kind == AggregateKind::kCountStar) {
      aggregate->kind = AggregateKind::kCount;
      aggregate->argument = std::make_unique<BoundExpr>();
      aggregate->argument->type = LogicalType::kBoolean;
      aggregate->argument->constant = Value::Boolean(true);
      aggregate->argument->location = filter.location;
    }
    const LogicalType type = aggregate->argument->type;
    auto otherwise = std::make_unique<BoundExpr>();
    otherwise->type = type;
    otherwise->constant = Value::Null(type);
    auto choice = std::make_unique<BoundExpr>();
    choice->kind = BoundExpr::Kind::kCall;
    choice->op = ScalarOp::kCase;
    choice->type = type;
    choice->location = filter.location;
    choice->children.push_back(std::move(condition));
    choice->children.push_back(std::move(aggregate->argument));
    choice->children.push_back(std::move(otherwise));
    aggregate->argument = std::move(choice);
  }

  const SelectStatement& ast_;
  const Scope& scope_;
  const Expr* where_;
  const std::string relation_;
  const SubqueryBinder& subqueries_;
  BoundSelect& out_;
  TypeCoercion coercion_;
  std::map<size_t, size_t> scan_index_;  // input column -> scan batch column
  std::vector<std::unique_ptr<Expr>> star_columns_;
  std::vector<std::string> item_names_;
  std::vector<std::string> aliases_;
  std::vector<const Expr*> group_asts_;
  std::vector<const Expr*> aggregate_asts_;
};

// The WITH queries visible at a point of the statement: the first `visible` of a WITH list,
// then those of the enclosing queries. Binds subqueries in the scope they appear in.
class QueryScope final : public SubqueryBinder {
 public:
  QueryScope(const Catalog& catalog, const SubqueryRunner* runner,
             std::optional<int64_t> statement_time, const std::vector<CommonTable>* with,
             size_t visible, const QueryScope* parent)
      : catalog_(catalog),
        runner_(runner),
        statement_time_(statement_time),
        with_(with),
        visible_(visible),
        parent_(parent) {}

  std::optional<int64_t> statement_time() const override { return statement_time_; }

  const CommonTable* FindCte(const std::string& name) const override {
    for (size_t i = visible_; i-- > 0;) {
      if (SameIdentifier(name, (*with_)[i].name)) return &(*with_)[i];
    }
    return parent_ != nullptr ? parent_->FindCte(name) : nullptr;
  }

  std::shared_ptr<const BoundSelect> BindCte(const CommonTable& table) const override {
    // A WITH query sees the ones before it in its list (none of its own or later ones).
    for (const QueryScope* s = this; s != nullptr; s = s->parent_) {
      for (size_t i = 0; i < s->visible_; ++i) {
        if (&(*s->with_)[i] != &table) continue;
        const QueryScope at(catalog_, runner_, statement_time_, s->with_, i, s->parent_);
        return at.BindSubquery(*table.query);
      }
    }
    throw BindError{"internal: WITH query out of scope", table.location};
  }

  std::shared_ptr<const BoundSelect> BindSubquery(const SelectStatement& query) const override {
    auto bound = std::make_shared<BoundSelect>();
    BindSelectIn(query, *this, bound.get());
    return bound;
  }

  BoundExprPtr BindSubqueryExpr(const Expr& node, TypeCoercion* coercion,
                                const TypeCoercion::LeafBinder& leaf) const override {
    const bool in_list = node.kind == ExprKind::kIn && node.children.size() == 2 &&
                         node.children[1]->kind == ExprKind::kSubquery;
    if (node.kind != ExprKind::kSubquery && !in_list) return nullptr;
    const Expr& sub = in_list ? *node.children[1] : node;
    if (runner_ == nullptr) Fail("subqueries are not supported here", sub.location);
    std::shared_ptr<const BoundSelect> query;
    try {
      query = BindSubquery(*sub.subquery);
    } catch (const BindError& e) {
      // Most likely a name of the outer query: say what is missing.
      const bool unknown = e.message.find("does not exist") != std::string::npos ||
                           e.message.find("missing FROM-clause") != std::string::npos;
      if (!unknown) throw;
      throw BindError{e.message + " (correlated subqueries are not supported)", e.location};
    }
    if (sub.name != "exists" && query->visible != 1) {
      Fail("subquery must return only one column", sub.location);
    }
    Result<std::vector<Vector>> answer = runner_->Run(*query);
    if (!answer.ok()) throw BindError{answer.status().message(), sub.location};
    const size_t rows = answer->empty() ? 0 : (*answer)[0].size();
    auto constant = [](Value v, LogicalType type) {
      auto c = std::make_unique<BoundExpr>();
      c->kind = BoundExpr::Kind::kConstant;
      c->type = type;
      c->constant = std::move(v);
      return c;
    };
    if (sub.name == "exists") return constant(Value::Boolean(rows > 0), LogicalType::kBoolean);
    const LogicalType type = query->projections[0]->type;
    if (sub.name == "scalar") {
      if (rows > 1)
        Fail("more than one row returned by a subquery used as an expression", sub.location);
      return constant(rows == 0 ? Value::Null(type) : ValueAt((*answer)[0], 0), type);
    }
    // x IN (SELECT ...) over no rows is false, even for a NULL x (and NOT IN true).
    if (rows == 0) return constant(Value::Boolean(node.negated), LogicalType::kBoolean);
    std::vector<BoundExprPtr> values;
    values.push_back(coercion->BindTree(*node.children[0], leaf));
    for (size_t r = 0; r < rows; ++r) values.push_back(constant(ValueAt((*answer)[0], r), type));
    return coercion->InList(std::move(values), node.negated, node.location);
  }

  // Binds `ast`, whose own WITH list opens a scope inside `outer`. Throws BindError.
  static void BindSelectIn(const SelectStatement& ast, const QueryScope& outer, BoundSelect* out) {
    const QueryScope scope(outer.catalog_, outer.runner_, outer.statement_time_, &ast.with,
                           ast.with.size(), &outer);
    if (ast.from) {
      // Joins and subqueries: the input is the relation the plan produces (sql/join_binder.h).
      const Scope columns = PlanFrom(ast, *ast.from, outer.catalog_, scope, out);
      SelectBinder(ast, columns, /*where=*/nullptr, "", scope, out).Bind();
      return;
    }
    if (!ast.table.empty() && scope.FindCte(ast.table) != nullptr) {
      TableRef ref;
      ref.table = ast.table;
      ref.alias = ast.table_alias;
      ref.location = ast.table_location;
      const Scope columns = PlanFrom(ast, ref, outer.catalog_, scope, out);
      SelectBinder(ast, columns, /*where=*/nullptr, "", scope, out).Bind();
      return;
    }
    Scope columns;
    if (!ast.table.empty()) {
      std::optional<Schema> found = outer.catalog_.FindTable(ast.table);
      if (!found) Fail("table \"" + ast.table + "\" does not exist", ast.table_location);
      out->table = ast.table;
      out->table_schema = *found;
      const std::string& qualifier = ast.table_alias.empty() ? ast.table : ast.table_alias;
      for (size_t c = 0; c < found->size(); ++c) {
        columns.push_back(ScopeColumn{qualifier, (*found)[c].name, (*found)[c].type, c});
      }
    }
    SelectBinder(ast, columns, ast.where.get(), ast.table, scope, out).Bind();
  }

 private:
  [[noreturn]] static void Fail(const std::string& message, int location) {
    throw BindError{message, location};
  }

  const Catalog& catalog_;
  const SubqueryRunner* runner_;
  const std::optional<int64_t> statement_time_;
  const std::vector<CommonTable>* with_;
  size_t visible_;
  const QueryScope* parent_;
};

// `location` is the parser's 0-based offset (-1 when unknown, reported as the start).
Status ErrorAt(const std::string& message, int location) {
  return Status::InvalidArgumentAt(message, std::max(0, location) + 1);
}

}  // namespace

bool ContainsAggregate(const Expr& e) {
  if (AggregateOf(e)) return true;
  for (const ExprPtr& child : e.children) {
    if (ContainsAggregate(*child)) return true;
  }
  return false;
}

Result<BoundStatement> Bind(const Statement& statement, const Catalog& catalog,
                            const SubqueryRunner* subqueries,
                            std::optional<int64_t> statement_time) {
  BoundStatement out;
  switch (statement.kind) {
    case Statement::Kind::kShowTables:
      out.kind = BoundStatement::Kind::kShowTables;
      return out;
    case Statement::Kind::kDescribe: {
      out.kind = BoundStatement::Kind::kDescribe;
      std::optional<Schema> schema = catalog.FindTable(statement.table);
      if (!schema) {
        return ErrorAt("table \"" + statement.table + "\" does not exist", statement.location);
      }
      out.table = statement.table;
      out.describe = *schema;
      return out;
    }
    case Statement::Kind::kSelect:
      break;
  }
  out.kind = BoundStatement::Kind::kSelect;
  LAKE_ASSIGN_OR_RETURN(out.select,
                        BindSelect(statement.select, catalog, subqueries, statement_time));
  return out;
}

Result<BoundSelect> BindSelect(const SelectStatement& select, const Catalog& catalog,
                               const SubqueryRunner* subqueries,
                               std::optional<int64_t> statement_time) {
  if (select.set_operation) {
    // Its sides are bound one by one where it runs (sql/set_operation.h).
    return ErrorAt("a UNION, INTERSECT or EXCEPT runs only as a whole statement",
                   select.set_operation->location);
  }
  BoundSelect out;
  try {
    const QueryScope top(catalog, subqueries, statement_time, nullptr, 0, nullptr);
    QueryScope::BindSelectIn(select, top, &out);
  } catch (const BindError& e) {
    return ErrorAt(e.message, e.location);
  }
  return out;
}

}  // namespace lake::sql
