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
  }

  std::vector<std::string>* out_;
};

}  // namespace

std::vector<std::string> TablesRead(const Statement& statement) {
  std::vector<std::string> tables;
  if (statement.kind == Statement::Kind::kSelect) {
    TableCollector(&tables).Select(statement.select, {});
  }
  return tables;
}

}  // namespace lake::sql
