// TablesRead: the stored tables a statement reads, found in its syntax tree before binding. A
// node that answers a query reading several tables (a join, a subquery, a WITH query) uses it to
// learn which datasets it must gather before the embedded engine runs the statement.
// Thread-safety: pure.
#pragma once

#include <optional>
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

// The stored tables a plain join reads, one per reference in its FROM clause (a self-join names
// its table twice); nullopt unless `statement` is one SELECT whose FROM clause joins stored
// tables and which reads nothing else: no subquery, WITH query or set operation. Only such a
// statement can run as a broadcast join, each holder reading its chunks of one table with the
// others whole: a subquery would be answered while binding, over whole tables, on every holder.
std::optional<std::vector<std::string>> JoinedTables(const Statement& statement);

}  // namespace lake::sql
