#include "sql/join_binder.h"

#include <algorithm>
#include <map>
#include <set>

#include "sql/coercion_helpers.h"
#include "sql/join_plan.h"
#include "sql/type_coercion.h"

namespace lake::sql {
namespace {

[[noreturn]] void Fail(const std::string& message, int location) {
  throw BindError{message, location};
}

// A table of the FROM clause. Its columns have global ids first_id + column.
struct Leaf {
  std::string table;
  std::string qualifier;  // alias, else the table's name
  Schema schema;
  uint64_t rows = 0;
  size_t first_id = 0;
  std::vector<bool> needed;  // read by the query (projection pushdown)
};

// One AND-ed term of a join condition or of WHERE, and the tables it reads.
struct Conjunct {
  const Expr* ast = nullptr;
  std::set<size_t> leaves;
  const char* clause = "WHERE";
  const Scope* scope = nullptr;  // the columns it may name
};

bool ContainsSubquery(const Expr& e) {
  if (e.kind == ExprKind::kSubquery) return true;
  for (const ExprPtr& child : e.children) {
    if (ContainsSubquery(*child)) return true;
  }
  return false;
}

// Where the ON conditions of a join are bound: a subquery there may not name their columns (the
// join is not planned yet, so there is no input to run it for), and says so.
class JoinConditionQuery final : public EnclosingQuery {
 public:
  explicit JoinConditionQuery(const Scope& columns) : columns_(columns) {}
  const Scope& columns() const override { return columns_; }
  void CheckCorrelation(const Expr& reference) const override {
    throw BindError{
        "a subquery in a JOIN condition cannot name the joined tables' columns "
        "(a correlated subquery is supported in WHERE, the select list, HAVING and "
        "ORDER BY)",
        reference.location};
  }
  BoundSelect OuterTuples(const std::vector<const Expr*>& references) override {
    CheckCorrelation(*references[0]);
    return {};
  }

