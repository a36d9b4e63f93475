#include "sql/binder.h"

#include <strings.h>

#include <map>

#include "sql/join_binder.h"
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
  if (a.kind != b.kind || !SameName(a.qualifier, b.qualifier) || a.negated != b.negated || a.distinct != b.distinct || a.star != b.star ||
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
  return true;
}

std::optional<AggregateKind> AggregateOf(const Expr& e) {
  if (e.kind != ExprKind::kFunction) return std::nullopt;
  if (SameName(e.name, "count")) return e.star ? AggregateKind::kCountStar : AggregateKind::kCount;
  if (SameName(e.name, "sum")) return AggregateKind::kSum;
  if (SameName(e.name, "avg")) return AggregateKind::kAvg;
  if (SameName(e.name, "min")) return AggregateKind::kMin;
  if (SameName(e.name, "max")) return AggregateKind::kMax;
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
               std::string relation, BoundSelect* out)
      : ast_(ast), scope_(scope), where_(where), relation_(std::move(relation)), out_(*out) {}

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
        if (!any) Fail("missing FROM-clause entry for table \"" + star.qualifier + "\"", star.location);
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
    return coercion_.BindTree(e, [this](const Expr& leaf) -> BoundExprPtr {
      if (leaf.kind == ExprKind::kColumn) return BindColumn(leaf);
      if (AggregateOf(leaf)) {
        Fail("aggregate function calls cannot be nested or used here", leaf.location);
      }
      return nullptr;
    });
  }

  // Binds over the intermediate row: the scan batch if not aggregated, else group keys and
  // aggregates.
  BoundExprPtr BindOutput(const Expr& e) {
    if (!out_.aggregated) return BindScan(e);
    return coercion_.BindTree(e, [this](const Expr& node) -> BoundExprPtr {
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
    });
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
    aggregate_asts_.push_back(&node);
    out_.aggregates.push_back(std::move(aggregate));
    return IntermediateColumn(out_.group_keys.size() + out_.aggregates.size() - 1,
                              out_.aggregates.back().type, node.location);
  }

  const SelectStatement& ast_;
  const Scope& scope_;
  const Expr* where_;
  const std::string relation_;
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
  QueryScope(const Catalog& catalog, const std::vector<CommonTable>* with, size_t visible,
             const QueryScope* parent)
      : catalog_(catalog), with_(with), visible_(visible), parent_(parent) {}

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
        const QueryScope at(catalog_, s->with_, i, s->parent_);
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

  // Binds `ast`, whose own WITH list opens a scope inside `outer`. Throws BindError.
  static void BindSelectIn(const SelectStatement& ast, const QueryScope& outer, BoundSelect* out) {
    const QueryScope scope(outer.catalog_, &ast.with, ast.with.size(), &outer);
    if (ast.from) {
      // Joins and subqueries: the input is the relation the plan produces (sql/join_binder.h).
      const Scope columns = PlanFrom(ast, *ast.from, outer.catalog_, scope, out);
      SelectBinder(ast, columns, /*where=*/nullptr, "", out).Bind();
      return;
    }
    if (!ast.table.empty() && scope.FindCte(ast.table) != nullptr) {
      TableRef ref;
      ref.table = ast.table;
      ref.alias = ast.table_alias;
      ref.location = ast.table_location;
      const Scope columns = PlanFrom(ast, ref, outer.catalog_, scope, out);
      SelectBinder(ast, columns, /*where=*/nullptr, "", out).Bind();
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
    SelectBinder(ast, columns, ast.where.get(), ast.table, out).Bind();
  }

 private:
  [[noreturn]] static void Fail(const std::string& message, int location) {
    throw BindError{message, location};
  }

  const Catalog& catalog_;
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

Result<BoundStatement> Bind(const Statement& statement, const Catalog& catalog) {
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
  try {
    const QueryScope top(catalog, nullptr, 0, nullptr);
    QueryScope::BindSelectIn(statement.select, top, &out.select);
  } catch (const BindError& e) {
    return ErrorAt(e.message, e.location);
  }
  return out;
}

}  // namespace lake::sql
