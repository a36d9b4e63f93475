// Decorrelation by equalities: the simplest case of the rewrite in "Unnesting Arbitrary Queries"
// (Neumann and Kemper). A correlated subquery whose outer columns appear only in conjuncts
// `inner = outer` of its WHERE need not run once per outer tuple: it runs once, grouped by the
// inner sides, and each outer tuple finds its group (or none). EXISTS becomes the distinct
// tuples of the inner sides; an aggregate without GROUP BY becomes the aggregate per group. An
// outer tuple no group has, or one holding a NULL (which equals nothing), gets the subquery's
// answer over no rows. Pure syntax: the binder decides whether the rewrite binds and runs
// (sql/binder.cc), and runs the subquery per tuple when it does not.
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "sql/ast.h"

namespace lake::sql {

struct GroupedSubquery {
  // Runs once: the inner sides of the equalities first, then (not for EXISTS) the value.
  SelectStatement query;
  // Per inner side, in order, the outer column reference it is equal to (a node of the
  // original subquery).
  std::vector<const Expr*> outer_columns;
};

// `subquery` rewritten, or nullopt when it is not of the shape above. `is_outer(ref)`: whether
// the column reference `ref` names a column of the enclosing query.
std::optional<GroupedSubquery> GroupByCorrelation(const SelectStatement& subquery, bool exists,
                                                  const std::function<bool(const Expr&)>& is_outer);

}  // namespace lake::sql
