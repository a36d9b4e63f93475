#include "sql/binder.h"

#include <strings.h>

#include <map>

#include "sql/type_coercion.h"

namespace lake::sql {
namespace {

bool SameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Structural equality of two AST expressions, ignoring where they are in the text: how GROUP BY
// keys, repeated aggregates and ORDER BY expressions are recognised in the select list.
bool SameExpr(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.negated != b.negated || a.distinct != b.distinct || a.star != b.star ||
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
    if (!SameExpr(*a.children[i], *b.children[i])) return false;
  }
  if ((a.filter == nullptr) != (b.filter == nullptr)) return false;
  return a.filter == nullptr || SameExpr(*a.filter, *b.filter);
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

bool ContainsAggregate(const Expr& e) {
  if (AggregateOf(e)) return true;
  for (const ExprPtr& child : e.children) {
    if (ContainsAggregate(*child)) return true;
  }
  return false;
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
  SelectBinder(const SelectStatement& ast, const Schema& schema, BoundSelect* out,
               std::optional<int64_t> statement_time)
      : ast_(ast), schema_(schema), out_(*out), coercion_(statement_time) {}

  void Bind() {
    out_.distinct = ast_.distinct;
    out_.limit = ast_.limit;
    out_.offset = ast_.offset.value_or(0);
    if (ast_.where) {
      if (ContainsAggregate(*ast_.where)) {
        Fail("aggregate functions are not allowed in WHERE", ast_.where->location);
      }
      out_.filter = coercion_.RequireBoolean(BindScan(*ast_.where), "WHERE");
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
        if (out_.table.empty()) Fail("SELECT * needs a FROM clause", item.expr->location);
        for (const Column& column : schema_) {
          star_columns_.push_back(std::make_unique<Expr>(ExprKind::kColumn, item.expr->location));
          star_columns_.back()->name = column.name;
          items.push_back(star_columns_.back().get());
          item_names_.push_back(column.name);
        }
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
    if (e.kind == ExprKind::kColumn && !FindColumn(e.name)) {
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
        if (&e == items[i] || SameExpr(e, *items[i])) column = i;
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

  std::optional<size_t> FindColumn(const std::string& name) const {
    for (size_t i = 0; i < schema_.size(); ++i) {
      if (schema_[i].name == name) return i;
    }
    std::optional<size_t> found;
    for (size_t i = 0; i < schema_.size(); ++i) {
      if (SameName(schema_[i].name, name)) {
        if (found) return std::nullopt;  // ambiguous without exact case: treat as unknown
        found = i;
      }
    }
    return found;
  }

  // A column of the table, as a column of the scan batch (added to the pushdown list).
  BoundExprPtr BindColumn(const Expr& e) {
    if (out_.table.empty())
      Fail("column \"" + e.name + "\" does not exist (no FROM clause)", e.location);
    const std::optional<size_t> column = FindColumn(e.name);
    if (!column) Fail("column \"" + e.name + "\" does not exist in " + out_.table, e.location);
    auto [it, inserted] = scan_index_.try_emplace(*column, out_.scan_columns.size());
    if (inserted) out_.scan_columns.push_back(*column);
    auto bound = std::make_unique<BoundExpr>();
    bound->kind = BoundExpr::Kind::kColumn;
    bound->type = schema_[*column].type;
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
        if (SameExpr(node, *group_asts_[i])) {
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
      if (SameExpr(node, *aggregate_asts_[i])) {
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
  const Schema& schema_;
  BoundSelect& out_;
  TypeCoercion coercion_;
  std::map<size_t, size_t> scan_index_;  // table column -> scan batch column
  std::vector<std::unique_ptr<Expr>> star_columns_;
  std::vector<std::string> item_names_;
  std::vector<std::string> aliases_;
  std::vector<const Expr*> group_asts_;
  std::vector<const Expr*> aggregate_asts_;
};

// `location` is the parser's 0-based offset (-1 when unknown, reported as the start).
Status ErrorAt(const std::string& message, int location) {
  return Status::InvalidArgumentAt(message, std::max(0, location) + 1);
}

}  // namespace

Result<BoundStatement> Bind(const Statement& statement, const Catalog& catalog,
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
  const SelectStatement& ast = statement.select;
  Schema schema;
  if (!ast.table.empty()) {
    std::optional<Schema> found = catalog.FindTable(ast.table);
    if (!found) {
      return ErrorAt("table \"" + ast.table + "\" does not exist", ast.table_location);
    }
    schema = *found;
    out.select.table = ast.table;
    out.select.table_schema = schema;
  }
  try {
    SelectBinder(ast, schema, &out.select, statement_time).Bind();
  } catch (const BindError& e) {
    return ErrorAt(e.message, e.location);
  }
  return out;
}

}  // namespace lake::sql
