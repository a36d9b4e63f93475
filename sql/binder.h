// The binder: AST (ast.h) + catalog -> BoundStatement (bound.h). It resolves table and column
// names, types every expression with PostgreSQL's rules (integer vs float arithmetic; a string
// literal compared with a DATE, TIMESTAMP or number is cast to that type; NULL adapts to its
// context), pulls aggregates out of the select list, HAVING and ORDER BY, checks that every
// other column of an aggregated query is grouped, and records which table columns the scan must
// read (projection pushdown). Errors are InvalidArgument statuses ending "(at position P)",
// P 1-based, which Status::position() returns.
// Thread-safety: Bind is reentrant; the catalog must not change during a call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/logical_type.h"
#include "common/result.h"
#include "common/vector.h"
#include "sql/ast.h"
#include "sql/bound.h"

namespace lake::sql {

// What tables exist and their schemas. Table names are compared case-insensitively.
class Catalog {
 public:
  virtual ~Catalog() = default;
  virtual std::optional<Schema> FindTable(const std::string& name) const = 0;
  // The table's row count if known: what the join planner orders joins by.
  virtual std::optional<uint64_t> TableRows(const std::string& /*name*/) const {
    return std::nullopt;
  }
};

// Whether `e` calls an aggregate function anywhere.
bool ContainsAggregate(const Expr& e);

// Runs a subquery of an expression while binding: an uncorrelated scalar subquery, EXISTS or
// IN (SELECT ...) runs once and its answer becomes constants of the plan.
class SubqueryRunner {
 public:
  virtual ~SubqueryRunner() = default;
  // q's answer: its visible columns.
  virtual Result<std::vector<Vector>> Run(const BoundSelect& q) const = 0;
};

// `subqueries` null: a subquery in an expression is an error. `statement_time`: when the
// statement started (microseconds since the epoch, UTC), the value of NOW(), CURRENT_TIMESTAMP
// and CURRENT_DATE; without it they are an error. It comes from the caller because sql/ reads no
// clock, and a distributed statement's fragments carry the root's.
Result<BoundStatement> Bind(const Statement& statement, const Catalog& catalog,
                            const SubqueryRunner* subqueries = nullptr,
                            std::optional<int64_t> statement_time = std::nullopt);
// Bind's work for one SELECT: a statement's, or a set operation of them (which Bind refuses:
// fragments are single SELECTs; a set operation runs whole, sql/query_runner.h).
Result<BoundSelect> BindSelect(const SelectStatement& select, const Catalog& catalog,
                               const SubqueryRunner* subqueries = nullptr,
                               std::optional<int64_t> statement_time = std::nullopt);

}  // namespace lake::sql
