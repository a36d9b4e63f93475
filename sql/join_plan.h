// The physical plan of a FROM clause that joins tables: a left-deep pipeline driven by one
// table's chunks. Each chunk of the driving table is scanned (by the leaf fragment machinery,
// with the filters that apply to that table alone) and then, step by step, joined with the
// whole of another relation (the build side, itself such a pipeline, materialised once and
// hashed on its keys). Right joins are planned as left joins with the sides swapped.
// Made by the join binder (sql/join_binder.h), run by sql/joined_table.h.
// Thread-safety: immutable once built; shared by the bound query and every fragment.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sql/bound.h"

namespace lake::sql {

enum class JoinKind {
  kInner,  // matching pairs
  kLeft,   // matching pairs, and probe rows without one padded with NULLs
  // kLeft, and build rows no probe row matches padded with NULLs. Those are known only once
  // every probe row has been seen: preparing the join runs the probe side whole once to find
  // them, and the driving table's chunk 0 yields them.
  kFull,
};

struct JoinStep {
  JoinKind kind = JoinKind::kInner;
  std::shared_ptr<const JoinRelation> build;
  // Equality keys, pairwise of one type: probe_keys over the relation's columns so far,
  // build_keys over the build side's columns. None: every pair is a candidate (nested loop).
  std::vector<BoundExprPtr> probe_keys;
  std::vector<BoundExprPtr> build_keys;
  // The rest of the join condition, over the columns so far followed by the build side's; null
  // if none. A pair matches when the keys are equal (never for NULL keys) and this is TRUE.
  BoundExprPtr residual;
};

// A subquery of the FROM clause (or a WITH query), run once before the join and read as a
// table of one chunk named `name` (a name no real table has).
struct DerivedTable {
  std::string name;
  std::shared_ptr<const BoundSelect> query;
};

struct JoinRelation {
  // The subqueries the plan's scans read (set on the top relation only).
  std::vector<DerivedTable> derived;
  // The driving table's scan: its projections are the relation's first columns.
  BoundSelect scan;
  std::vector<JoinStep> steps;
  // Conditions applied to the finished rows; null if none.
  BoundExprPtr filter;
  // Every column: the scan's projections, then each step's build columns in turn.
  Schema schema;
};

}  // namespace lake::sql
