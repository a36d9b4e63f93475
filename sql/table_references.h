// TablesRead: the stored tables a statement reads, found in its syntax tree before binding. A
// node that answers a query reading several tables (a join, a subquery, a WITH query) uses it to
// learn which datasets it must gather before the embedded engine runs the statement.
// Thread-safety: pure.
#pragma once

#include <string>
#include <vector>

#include "sql/ast.h"

namespace lake::sql {

// The table names `statement` reads (in FROM clauses at any depth: joins, subqueries in FROM,
// in expressions and in WITH queries, the branches of UNION, INTERSECT and EXCEPT), each once, in
// order of first appearance. A name that refers to a WITH query in scope is not a stored table and
// is left out. Names are as parsed: whether a stored table answers to one is the catalog's
// business. Empty for SHOW/DESCRIBE.
std::vector<std::string> TablesRead(const Statement& statement);

}  // namespace lake::sql
