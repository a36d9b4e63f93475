#include "sql/binder.h"

#include <strings.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "sql/coercion_helpers.h"
#include "sql/correlated_answers.h"
#include "sql/decorrelation.h"
#include "sql/join_binder.h"
#include "sql/root_stage.h"
#include "sql/scope.h"
#include "sql/set_operation.h"
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
  if (a.kind != b.kind || a.subquery != b.subquery || a.over != b.over ||
      !SameName(a.qualifier, b.qualifier) || a.negated != b.negated || a.distinct != b.distinct ||
      a.star != b.star || a.case_insensitive != b.case_insensitive ||
      a.has_operand != b.has_operand || a.has_else != b.has_else || !SameName(a.name, b.name) ||
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

// The aggregate a function call names, whether or not it is over a window.
std::optional<AggregateKind> AggregateNamed(const Expr& e) {
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

// The aggregate of a GROUP BY a call is (not one over a window).
std::optional<AggregateKind> AggregateOf(const Expr& e) {
  if (e.over) return std::nullopt;
  return AggregateNamed(e);
}

// Column numbers above this stand for window results until the intermediate row's width is
// known (SelectBinder::PlaceWindowColumns).
constexpr size_t kWindowColumn = size_t{1} << 40;

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

class SelectBinder final : public EnclosingQuery {
 public:
  // `scope` describes out->table_schema, the input the scan reads; `where` are the conjuncts
  // of the filter over it (none, or those a join's plan left). `relation` names the input in
  // errors.
  SelectBinder(const SelectStatement& ast, const Scope& scope, std::vector<const Expr*> where,
               std::string relation, const SubqueryBinder& subqueries, BoundSelect* out)
      : ast_(ast),
        scope_(scope),
        where_(std::move(where)),
        relation_(std::move(relation)),
        subqueries_(subqueries),
        out_(*out),
        coercion_(subqueries.statement_time()) {}

  const Scope& columns() const override { return scope_; }

  BoundSelect OuterTuples(const std::vector<const Expr*>& references) override {
    BoundSelect tuples;
    tuples.table = out_.table;
    tuples.table_schema = out_.table_schema;
    tuples.join = out_.join;
    for (const Expr* ref : references) {
      tuples.projections.push_back(BindScan(*ref));
      tuples.names.push_back(ref->name);
    }
    tuples.scan_columns = out_.scan_columns;
    tuples.visible = references.size();
    tuples.distinct = true;
    return tuples;
  }

  void Bind() {
    out_.distinct = ast_.distinct;
    out_.limit = ast_.limit;
    out_.offset = ast_.offset.value_or(0);
    for (const Expr* conjunct : where_) {
      if (ContainsAggregate(*conjunct)) {
        Fail("aggregate functions are not allowed in WHERE", conjunct->location);
      }
      out_.filter = coercion::AndOf(std::move(out_.filter),
                                    coercion_.RequireBoolean(BindScan(*conjunct), "WHERE"));
    }
    const std::vector<const Expr*> items = ExpandSelectList();
    out_.aggregated = !ast_.group_by.empty() || (ast_.having != nullptr);
    for (const Expr* item : items) out_.aggregated |= ContainsAggregate(*item);
    for (const OrderItem& o : ast_.order_by) out_.aggregated |= ContainsAggregate(*o.expr);
    if (out_.aggregated) BindGroupKeys(items);

    windows_allowed_ = true;
    for (const Expr* item : items) out_.projections.push_back(BindOutput(*item));
    windows_allowed_ = false;
    out_.names = item_names_;
    out_.visible = items.size();
    if (ast_.having) out_.having = coercion_.RequireBoolean(BindOutput(*ast_.having), "HAVING");
    windows_allowed_ = true;
    BindOrderBy(items);
    windows_allowed_ = false;
    if (!out_.windows.empty()) PlaceWindowColumns();
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
    if (!NamesColumnOf(scope_, e)) {
      if (BoundExprPtr outer = subqueries_.BindOuterColumn(e)) return outer;
    }
    if (out_.table.empty())
      Fail("column \"" + e.name + "\" does not exist (no FROM clause)", e.location);
    const ScopeColumn& found = scope_[ResolveColumn(scope_, e, relation_)];
    auto [it, inserted] = scan_index_.try_emplace(found.column, out_.scan_columns.size());
    if (inserted) out_.scan_columns.push_back(found.column);
    return ColumnReference(it->second, found.type, e.location);
  }

  // Binds over the scan batch (WHERE, GROUP BY keys, aggregate arguments, plain SELECT).
  BoundExprPtr BindScan(const Expr& e) {
    TypeCoercion::LeafBinder bind_leaf = [&](const Expr& leaf) -> BoundExprPtr {
      if (leaf.over) return BindWindow(leaf);
      if (BoundExprPtr sub = subqueries_.BindSubqueryExpr(leaf, &coercion_, bind_leaf, *this)) {
        return sub;
      }
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
      if (node.over) return BindWindow(node);
      if (BoundExprPtr sub = subqueries_.BindSubqueryExpr(node, &coercion_, bind_node, *this)) {
        return sub;
      }
      for (size_t i = 0; i < group_asts_.size(); ++i) {
        if (SameExpr(node, *group_asts_[i], scope_)) {
          return IntermediateColumn(i, out_.group_keys[i]->type, node.location);
        }
      }
      if (std::optional<AggregateKind> kind = AggregateOf(node)) return BindAggregate(node, *kind);
      if (node.kind == ExprKind::kColumn && !NamesColumnOf(scope_, node)) {
        if (BoundExprPtr outer = subqueries_.BindOuterColumn(node)) return outer;
      }
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
    return ColumnReference(index, type, location);
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
      const bool windows_allowed = std::exchange(windows_allowed_, false);
      aggregate.argument = BindScan(*node.children[0]);
      windows_allowed_ = windows_allowed;
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

  // f(...) OVER (...): a window over the intermediate row, read as a column after it.
  BoundExprPtr BindWindow(const Expr& node) {
    if (!windows_allowed_) {
      Fail("window functions are allowed only in the select list and ORDER BY", node.location);
    }
    if (out_.table.empty()) Fail("window functions need a FROM clause", node.location);
    if (node.distinct) Fail("DISTINCT is not supported in window functions", node.location);
    if (node.filter) Fail("FILTER is not supported in window functions", node.location);
    windows_allowed_ = false;  // none inside another
    BoundWindow w;
    const std::string name = coercion::Lower(node.name);
    const auto arguments = [&](size_t least, size_t most) {
      if (node.children.size() < least || node.children.size() > most) {
        Fail("function " + name + " takes " + std::to_string(least) +
                 (most > least ? " to " + std::to_string(most) : "") + " arguments",
             node.location);
      }
    };
    if (name == "row_number" || name == "rank" || name == "dense_rank") {
      arguments(0, 0);
      w.kind = name == "row_number" ? BoundWindow::Kind::kRowNumber
               : name == "rank"     ? BoundWindow::Kind::kRank
                                    : BoundWindow::Kind::kDenseRank;
    } else if (name == "lag" || name == "lead") {
      arguments(1, 3);
      w.kind = name == "lag" ? BoundWindow::Kind::kLag : BoundWindow::Kind::kLead;
      w.argument = BindOutput(*node.children[0]);
      w.type = w.argument->type;
      if (node.children.size() > 1) {
        const Expr& offset = *node.children[1];
        if (offset.kind != ExprKind::kLiteral || offset.literal.kind != Literal::Kind::kInteger ||
            offset.literal.integer < 0) {
          Fail(name + "'s offset must be a non-negative integer constant", offset.location);
        }
        w.offset = offset.literal.integer;
      }
      w.otherwise = Value::Null(w.type);
      if (node.children.size() > 2) {
        BoundExprPtr otherwise = coercion_.CastTo(BindOutput(*node.children[2]), w.type);
        if (otherwise->kind != BoundExpr::Kind::kConstant) {
          Fail(name + "'s default must be a constant of its argument's type",
               node.children[2]->location);
        }
        w.otherwise = otherwise->constant;
      }
    } else if (std::optional<AggregateKind> kind = AggregateNamed(node);
               kind && (*kind == AggregateKind::kCountStar || *kind == AggregateKind::kCount ||
                        *kind == AggregateKind::kSum || *kind == AggregateKind::kAvg ||
                        *kind == AggregateKind::kMin || *kind == AggregateKind::kMax)) {
      w.kind = BoundWindow::Kind::kAggregate;
      BoundAggregate aggregate;
      aggregate.kind = *kind;
      if (*kind != AggregateKind::kCountStar) {
        arguments(1, 1);
        aggregate.argument = BindOutput(*node.children[0]);
      }
      w.type = coercion_.AggregateType(aggregate, node);
      w.aggregate = *kind;
      w.argument = std::move(aggregate.argument);
    } else {
      Fail("function " + name +
               " is not a window function here (ROW_NUMBER, RANK, DENSE_RANK, "
               "LAG, LEAD, COUNT, SUM, AVG, MIN and MAX are)",
           node.location);
    }
    const WindowSpec& spec = *node.over;
    for (const ExprPtr& p : spec.partition_by) w.partition_by.push_back(BindOutput(*p));
    for (const OrderItem& o : spec.order_by) {
      w.order.push_back(
          BoundOrder{w.order_keys.size(), o.descending, o.nulls_first.value_or(false)});
      w.order_keys.push_back(BindOutput(*o.expr));
    }
    w.frame = spec.frame;
    if (w.frame.start.kind == FrameBound::Kind::kUnboundedFollowing) {
      Fail("frame start cannot be UNBOUNDED FOLLOWING", node.location);
    }
    if (w.frame.end.kind == FrameBound::Kind::kUnboundedPreceding) {
      Fail("frame end cannot be UNBOUNDED PRECEDING", node.location);
    }
    windows_allowed_ = true;
    out_.windows.push_back(std::move(w));
    return IntermediateColumn(kWindowColumn + out_.windows.size() - 1, out_.windows.back().type,
                              node.location);
  }

  // Window results follow the intermediate row: group keys and aggregates, or the scan batch
  // (which then holds a column at least, so that its rows reach the root).
  void PlaceWindowColumns() {
    if (!out_.aggregated && out_.scan_columns.empty()) out_.scan_columns.push_back(0);
    const size_t width = out_.aggregated ? out_.group_keys.size() + out_.aggregates.size()
                                         : out_.scan_columns.size();
    const std::function<void(BoundExpr&)> place = [&](BoundExpr& e) {
      if (e.kind == BoundExpr::Kind::kColumn && e.column >= kWindowColumn) {
        e.column = width + (e.column - kWindowColumn);
      }
      for (BoundExprPtr& child : e.children) place(*child);
    };
    for (BoundExprPtr& p : out_.projections) place(*p);
  }

  const SelectStatement& ast_;
  const Scope& scope_;
  const std::vector<const Expr*> where_;
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
  bool windows_allowed_ = false;  // binding the select list or ORDER BY
};

// The columns of the queries around a subquery, one level per enclosing query, innermost first.
// A correlated subquery is bound once to learn which of them it names (`values` null: each
// binds to a NULL of its type and is recorded), then once per tuple of their values, to run
// (each binds to its value, a constant of the plan).
struct OuterColumns {
  const Scope* columns = nullptr;
  std::vector<size_t> named;            // indexes into *columns, in the order first named
  std::vector<const Expr*> references;  // the first reference to each
  const Row* values = nullptr;          // per named column: what it binds to
  OuterColumns* parent = nullptr;
  std::set<const Expr*> seen;  // every reference bound to one of them
};

// More runs than this of one correlated subquery are refused rather than waited for.
constexpr size_t kMaxCorrelatedRuns = 10'000;

// The WITH queries visible at a point of the statement: the first `visible` of a WITH list,
// then those of the enclosing queries. Binds subqueries in the scope they appear in.
class QueryScope final : public SubqueryBinder {
 public:
  QueryScope(const Catalog& catalog, const SubqueryRunner* runner,
             std::optional<int64_t> statement_time, const std::vector<CommonTable>* with,
             size_t visible, const QueryScope* parent, OuterColumns* outer)
      : catalog_(catalog),
        runner_(runner),
        statement_time_(statement_time),
        with_(with),
        visible_(visible),
        parent_(parent),
        outer_(outer) {}

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
        const QueryScope at(catalog_, runner_, statement_time_, s->with_, i, s->parent_, s->outer_);
        return at.BindSubquery(*table.query);
      }
    }
    throw BindError{"internal: WITH query out of scope", table.location};
  }

  std::shared_ptr<const BoundSelect> BindSubquery(const SelectStatement& query) const override {
    return BindSubqueryIn(query, outer_);
  }

  BoundExprPtr BindOuterColumn(const Expr& ref) const override {
    for (OuterColumns* level = outer_; level != nullptr; level = level->parent) {
      if (!NamesColumnOf(*level->columns, ref)) continue;
      const size_t index = ResolveColumn(*level->columns, ref, "");
      const size_t slot = static_cast<size_t>(
          std::find(level->named.begin(), level->named.end(), index) - level->named.begin());
      if (slot == level->named.size()) {
        if (level->values != nullptr) {
          Fail("internal: a correlated subquery names a column it did not before", ref.location);
        }
        level->named.push_back(index);
        level->references.push_back(&ref);
      }
      level->seen.insert(&ref);
      const LogicalType type = (*level->columns)[index].type;
      return coercion::Constant(
          level->values != nullptr ? (*level->values)[slot] : Value::Null(type), ref.location);
    }
    return nullptr;
  }

  bool NamesColumnsOf(const Expr& e, const Scope& columns) const override {
    if (e.kind == ExprKind::kSubquery) {
      OuterColumns around{&columns, {}, {}, nullptr, outer_, {}};
      BindSubqueryIn(*e.subquery, &around);
      if (!around.named.empty()) return true;
    }
    for (const ExprPtr& child : e.children) {
      if (NamesColumnsOf(*child, columns)) return true;
    }
    return false;
  }

  BoundExprPtr BindSubqueryExpr(const Expr& node, TypeCoercion* coercion,
                                const TypeCoercion::LeafBinder& leaf,
                                EnclosingQuery& enclosing) const override {
    const bool in_list = node.kind == ExprKind::kIn && node.children.size() == 2 &&
                         node.children[1]->kind == ExprKind::kSubquery;
    if (node.kind != ExprKind::kSubquery && !in_list) return nullptr;
    const Expr& sub = in_list ? *node.children[1] : node;
    if (runner_ == nullptr) Fail("subqueries are not supported here", sub.location);
    OuterColumns around{&enclosing.columns(), {}, {}, nullptr, outer_, {}};
    const std::shared_ptr<const BoundSelect> shape = BindSubqueryIn(*sub.subquery, &around);
    if (sub.name != "exists" && shape->visible != 1) {
      Fail("subquery must return only one column", sub.location);
    }
    const LogicalType type =
        sub.name == "scalar" ? shape->projections[0]->type : LogicalType::kBoolean;
    if (Discovering()) {
      // A subquery around this one is being bound only to learn what it names: nothing runs.
      if (in_list) coercion->BindTree(*node.children[0], leaf);
      return coercion::Constant(Value::Null(type), sub.location);
    }
    if (!around.named.empty()) return BindCorrelated(node, sub, type, around, leaf, enclosing);

    const Row none;
    around.values = &none;
    const std::shared_ptr<const BoundSelect> query = BindSubqueryIn(*sub.subquery, &around);
    Result<std::vector<Vector>> answer = runner_->Run(*query);
    if (!answer.ok()) throw BindError{answer.status().message(), sub.location};
    const size_t rows = answer->empty() ? 0 : (*answer)[0].size();
    if (sub.name == "exists") return coercion::Constant(Value::Boolean(rows > 0), sub.location);
    if (sub.name == "scalar") {
      if (rows > 1)
        Fail("more than one row returned by a subquery used as an expression", sub.location);
      return coercion::Constant(rows == 0 ? Value::Null(type) : ValueAt((*answer)[0], 0),
                                sub.location);
    }
    // x IN (SELECT ...) over no rows is false, even for a NULL x (and NOT IN true).
    if (rows == 0) return coercion::Constant(Value::Boolean(node.negated), sub.location);
    std::vector<BoundExprPtr> values;
    values.push_back(coercion->BindTree(*node.children[0], leaf));
    for (size_t r = 0; r < rows; ++r) {
      values.push_back(coercion::Constant(ValueAt((*answer)[0], r), sub.location));
    }
    return coercion->InList(std::move(values), node.negated, node.location);
  }

  // Binds `ast`, whose own WITH list opens a scope inside `outer`, and which may name the
  // columns of the queries around it that `outer_columns` lists. Throws BindError.
  static void BindSelectIn(const SelectStatement& ast, const QueryScope& outer,
                           OuterColumns* outer_columns, BoundSelect* out) {
    const QueryScope scope(outer.catalog_, outer.runner_, outer.statement_time_, &ast.with,
                           ast.with.size(), &outer, outer_columns);
    if (ast.set_operation) {
      BindSetOperation(ast, scope, outer_columns, out);
      return;
    }
    TableRef cte;
    const TableRef* from = ast.from.get();
    if (from == nullptr && !ast.table.empty() && scope.FindCte(ast.table) != nullptr) {
      cte.table = ast.table;
      cte.alias = ast.table_alias;
      cte.location = ast.table_location;
      from = &cte;
    }
    if (from != nullptr) {
      // Joins and subqueries: the input is the relation the plan produces (sql/join_binder.h).
      std::vector<const Expr*> where;
      const Scope columns = PlanFrom(ast, *from, outer.catalog_, scope, out, &where);
      SelectBinder(ast, columns, std::move(where), "", scope, out).Bind();
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
    std::vector<const Expr*> where;
    if (ast.where) where.push_back(ast.where.get());
    SelectBinder(ast, columns, std::move(where), ast.table, scope, out).Bind();
  }

 private:
  [[noreturn]] static void Fail(const std::string& message, int location) {
    throw BindError{message, location};
  }

  // A UNION, INTERSECT or EXCEPT: its sides bound where it stands (seeing the same WITH queries
  // and outer columns), their columns matched by position, then ORDER BY over its output.
  static void BindSetOperation(const SelectStatement& ast, const QueryScope& scope,
                               OuterColumns* outer_columns, BoundSelect* out) {
    const SetOperation& op = *ast.set_operation;
    auto bound = std::make_shared<BoundSetOperation>();
    bound->kind = op.kind;
    bound->all = op.all;
    auto left = std::make_shared<BoundSelect>();
    auto right = std::make_shared<BoundSelect>();
    BindSelectIn(*op.left, scope, outer_columns, left.get());
    BindSelectIn(*op.right, scope, outer_columns, right.get());
    const std::string name = SetOperationName(op.kind);
    if (left->visible != right->visible) {
      Fail("each " + name + " query must have the same number of columns", op.location);
    }
    const auto untyped = [](const BoundExpr& e) {  // a NULL whose type its context decides
      return e.kind == BoundExpr::Kind::kConstant && e.unknown && e.constant.is_null;
    };
    for (size_t c = 0; c < left->visible; ++c) {
      const BoundExpr& l = *left->projections[c];
      const BoundExpr& r = *right->projections[c];
      const std::optional<LogicalType> type =
          SetOperationType(l.type, untyped(l), r.type, untyped(r));
      if (!type) {
        Fail(name + " types " + std::string(TypeName(l.type)) + " and " +
                 std::string(TypeName(r.type)) + " cannot be matched",
             op.location);
      }
      out->projections.push_back(ColumnReference(c, *type));
    }
    out->names = left->names;
    out->visible = left->visible;
    for (const OrderItem& item : ast.order_by) {
      BoundOrder order;
      order.column = SetOperationColumn(*item.expr, out->names);
      order.descending = item.descending;
      order.nulls_first = item.nulls_first.value_or(false);
      out->order_by.push_back(order);
    }
    out->limit = ast.limit;
    out->offset = ast.offset.value_or(0);
    bound->left = std::move(left);
    bound->right = std::move(right);
    out->set_operation = std::move(bound);
  }

  // The output column a set operation's ORDER BY item names: by name, or by position.
  static size_t SetOperationColumn(const Expr& e, const std::vector<std::string>& names) {
    if (e.kind == ExprKind::kLiteral && e.literal.kind == Literal::Kind::kInteger &&
        e.literal.integer >= 1 && static_cast<size_t>(e.literal.integer) <= names.size()) {
      return static_cast<size_t>(e.literal.integer - 1);
    }
    if (e.kind == ExprKind::kColumn && e.qualifier.empty()) {
      for (size_t c = 0; c < names.size(); ++c) {
        if (names[c] == e.name) return c;
      }
      for (size_t c = 0; c < names.size(); ++c) {
        if (SameName(names[c], e.name)) return c;
      }
    }
    Fail("ORDER BY of a UNION, INTERSECT or EXCEPT names an output column or its position",
         e.location);
  }

  std::shared_ptr<const BoundSelect> BindSubqueryIn(const SelectStatement& query,
                                                    OuterColumns* columns) const {
    auto bound = std::make_shared<BoundSelect>();
    BindSelectIn(query, *this, columns, bound.get());
    return bound;
  }

  // Whether this query is bound only to learn which outer columns it names.
  bool Discovering() const {
    for (const OuterColumns* level = outer_; level != nullptr; level = level->parent) {
      if (level->values == nullptr) return true;
    }
    return false;
  }

  // A subquery naming `around.named` of the enclosing query's columns: run once for each tuple
  // of values they take there, and looked up by each row's tuple.
  BoundExprPtr BindCorrelated(const Expr& node, const Expr& sub, LogicalType type,
                              OuterColumns around, const TypeCoercion::LeafBinder& leaf,
                              EnclosingQuery& enclosing) const {
    if (node.kind == ExprKind::kIn) {
      Fail(
          "a correlated IN (SELECT ...) is not supported: write it as EXISTS (SELECT ... WHERE "
          "... = ...)",
          sub.location);
    }
    enclosing.CheckCorrelation(*around.references[0]);
    if (BoundExprPtr grouped = BindGrouped(sub, type, around, leaf)) return grouped;
    Result<std::vector<Vector>> tuples = runner_->Run(enclosing.OuterTuples(around.references));
    if (!tuples.ok()) throw BindError{tuples.status().message(), sub.location};
    const size_t runs = tuples->empty() ? 0 : (*tuples)[0].size();
    if (runs > kMaxCorrelatedRuns) {
      Fail("a correlated subquery would run once for each of the " + std::to_string(runs) +
               " distinct values the outer columns it names take, more than " +
               std::to_string(kMaxCorrelatedRuns) + ": write it as a join",
           sub.location);
    }
    auto call = std::make_unique<BoundExpr>();
    call->kind = BoundExpr::Kind::kCall;
    call->op = ScalarOp::kCorrelated;
    call->type = type;
    call->location = sub.location;
    for (const Expr* ref : around.references) call->children.push_back(leaf(*ref));
    auto answers = std::make_shared<CorrelatedAnswers>(type);
    Vector found(LogicalType::kBoolean);
    found.Append<uint8_t>(0);
    found.Append<uint8_t>(1);
    for (size_t r = 0; r < runs; ++r) {
      Row values;
      for (const Vector& column : *tuples) values.push_back(ValueAt(column, r));
      around.values = &values;
      const std::shared_ptr<const BoundSelect> query = BindSubqueryIn(*sub.subquery, &around);
      Result<std::vector<Vector>> answer = runner_->Run(*query);
      if (!answer.ok()) throw BindError{answer.status().message(), sub.location};
      const size_t rows = answer->empty() ? 0 : (*answer)[0].size();
      if (sub.name == "exists") {
        answers->Add(std::move(values), found, rows > 0 ? 1 : 0);
      } else if (rows > 1) {
        Fail("more than one row returned by a subquery used as an expression", sub.location);
      } else if (rows == 0) {
        answers->AddNull(std::move(values));
      } else {
        if ((*answer)[0].type() != type) Fail("internal: a subquery's type changed", sub.location);
        answers->Add(std::move(values), (*answer)[0], 0);
      }
    }
    call->answers = std::move(answers);
    return call;
  }

  // The subquery run once, grouped by the inner sides of its equalities with outer columns
  // (sql/decorrelation.h), or null when it is not of that shape, or its rewrite does not bind
  // as one that names no outer column, or an outer column and its inner side differ in type.
  BoundExprPtr BindGrouped(const Expr& sub, LogicalType type, OuterColumns around,
                           const TypeCoercion::LeafBinder& leaf) const {
    const bool exists = sub.name == "exists";
    std::optional<GroupedSubquery> rewrite = GroupByCorrelation(
        *sub.subquery, exists, [&](const Expr& ref) { return around.seen.contains(&ref); });
    if (!rewrite) return nullptr;
    // Bound with no outer column of this level to name: one it still names is an error.
    const Row none;
    OuterColumns uncorrelated{around.columns, {}, {}, &none, outer_, {}};
    std::shared_ptr<const BoundSelect> query;
    try {
      query = BindSubqueryIn(rewrite->query, &uncorrelated);
    } catch (const BindError&) {
      return nullptr;  // run as written, which binds or reports its own error
    }
    const size_t keys = rewrite->outer_columns.size();
    if (!exists && query->projections[keys]->type != type) return nullptr;
    auto call = std::make_unique<BoundExpr>();
    call->kind = BoundExpr::Kind::kCall;
    call->op = ScalarOp::kCorrelated;
    call->type = type;
    call->location = sub.location;
    for (size_t k = 0; k < rewrite->outer_columns.size(); ++k) {
      call->children.push_back(leaf(*rewrite->outer_columns[k]));
      if (call->children.back()->type != query->projections[k]->type) return nullptr;
    }
    Result<std::vector<Vector>> groups = runner_->Run(*query);
    if (!groups.ok()) throw BindError{groups.status().message(), sub.location};
    auto answers = std::make_shared<CorrelatedAnswers>(type);
    Vector found(LogicalType::kBoolean);
    found.Append<uint8_t>(0);
    found.Append<uint8_t>(1);
    const size_t rows = (*groups)[0].size();
    for (size_t r = 0; r < rows; ++r) {
      Row tuple;
      bool has_null = false;
      for (size_t k = 0; k < keys; ++k) {
        tuple.push_back(ValueAt((*groups)[k], r));
        has_null |= tuple.back().is_null;
      }
      if (has_null) continue;  // equal to no outer tuple
      if (exists) {
        answers->Add(std::move(tuple), found, 1);
      } else {
        answers->Add(std::move(tuple), (*groups)[keys], r);
      }
    }
    if (exists) {
      answers->SetOtherwise(found, 0);
    } else {
      // The answer over no rows: the subquery with every outer column NULL, which its
      // equalities then hold for no row.
      Row nulls;
      for (size_t index : around.named) {
        nulls.push_back(Value::Null((*around.columns)[index].type));
      }
      around.values = &nulls;
      Result<std::vector<Vector>> empty = runner_->Run(*BindSubqueryIn(*sub.subquery, &around));
      if (!empty.ok()) throw BindError{empty.status().message(), sub.location};
      if ((*empty)[0].size() != 1) return nullptr;  // HAVING dropped it: run per tuple
      answers->SetOtherwise((*empty)[0], 0);
    }
    call->answers = std::move(answers);
    return call;
  }

  const Catalog& catalog_;
  const SubqueryRunner* runner_;
  const std::optional<int64_t> statement_time_;
  const std::vector<CommonTable>* with_;
  size_t visible_;
  const QueryScope* parent_;
  OuterColumns* outer_;
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
  if (e.over) {  // RANK() OVER (ORDER BY SUM(x)) ranks groups
    for (const ExprPtr& p : e.over->partition_by) {
      if (ContainsAggregate(*p)) return true;
    }
    for (const OrderItem& o : e.over->order_by) {
      if (ContainsAggregate(*o.expr)) return true;
    }
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
  if (statement.select.set_operation) {
    // Its sides' answers meet where it runs (Engine::RunSelect), never in fragments.
    return ErrorAt("a UNION, INTERSECT or EXCEPT runs only as a whole statement",
                   statement.select.set_operation->location);
  }
  out.kind = BoundStatement::Kind::kSelect;
  LAKE_ASSIGN_OR_RETURN(out.select,
                        BindSelect(statement.select, catalog, subqueries, statement_time));
  return out;
}

Result<BoundSelect> BindSelect(const SelectStatement& select, const Catalog& catalog,
                               const SubqueryRunner* subqueries,
                               std::optional<int64_t> statement_time) {
  BoundSelect out;
  try {
    const QueryScope top(catalog, subqueries, statement_time, nullptr, 0, nullptr, nullptr);
    QueryScope::BindSelectIn(select, top, nullptr, &out);
  } catch (const BindError& e) {
    return ErrorAt(e.message, e.location);
  }
  return out;
}

}  // namespace lake::sql
