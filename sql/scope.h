// Scope: the columns a query's expressions may name, with the table (or alias) each belongs to,
// and how a column reference (`x` or `t.x`) resolves among them, with PostgreSQL's errors
// (unknown column, unknown table, ambiguous reference). One table's scope is its columns; a
// join's is every joined table's, with USING / NATURAL columns merged into one visible column.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/logical_type.h"
#include "sql/ast.h"

namespace lake::sql {

struct ScopeColumn {
  std::string qualifier;  // the table's name or alias; empty for a merged USING column
  std::string name;
  LogicalType type = LogicalType::kVarchar;
  size_t column = 0;  // what a reference binds to (a column of the input the scope describes)
  bool star = true;   // `SELECT *` lists it
  bool unqualified =
      true;  // `x` may name it (a USING join hides each side's copy behind the merge)
};
using Scope = std::vector<ScopeColumn>;

// The index in `scope` of the column `ref` (a kColumn expression) names. Throws BindError:
// "column ... does not exist", "missing FROM-clause entry for table ...", "column reference ...
// is ambiguous". `where` names the relation in the first message ("in employees").
size_t ResolveColumn(const Scope& scope, const Expr& ref, const std::string& where);

// Whether `ref` names exactly one column of `scope` (no error when not).
bool Resolves(const Scope& scope, const Expr& ref);

// Whether `ref` is for `scope` to resolve (rightly or as an error): its qualifier names a table
// of the scope, or, unqualified, some column of the scope bears its name. A name that is not is
// looked for in the enclosing query's scope (a correlated subquery's outer reference).
bool NamesColumnOf(const Scope& scope, const Expr& ref);

// Whether a name written in a query names `name` (exact, else case-insensitive).
bool SameIdentifier(const std::string& written, const std::string& name);

}  // namespace lake::sql