 private:
  const Scope& columns_;
};

// A relation being planned: its columns' global ids in order, and an estimate of its rows.
struct Planned {
  std::unique_ptr<JoinRelation> relation;
  std::vector<size_t> layout;
  double rows = 0;
};

// What an inner group is made of: a table, or an outer join planned as a whole.
struct Unit {
  std::optional<size_t> leaf;
  const TableRef* outer = nullptr;
  std::set<size_t> leaves;
};

bool Subset(const std::set<size_t>& a, const std::set<size_t>& b) {
  return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

// Every column index of `e` below `width` (probe side) or not.
void Sides(const BoundExpr& e, size_t width, bool* probe, bool* build) {
  if (e.kind == BoundExpr::Kind::kColumn) (e.column < width ? *probe : *build) = true;
  for (const BoundExprPtr& child : e.children) Sides(*child, width, probe, build);
}

void Rebase(BoundExpr* e, size_t width) {
  if (e->kind == BoundExpr::Kind::kColumn) e->column -= width;
  for (BoundExprPtr& child : e->children) Rebase(child.get(), width);
}

class FromPlanner {
 public:
  FromPlanner(const SelectStatement& ast, const TableRef& from, const Catalog& catalog,
              const SubqueryBinder& subqueries)
      : ast_(ast),
        from_(from),
        catalog_(catalog),
        subqueries_(subqueries),
        coercion_(subqueries.statement_time()) {}

  Scope Plan(BoundSelect* out, std::vector<const Expr*>* subquery_conditions) {
    const Scope full = ScopeOf(from_);
    MarkNeeded();
    std::vector<Conjunct> where;
    if (ast_.where) {
      if (ContainsAggregate(*ast_.where)) {
        Fail("aggregate functions are not allowed in WHERE", ast_.where->location);
      }
      std::vector<Conjunct> all;
      AddConjuncts(*ast_.where, full, "WHERE", &all);
      for (Conjunct& c : all) {
        if (ContainsSubquery(*c.ast) && subqueries_.NamesColumnsOf(*c.ast, full)) {
          subquery_conditions->push_back(c.ast);
        } else {
          where.push_back(std::move(c));
        }
      }
    }
    Planned top = PlanTree(from_, std::move(where));
    top.relation->derived = std::move(derived_);
    Scope scope;
    for (const ScopeColumn& c : full) {
      const auto at = std::find(top.layout.begin(), top.layout.end(), c.column);
      if (at == top.layout.end()) continue;  // not read: the query names it nowhere
      ScopeColumn mapped = c;
      mapped.column = static_cast<size_t>(at - top.layout.begin());
      scope.push_back(std::move(mapped));
    }
    out->table = top.relation->scan.table;
    out->table_schema = top.relation->schema;
    out->join = std::move(top.relation);
    return scope;
  }

 private:
  // Names the first columns of a derived table `what` (a subquery's alias, a WITH query) after
  // `aliases`, as `AS t (a, b)` and `WITH t (a, b) AS` do; more names than columns is an error.
  void RenameColumns(const std::string& what, const std::vector<std::string>& aliases, int location,
                     Schema* schema) {
    if (aliases.size() > schema->size()) {
      Fail(what + " has " + std::to_string(schema->size()) + " columns available but " +
               std::to_string(aliases.size()) + " columns specified",
           location);
    }
    for (size_t c = 0; c < aliases.size(); ++c) (*schema)[c].name = aliases[c];
  }

  // The scope of `ref` (columns with global ids), registering its tables; a USING or NATURAL
  // join's merged columns come first, as in PostgreSQL.
  Scope ScopeOf(const TableRef& ref) {
    if (ref.kind != TableRef::Kind::kJoin) {
      Leaf leaf;
      std::optional<Schema> schema;
      if (ref.kind == TableRef::Kind::kSubquery) {
        schema = AddDerived(subqueries_.BindSubquery(*ref.subquery), &leaf.table);
        RenameColumns("table \"" + ref.alias + "\"", ref.column_aliases, ref.location, &*schema);
      } else if (const CommonTable* cte = subqueries_.FindCte(ref.table)) {
        // Every mention of a WITH query reads the one run of it.
        auto [it, added] = cte_tables_.try_emplace(cte, "");
        if (added) {
          Schema& columns = cte_schemas_[cte] = AddDerived(subqueries_.BindCte(*cte), &it->second);
          RenameColumns("WITH query \"" + cte->name + "\"", cte->column_aliases, cte->location,
                        &columns);
        }
        leaf.table = it->second;
        schema = cte_schemas_[cte];
      } else {
        schema = catalog_.FindTable(ref.table);
        if (!schema) Fail("table \"" + ref.table + "\" does not exist", ref.location);
        leaf.table = ref.table;
        leaf.rows = catalog_.TableRows(ref.table).value_or(0);
      }
      leaf.qualifier = ref.alias.empty() ? ref.table : ref.alias;
      for (const Leaf& other : leaves_) {
        if (SameIdentifier(other.qualifier, leaf.qualifier)) {
          Fail("table name \"" + leaf.qualifier + "\" specified more than once", ref.location);
        }
      }
      leaf.schema = *schema;
      leaf.first_id = next_id_;
      leaf.needed.assign(schema->size(), false);
      next_id_ += schema->size();
      Scope scope;
      for (size_t c = 0; c < schema->size(); ++c) {
        scope.push_back(
            ScopeColumn{leaf.qualifier, (*schema)[c].name, (*schema)[c].type, leaf.first_id + c});
      }
      leaf_of_ref_[&ref] = leaves_.size();
      leaves_.push_back(std::move(leaf));
      return scope;
    }
    Scope left = ScopeOf(*ref.left);
    Scope right = ScopeOf(*ref.right);
    std::vector<std::string> names = ref.using_columns;
    if (ref.natural) {
      for (const ScopeColumn& l : left) {
        if (!l.unqualified) continue;
        for (const ScopeColumn& r : right) {
          if (r.unqualified && SameIdentifier(l.name, r.name)) names.push_back(l.name);
        }
      }
    }
    if (!names.empty() && ref.join_type == JoinType::kFull) {
      Fail("FULL JOIN with USING or NATURAL is not supported", ref.location);
    }
    Scope merged;
    for (const std::string& name : names) {
      Expr probe(ExprKind::kColumn, ref.location);
      probe.name = name;
      ScopeColumn& l = left[ResolveColumn(left, probe, "the left side of the join")];
      ScopeColumn& r = right[ResolveColumn(right, probe, "the right side of the join")];
      // The condition l = r, its columns resolved already.
      auto eq = std::make_unique<Expr>(ExprKind::kBinary, ref.location);
      eq->name = "=";
      for (const ScopeColumn* side : {&l, &r}) {
        auto column = std::make_unique<Expr>(ExprKind::kColumn, ref.location);
        column->name = name;
        resolved_[column.get()] = side->column;
        eq->children.push_back(std::move(column));
      }
      using_conditions_[&ref].push_back(eq.get());
      synthetic_.push_back(std::move(eq));
      // One visible column: the side that is never NULL-padded.
      ScopeColumn visible = ref.join_type == JoinType::kRight ? r : l;
      visible.qualifier.clear();
      visible.star = visible.unqualified = true;
      merged.push_back(visible);
      l.star = l.unqualified = r.star = r.unqualified = false;
    }
    Scope scope = std::move(merged);
    scope.insert(scope.end(), left.begin(), left.end());
    scope.insert(scope.end(), right.begin(), right.end());
    scope_of_[&ref] = scope;
    return scope;
  }

  // Registers a subquery's result as a derived table; returns its columns and sets its name.
  Schema AddDerived(std::shared_ptr<const BoundSelect> query, std::string* name) {
    *name = "\x01subquery" + std::to_string(derived_.size());
    Schema schema;
    for (size_t c = 0; c < query->visible; ++c) {
      schema.push_back(Column{query->names[c], query->projections[c]->type});
    }
    derived_.push_back(DerivedTable{*name, std::move(query)});
    return schema;
  }

  size_t LeafOfId(size_t id) const {
    for (size_t i = 0; i < leaves_.size(); ++i) {
      if (id < leaves_[i].first_id + leaves_[i].schema.size()) return i;
    }
    return leaves_.size() - 1;
  }

  // Marks every column a reference anywhere in the statement may name: projection pushdown
  // decided before the select list binds (an unresolvable name fails there).
  void MarkNeededBy(const Expr& e) {
    // A correlated subquery may name a column nowhere else named: mark what it names (a name of
    // its own tables too, which costs a column read at worst).
    if (e.subquery) MarkNeededBy(*e.subquery);
    if (e.kind == ExprKind::kColumn || e.kind == ExprKind::kStar) {
      for (Leaf& leaf : leaves_) {
        if (!e.qualifier.empty() && !SameIdentifier(e.qualifier, leaf.qualifier)) continue;
        for (size_t c = 0; c < leaf.schema.size(); ++c) {
          if (e.kind == ExprKind::kStar || SameIdentifier(e.name, leaf.schema[c].name)) {
            leaf.needed[c] = true;
          }
        }
      }
    }
    for (const ExprPtr& child : e.children) MarkNeededBy(*child);
  }

  void MarkNeededBy(const SelectStatement& query) {
    if (query.set_operation) {
      MarkNeededBy(*query.set_operation->left);
      MarkNeededBy(*query.set_operation->right);
      return;
    }
    for (const SelectItem& item : query.items) {
      if (item.expr->kind != ExprKind::kStar) MarkNeededBy(*item.expr);
    }
    if (query.where) MarkNeededBy(*query.where);
    for (const ExprPtr& g : query.group_by) MarkNeededBy(*g);
    if (query.having) MarkNeededBy(*query.having);
    for (const OrderItem& o : query.order_by) MarkNeededBy(*o.expr);
    if (query.from) MarkNeededBy(*query.from);
    for (const CommonTable& with : query.with) MarkNeededBy(*with.query);
  }

  void MarkNeededBy(const TableRef& ref) {
    if (ref.kind != TableRef::Kind::kJoin) return;
    if (ref.on) MarkNeededBy(*ref.on);
    MarkNeededBy(*ref.left);
    MarkNeededBy(*ref.right);
  }

  void MarkNeeded() {
    for (const SelectItem& item : ast_.items) MarkNeededBy(*item.expr);
    if (ast_.where) MarkNeededBy(*ast_.where);
    for (const ExprPtr& g : ast_.group_by) MarkNeededBy(*g);
    if (ast_.having) MarkNeededBy(*ast_.having);
    for (const OrderItem& o : ast_.order_by) MarkNeededBy(*o.expr);
    MarkNeededBy(from_);
    for (const auto& [expr, id] : resolved_) {
      leaves_[LeafOfId(id)].needed[id - leaves_[LeafOfId(id)].first_id] = true;
    }
    for (Leaf& leaf : leaves_) {
      // A table whose values nobody reads still has rows: read its first column for them.
      if (std::find(leaf.needed.begin(), leaf.needed.end(), true) == leaf.needed.end()) {
        leaf.needed[0] = true;
      }
    }
  }

  // Resolves every column of `e` in `scope` and collects the tables it reads.
  void Resolve(const Expr& e, const Scope& scope, std::set<size_t>* leaves) {
    if (e.kind == ExprKind::kColumn && !NamesColumnOf(scope, e) &&
        subqueries_.BindOuterColumn(e) != nullptr) {
      return;  // an enclosing query's column: a constant here, of no table of the join
    }
    if (e.kind == ExprKind::kColumn) {
      auto it = resolved_.find(&e);
      if (it == resolved_.end()) {
        it = resolved_.emplace(&e, scope[ResolveColumn(scope, e, "")].column).first;
      }
      leaves->insert(LeafOfId(it->second));
      return;
    }
    for (const ExprPtr& child : e.children) Resolve(*child, scope, leaves);
  }

  void AddConjuncts(const Expr& e, const Scope& scope, const char* clause,
                    std::vector<Conjunct>* out) {
    if (e.kind == ExprKind::kBinary && e.name == "AND") {
      AddConjuncts(*e.children[0], scope, clause, out);
      AddConjuncts(*e.children[1], scope, clause, out);
      return;
    }
    Conjunct c;
    c.ast = &e;
    c.clause = clause;
    c.scope = &scope;
    Resolve(e, scope, &c.leaves);
    out->push_back(std::move(c));
  }

  // The ON / USING conditions of join `ref`.
  std::vector<Conjunct> ConditionsOf(const TableRef& ref) {
    std::vector<Conjunct> out;
    const Scope& scope = scope_of_.at(&ref);
    if (ref.on) {
      if (ContainsAggregate(*ref.on)) {
        Fail("aggregate functions are not allowed in JOIN conditions", ref.on->location);
      }
      AddConjuncts(*ref.on, scope, "JOIN/ON", &out);
    }
    for (const Expr* eq : using_conditions_[&ref]) AddConjuncts(*eq, scope, "JOIN/USING", &out);
    return out;
  }

  void Flatten(const TableRef& ref, std::vector<Unit>* units, std::vector<Conjunct>* conjuncts) {
    if (ref.kind != TableRef::Kind::kJoin) {
      Unit unit;
      unit.leaf = leaf_of_ref_.at(&ref);
      unit.leaves = {*unit.leaf};
      units->push_back(std::move(unit));
      return;
    }
    if (ref.join_type == JoinType::kInner || ref.join_type == JoinType::kCross) {
      Flatten(*ref.left, units, conjuncts);
      Flatten(*ref.right, units, conjuncts);
      for (Conjunct& c : ConditionsOf(ref)) conjuncts->push_back(std::move(c));
      return;
    }
    Unit unit;
    unit.outer = &ref;
    CollectLeaves(ref, &unit.leaves);
    units->push_back(std::move(unit));
  }

  void CollectLeaves(const TableRef& ref, std::set<size_t>* leaves) const {
    if (ref.kind != TableRef::Kind::kJoin) {
      leaves->insert(leaf_of_ref_.at(&ref));
      return;
    }
    CollectLeaves(*ref.left, leaves);
    CollectLeaves(*ref.right, leaves);
  }

  Planned PlanTree(const TableRef& ref, std::vector<Conjunct> extra) {
    std::vector<Unit> units;
    std::vector<Conjunct> conjuncts;
    Flatten(ref, &units, &conjuncts);
    for (Conjunct& c : extra) conjuncts.push_back(std::move(c));
    return PlanGroup(units, std::move(conjuncts));
  }

  Planned PlanGroup(const std::vector<Unit>& units, std::vector<Conjunct> conjuncts) {
    // Conditions on one table alone filter its scan.
    std::vector<std::vector<Conjunct>> pushed(units.size());
    std::vector<Conjunct> rest;
    for (Conjunct& c : conjuncts) {
      std::optional<size_t> only;
      for (size_t u = 0; u < units.size(); ++u) {
        if (units[u].leaf && !c.leaves.empty() && c.leaves == units[u].leaves) only = u;
      }
      if (only) {
        pushed[*only].push_back(std::move(c));
      } else {
        rest.push_back(std::move(c));
      }
    }
    std::vector<Planned> plans;
    for (size_t u = 0; u < units.size(); ++u) {
      plans.push_back(units[u].leaf ? PlanScan(*units[u].leaf, pushed[u])
                                    : PlanOuter(*units[u].outer));
    }
    // The largest relation drives; then the smallest one an equality connects, else the smallest.
    size_t driving = 0;
    for (size_t u = 1; u < units.size(); ++u) {
      if (plans[u].rows > plans[driving].rows) driving = u;
    }
    Planned current = std::move(plans[driving]);
    std::set<size_t> joined = units[driving].leaves;
    std::vector<bool> done(units.size(), false);
    done[driving] = true;
    std::vector<bool> used(rest.size(), false);
    for (size_t step = 1; step < units.size(); ++step) {
      std::optional<size_t> next;
      bool next_connected = false;
      for (size_t u = 0; u < units.size(); ++u) {
        if (done[u]) continue;
        bool connected = false;
        for (size_t i = 0; i < rest.size(); ++i) {
          if (!used[i] && IsEquiJoin(*rest[i].ast, joined, units[u].leaves)) connected = true;
        }
        if (!next || (connected && !next_connected) ||
            (connected == next_connected && plans[u].rows < plans[*next].rows)) {
          next = u;
          next_connected = connected;
        }
      }
      std::set<size_t> after = joined;
      after.insert(units[*next].leaves.begin(), units[*next].leaves.end());
      std::vector<const Conjunct*> now;
      for (size_t i = 0; i < rest.size(); ++i) {
        if (!used[i] && Subset(rest[i].leaves, after) && !Subset(rest[i].leaves, joined)) {
          now.push_back(&rest[i]);
          used[i] = true;
        }
      }
      AddStep(&current, std::move(plans[*next]), JoinKind::kInner, joined, units[*next].leaves,
              now);
      joined = std::move(after);
      done[*next] = true;
    }
    // What is left reads the driving relation alone, or nothing: a filter over the result.
    for (size_t i = 0; i < rest.size(); ++i) {
      if (used[i]) continue;
      current.relation->filter = coercion::AndOf(std::move(current.relation->filter),
                                                 BindCondition(rest[i], current.layout));
    }
    return current;
  }

  Planned PlanOuter(const TableRef& ref) {
    const bool full = ref.join_type == JoinType::kFull;
    const bool right = ref.join_type == JoinType::kRight;
    const TableRef& probe_ref = right ? *ref.right : *ref.left;
    const TableRef& build_ref = right ? *ref.left : *ref.right;
    std::set<size_t> probe_leaves, build_leaves;
    CollectLeaves(probe_ref, &probe_leaves);
    CollectLeaves(build_ref, &build_leaves);
    // Conditions on the build side alone filter it before the join (unless its unmatched rows are
    // kept too); the others decide matches.
    std::vector<Conjunct> on_build, on_pair;
    for (Conjunct& c : ConditionsOf(ref)) {
      if (!full && !c.leaves.empty() && Subset(c.leaves, build_leaves)) {
        on_build.push_back(std::move(c));
      } else {
        on_pair.push_back(std::move(c));
      }
    }
    Planned probe = PlanTree(probe_ref, {});
    Planned build = PlanTree(build_ref, std::move(on_build));
    std::vector<const Conjunct*> conditions;
    for (const Conjunct& c : on_pair) conditions.push_back(&c);
    AddStep(&probe, std::move(build), full ? JoinKind::kFull : JoinKind::kLeft, probe_leaves,
            build_leaves, conditions);
    return probe;
  }

  Planned PlanScan(size_t leaf_index, const std::vector<Conjunct>& filters) {
    const Leaf& leaf = leaves_[leaf_index];
    Planned planned;
    planned.relation = std::make_unique<JoinRelation>();
    BoundSelect& scan = planned.relation->scan;
    scan.table = leaf.table;
    scan.table_schema = leaf.schema;
    for (size_t c = 0; c < leaf.schema.size(); ++c) {
      if (!leaf.needed[c]) continue;
      scan.projections.push_back(ColumnReference(scan.scan_columns.size(), leaf.schema[c].type));
      scan.scan_columns.push_back(c);
      scan.names.push_back(leaf.schema[c].name);
      planned.relation->schema.push_back(leaf.schema[c]);
      planned.layout.push_back(leaf.first_id + c);
    }
    scan.visible = scan.projections.size();
    for (const Conjunct& c : filters) {
      scan.filter = coercion::AndOf(std::move(scan.filter), BindCondition(c, planned.layout));
    }
    // A filtered table is guessed to keep a quarter of its rows.
    planned.rows = static_cast<double>(leaf.rows) / (filters.empty() ? 1 : 4);
    return planned;
  }

  // Whether `e` is `a = b` with a reading only tables of `probe` and b only of `build` (or the
  // other way round).
  bool IsEquiJoin(const Expr& e, const std::set<size_t>& probe,
                  const std::set<size_t>& build) const {
    if (e.kind != ExprKind::kBinary || e.name != "=") return false;
    std::set<size_t> a, b;
    LeavesOf(*e.children[0], &a);
    LeavesOf(*e.children[1], &b);
    if (a.empty() || b.empty()) return false;
    return (Subset(a, probe) && Subset(b, build)) || (Subset(a, build) && Subset(b, probe));
  }

  void LeavesOf(const Expr& e, std::set<size_t>* leaves) const {
    if (e.kind == ExprKind::kColumn) leaves->insert(LeafOfId(resolved_.at(&e)));
    for (const ExprPtr& child : e.children) LeavesOf(*child, leaves);
  }

  // Joins `build` onto `current`: equalities between the sides become hash keys, the rest of
  // `conditions` the residual.
  void AddStep(Planned* current, Planned build, JoinKind kind, const std::set<size_t>& probe_leaves,
               const std::set<size_t>& build_leaves,
               const std::vector<const Conjunct*>& conditions) {
    const size_t width = current->layout.size();
    std::vector<size_t> layout = current->layout;
    layout.insert(layout.end(), build.layout.begin(), build.layout.end());
    JoinStep step;
    step.kind = kind;
    for (const Conjunct* c : conditions) {
      BoundExprPtr bound = BindCondition(*c, layout);
      if (IsEquiJoin(*c->ast, probe_leaves, build_leaves) &&
          bound->kind == BoundExpr::Kind::kCall && bound->op == ScalarOp::kEqual) {
        bool probe_side = false, build_side = false;
        Sides(*bound->children[0], width, &probe_side, &build_side);
        const size_t p = probe_side ? 0 : 1;  // the child over the probe side's columns
        BoundExprPtr build_key = std::move(bound->children[1 - p]);
        Rebase(build_key.get(), width);
        step.probe_keys.push_back(std::move(bound->children[p]));
        step.build_keys.push_back(std::move(build_key));
        continue;
      }
      step.residual = coercion::AndOf(std::move(step.residual), std::move(bound));
    }
    Schema& schema = current->relation->schema;
    schema.insert(schema.end(), build.relation->schema.begin(), build.relation->schema.end());
    step.build = std::move(build.relation);
    current->relation->steps.push_back(std::move(step));
    current->layout = std::move(layout);
    if (kind == JoinKind::kInner) current->rows = std::max(current->rows, build.rows);
  }

  // A condition over the columns `layout` lists (global ids).
  BoundExprPtr BindCondition(const Conjunct& c, const std::vector<size_t>& layout) {
    JoinConditionQuery enclosing(*c.scope);
    TypeCoercion::LeafBinder bind_leaf = [&](const Expr& leaf) -> BoundExprPtr {
      if (BoundExprPtr sub = subqueries_.BindSubqueryExpr(leaf, &coercion_, bind_leaf, enclosing))
        return sub;
      if (leaf.kind != ExprKind::kColumn) return nullptr;
      const auto found = resolved_.find(&leaf);
      if (found == resolved_.end()) {  // Resolve let it through as an enclosing query's column
        if (BoundExprPtr outer = subqueries_.BindOuterColumn(leaf)) return outer;
        Fail("internal: join column not resolved", leaf.location);
      }
      const size_t id = found->second;
      const auto at = std::find(layout.begin(), layout.end(), id);
      if (at == layout.end()) Fail("internal: join column not planned", leaf.location);
      const Leaf& owner = leaves_[LeafOfId(id)];
      return ColumnReference(static_cast<size_t>(at - layout.begin()),
                             owner.schema[id - owner.first_id].type, leaf.location);
    };
    BoundExprPtr bound = coercion_.BindTree(*c.ast, bind_leaf);
    return coercion_.RequireBoolean(std::move(bound), c.clause);
  }

  const SelectStatement& ast_;
  const TableRef& from_;
  const Catalog& catalog_;
  const SubqueryBinder& subqueries_;
  TypeCoercion coercion_;
  std::vector<DerivedTable> derived_;
  std::map<const CommonTable*, std::string> cte_tables_;
  std::map<const CommonTable*, Schema> cte_schemas_;
  std::vector<Leaf> leaves_;
  size_t next_id_ = 0;
  std::map<const TableRef*, size_t> leaf_of_ref_;
  std::map<const TableRef*, Scope> scope_of_;
  std::map<const TableRef*, std::vector<const Expr*>> using_conditions_;
  std::vector<ExprPtr> synthetic_;          // the USING equalities
  std::map<const Expr*, size_t> resolved_;  // column reference -> global column id
};

}  // namespace

Scope PlanFrom(const SelectStatement& ast, const TableRef& from, const Catalog& catalog,
               const SubqueryBinder& subqueries, BoundSelect* out,
               std::vector<const Expr*>* subquery_conditions) {
  return FromPlanner(ast, from, catalog, subqueries).Plan(out, subquery_conditions);
}

}  // namespace lake::sql
