#include "sql/table_references.h"

#include <algorithm>
#include <set>

namespace lake::sql {
namespace {

class TableCollector {
 public:
  explicit TableCollector(std::vector<std::string>* out) : out_(out) {}

  // `ctes`: the WITH queries visible where `select` is written.
  void Select(const SelectStatement& select, std::set<std::string> ctes) {
    if (select.set_operation) {
      Select(*select.set_operation->left, ctes);
      Select(*select.set_operation->right, ctes);
    }
    for (const CommonTable& cte : select.with) {
      Select(*cte.query, ctes);  // sees only the WITH queries before it
      ctes.insert(cte.name);
    }
    if (!select.table.empty()) Table(select.table, ctes);
    if (select.from) From(*select.from, ctes);
    for (const SelectItem& item : select.items) Expression(item.expr.get(), ctes);
    Expression(select.where.get(), ctes);
    for (const ExprPtr& key : select.group_by) Expression(key.get(), ctes);
    Expression(select.having.get(), ctes);
    for (const OrderItem& order : select.order_by) Expression(order.expr.get(), ctes);
  }

 private:
  void Table(const std::string& name, const std::set<std::string>& ctes) {
    if (ctes.count(name) || std::find(out_->begin(), out_->end(), name) != out_->end()) return;
    out_->push_back(name);
  }

  void From(const TableRef& ref, const std::set<std::string>& ctes) {
    switch (ref.kind) {
      case TableRef::Kind::kTable:
        return Table(ref.table, ctes);
      case TableRef::Kind::kSubquery:
        return Select(*ref.subquery, ctes);
      case TableRef::Kind::kJoin:
        From(*ref.left, ctes);
        From(*ref.right, ctes);
        return Expression(ref.on.get(), ctes);
    }
  }

  void Expression(const Expr* expr, const std::set<std::string>& ctes) {
    if (expr == nullptr) return;
    if (expr->subquery) Select(*expr->subquery, ctes);
    for (const ExprPtr& child : expr->children) Expression(child.get(), ctes);
    Expression(expr->filter.get(), ctes);
    if (expr->over) {
      for (const ExprPtr& key : expr->over->partition_by) Expression(key.get(), ctes);
      for (const OrderItem& order : expr->over->order_by) Expression(order.expr.get(), ctes);
    }
  }

  std::vector<std::string>* out_;
};

bool HasSubquery(const Expr* expr) {
  if (expr == nullptr) return false;
  if (expr->subquery || HasSubquery(expr->filter.get())) return true;
  for (const ExprPtr& child : expr->children) {
    if (HasSubquery(child.get())) return true;
  }
  if (expr->over) {
    for (const ExprPtr& key : expr->over->partition_by) {
      if (HasSubquery(key.get())) return true;
    }
    for (const OrderItem& order : expr->over->order_by) {
      if (HasSubquery(order.expr.get())) return true;
    }
  }
  return false;
}

// The references of a join tree of stored tables, left to right; false at anything else (a
// subquery in FROM, or in an ON condition).
bool StoredTables(const TableRef& ref, std::vector<std::string>* out) {
  switch (ref.kind) {
    case TableRef::Kind::kTable:
      out->push_back(ref.table);
      return true;
    case TableRef::Kind::kSubquery:
      return false;
    case TableRef::Kind::kJoin:
      return !HasSubquery(ref.on.get()) && StoredTables(*ref.left, out) &&
             StoredTables(*ref.right, out);
  }
  return false;
}

}  // namespace

std::vector<std::string> TablesRead(const Statement& statement) {
  std::vector<std::string> tables;
  if (statement.kind == Statement::Kind::kSelect) {
    TableCollector(&tables).Select(statement.select, {});
  }
  return tables;
}

std::optional<std::vector<std::string>> JoinedTables(const Statement& statement) {
  if (statement.kind != Statement::Kind::kSelect) return std::nullopt;
  const SelectStatement& select = statement.select;
  if (select.set_operation || !select.with.empty() || !select.from ||
      select.from->kind != TableRef::Kind::kJoin) {
    return std::nullopt;
  }
  std::vector<std::string> tables;
  if (!StoredTables(*select.from, &tables) || HasSubquery(select.where.get()) ||
      HasSubquery(select.having.get())) {
    return std::nullopt;
  }
  for (const SelectItem& item : select.items) {
    if (HasSubquery(item.expr.get())) return std::nullopt;
  }
  for (const ExprPtr& key : select.group_by) {
    if (HasSubquery(key.get())) return std::nullopt;
  }
  for (const OrderItem& order : select.order_by) {
    if (HasSubquery(order.expr.get())) return std::nullopt;
  }
  return tables;
}

}  // namespace lake::sql
