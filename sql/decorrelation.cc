#include "sql/decorrelation.h"

#include "sql/binder.h"

namespace lake::sql {
namespace {

ExprPtr Clone(const Expr& e) {
  auto copy = std::make_unique<Expr>(e.kind, e.location);
  copy->name = e.name;
  copy->qualifier = e.qualifier;
  copy->literal = e.literal;
  for (const ExprPtr& child : e.children) copy->children.push_back(Clone(*child));
  if (e.filter) copy->filter = Clone(*e.filter);
  copy->negated = e.negated;
  copy->distinct = e.distinct;
  copy->star = e.star;
  copy->case_insensitive = e.case_insensitive;
  copy->has_operand = e.has_operand;
  copy->has_else = e.has_else;
  copy->subquery = e.subquery;  // immutable once parsed: shared
  return copy;
}

TableRefPtr Clone(const TableRef& ref) {
  auto copy = std::make_unique<TableRef>();
  copy->kind = ref.kind;
  copy->location = ref.location;
  copy->table = ref.table;
  copy->alias = ref.alias;
  copy->subquery = ref.subquery;
  copy->column_aliases = ref.column_aliases;
  copy->join_type = ref.join_type;
  if (ref.left) copy->left = Clone(*ref.left);
  if (ref.right) copy->right = Clone(*ref.right);
  if (ref.on) copy->on = Clone(*ref.on);
  copy->using_columns = ref.using_columns;
  copy->natural = ref.natural;
  return copy;
}

void SplitConjuncts(const Expr& e, std::vector<const Expr*>* out) {
  if (e.kind == ExprKind::kBinary && e.name == "AND") {
    SplitConjuncts(*e.children[0], out);
    SplitConjuncts(*e.children[1], out);
    return;
  }
  out->push_back(&e);
}

// Whether `e` holds a subquery, or a column reference `is_outer` accepts.
bool MentionsOuterOrSubquery(const Expr& e, const std::function<bool(const Expr&)>& is_outer) {
  if (e.kind == ExprKind::kSubquery) return true;
  if (e.kind == ExprKind::kColumn && is_outer(e)) return true;
  for (const ExprPtr& child : e.children) {
    if (MentionsOuterOrSubquery(*child, is_outer)) return true;
  }
  return false;
}

bool HasAggregate(const SelectStatement& q) {
  for (const SelectItem& item : q.items) {
    if (ContainsAggregate(*item.expr)) return true;
  }
  return q.having != nullptr;
}

}  // namespace

std::optional<GroupedSubquery> GroupByCorrelation(
    const SelectStatement& subquery, bool exists,
    const std::function<bool(const Expr&)>& is_outer) {
  const SelectStatement& s = subquery;
  if (s.set_operation || s.limit || s.offset || !s.group_by.empty() || s.where == nullptr) {
    return std::nullopt;
  }
  // EXISTS over an aggregate without GROUP BY always finds its one row; a scalar subquery that
  // does not aggregate may give several rows per group, an error only for tuples that run it.
  if (exists == HasAggregate(s)) return std::nullopt;
  if (!exists && (s.items.size() != 1 || s.items[0].expr->kind == ExprKind::kStar)) {
    return std::nullopt;
  }

  std::vector<const Expr*> conjuncts;
  SplitConjuncts(*s.where, &conjuncts);
  GroupedSubquery out;
  std::vector<const Expr*> inner_sides;
  ExprPtr rest;
  for (const Expr* c : conjuncts) {
    const Expr* outer = nullptr;
    const Expr* inner = nullptr;
    if (c->kind == ExprKind::kBinary && c->name == "=") {
      for (int side = 0; side < 2 && outer == nullptr; ++side) {
        const Expr& a = *c->children[side];
        const Expr& b = *c->children[1 - side];
        if (a.kind == ExprKind::kColumn && is_outer(a) && !MentionsOuterOrSubquery(b, is_outer)) {
          outer = &a;
          inner = &b;
        }
      }
    }
    if (outer != nullptr) {
      out.outer_columns.push_back(outer);
      inner_sides.push_back(inner);
      continue;
    }
    if (rest == nullptr) {
      rest = Clone(*c);
      continue;
    }
    auto both = std::make_unique<Expr>(ExprKind::kBinary, c->location);
    both->name = "AND";
    both->children.push_back(std::move(rest));
    both->children.push_back(Clone(*c));
    rest = std::move(both);
  }
  if (out.outer_columns.empty()) return std::nullopt;

  SelectStatement& q = out.query;
  q.with = s.with;
  q.distinct = exists;
  for (const Expr* inner : inner_sides) q.items.push_back(SelectItem{Clone(*inner), ""});
  if (!exists) {
    q.items.push_back(SelectItem{Clone(*s.items[0].expr), ""});
    for (const Expr* inner : inner_sides) q.group_by.push_back(Clone(*inner));
    if (s.having) q.having = Clone(*s.having);
  }
  q.table = s.table;
  q.table_alias = s.table_alias;
  q.table_location = s.table_location;
  if (s.from) q.from = Clone(*s.from);
  q.where = std::move(rest);
  return out;
}

}  // namespace lake::sql
