// The join binder: turns a FROM clause that joins tables (SelectStatement::from) into the plan
// sql/join_plan.h describes, and returns the scope the rest of the SELECT binds against.
// Inner joins, comma lists and WHERE form one group of relations and conditions: a condition on
// one table becomes that table's scan filter (pushdown, zone-map pruning); the largest relation
// (by the catalog's row counts) drives the pipeline, and the others join it greedily, smallest
// connected one first. Outer joins keep their sides (a LEFT or FULL join's right side is its
// build side, a RIGHT join is planned as a LEFT join with the sides swapped); a LEFT join's ON
// conditions on the build side alone filter the build side. Equalities between the two sides
// become hash keys; the rest of a condition is a residual over the pair. A subquery in FROM or
// a WITH query becomes a derived table (run once, read like a table; a WITH query named twice
// still runs once).
// Thread-safety: reentrant; the catalog must not change during a call.
#pragma once

#include "sql/ast.h"
#include "sql/binder.h"
#include "sql/bound.h"
#include "sql/scope.h"
#include "sql/type_coercion.h"

namespace lake::sql {

// The query a subquery expression is bound in, which a correlated subquery names columns of.
class EnclosingQuery {
 public:
  virtual ~EnclosingQuery() = default;
  // The columns the query's expressions may name.
  virtual const Scope& columns() const = 0;
  // Throws BindError if a subquery here may not name them (`reference` is its first that does).
  virtual void CheckCorrelation(const Expr& /*reference*/) const {}
  // A query giving the distinct tuples of values the columns `references` name take over the
  // query's input rows: those a correlated subquery runs for. Rows the query's WHERE drops may
  // be among them (a superset costs runs, never answers). Throws BindError.
  virtual BoundSelect OuterTuples(const std::vector<const Expr*>& references) = 0;
};

// How the join binder reaches the rest of the binder for WITH names and subqueries in FROM.
class SubqueryBinder {
 public:
  virtual ~SubqueryBinder() = default;
  // The WITH query `name` names where the FROM clause is, or null.
  virtual const CommonTable* FindCte(const std::string& name) const = 0;
  // Binds a WITH query in its own scope, or a subquery of the FROM clause. Throw BindError.
  virtual std::shared_ptr<const BoundSelect> BindCte(const CommonTable& table) const = 0;
  virtual std::shared_ptr<const BoundSelect> BindSubquery(const SelectStatement& query) const = 0;
  // `node` bound when it is a subquery of an expression (or x IN (SELECT ...)) of `enclosing`:
  // the subquery runs now and its answer becomes constants, or, when it names columns of
  // `enclosing`, once per tuple of their values (ScalarOp::kCorrelated). Null for any other
  // node. Throws BindError.
  virtual BoundExprPtr BindSubqueryExpr(const Expr& node, TypeCoercion* coercion,
                                        const TypeCoercion::LeafBinder& leaf,
                                        EnclosingQuery& enclosing) const = 0;
  // `ref`, a column no scope of this query has, bound as a column of an enclosing query (a
  // constant: the value the subquery is being run for), or null if none has it.
  virtual BoundExprPtr BindOuterColumn(const Expr& ref) const = 0;
  // Whether a subquery of `e` names a column of `columns` (is correlated with the query they
  // are the columns of). Binds without running anything. Throws BindError.
  virtual bool NamesColumnsOf(const Expr& e, const Scope& columns) const = 0;
  // When the statement started, for NOW() and its kin (none: they are an error).
  virtual std::optional<int64_t> statement_time() const = 0;
};

// Plans `from`, the FROM clause of `ast` (joins, subqueries, WITH names). Sets out->table (the
// driving table), out->table_schema (the relation's columns) and out->join, and returns the
// scope of those columns. The WHERE clause is planned into the join, but for its conjuncts that
// hold a correlated subquery: those go to `subquery_conditions`, for the caller to bind as a
// filter over the finished relation, which the subquery then runs for. Throws BindError.
Scope PlanFrom(const SelectStatement& ast, const TableRef& from, const Catalog& catalog,
               const SubqueryBinder& subqueries, BoundSelect* out,
               std::vector<const Expr*>* subquery_conditions);

}  // namespace lake::sql
