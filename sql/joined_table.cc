#include "sql/joined_table.h"

#include <strings.h>

#include <algorithm>
#include <mutex>

#include "common/batch.h"
#include "sql/expression_executor.h"
#include "sql/leaf_fragment.h"
#include "sql/query_runner.h"

namespace lake::sql {
namespace {

// Appends rows `selection[0..count)` of `from` to `to`, filling its last piece up to
// kVectorSize rows before starting another (every piece but the last is full, as scans expect).
void AppendToPieces(ColumnPieces* to, const Vector& from, const uint32_t* selection,
                    size_t count) {
  while (count > 0) {
    if (to->empty() || to->back().size() == kVectorSize) to->emplace_back(from.type());
    Vector& last = to->back();
    const size_t take = std::min(count, kVectorSize - last.size());
    last.AppendSelected(from, selection, take);
    selection += take;
    count -= take;
  }
}

Status CancelledStatus() { return Status::Timeout("query cancelled"); }

}  // namespace

Result<std::unique_ptr<JoinedTable>> JoinedTable::Prepare(
    std::shared_ptr<const JoinRelation> relation, const TableProvider& tables, TaskRunner* runner,
    const std::atomic<bool>* cancel) {
  std::unique_ptr<JoinedTable> joined(new JoinedTable(std::move(relation), tables, cancel));
  const std::vector<DerivedTable>& derived = joined->relation_->derived;
  if (!derived.empty()) {
    // Each subquery runs once, whole, before anything reads it.
    joined->overlay_ = std::make_unique<OverlayTables>(tables);
    for (const DerivedTable& d : derived) {
      LAKE_ASSIGN_OR_RETURN(std::vector<Vector> columns,
                            RunQueryColumns(*d.query, tables, runner, cancel));
      Schema schema;
      for (size_t c = 0; c < d.query->visible; ++c) {
        schema.push_back(Column{d.query->names[c], d.query->projections[c]->type});
      }
      joined->overlay_->Add(d.name, std::move(schema), columns);
    }
    joined->tables_ = joined->overlay_.get();
  }
  LAKE_RETURN_IF_ERROR(joined->PrepareSteps(*joined->relation_, runner));
  return joined;
}

std::optional<Schema> JoinedTable::FindTable(const std::string& name) const {
  if (strcasecmp(name.c_str(), relation_->scan.table.c_str()) != 0) return std::nullopt;
  return relation_->schema;
}

std::vector<TableInfo> JoinedTable::ListTables() const {
  return {TableInfo{relation_->scan.table, relation_->schema, 0, ChunksOf(relation_->scan.table)}};
}

size_t JoinedTable::ChunksOf(const std::string& table) const {
  for (const TableInfo& t : tables_->ListTables()) {
    if (strcasecmp(t.name.c_str(), table.c_str()) == 0) return t.chunks;
  }
  return 0;
}

Result<std::vector<ColumnRef>> JoinedTable::ReadChunk(const std::string& /*table*/, size_t chunk,
                                                      const std::vector<size_t>& columns) const {
  LAKE_ASSIGN_OR_RETURN(std::vector<ColumnPieces> pieces,
                        Produce(*relation_, chunk, relation_->steps.size()));
  // Each column moves into its reference; only a column asked for twice is copied.
  std::vector<ColumnRef> out(columns.size());
  for (size_t i = columns.size(); i-- > 0;) {
    const size_t c = columns[i];
    const bool again = std::find(columns.begin(), columns.begin() + static_cast<long>(i), c) !=
                       columns.begin() + static_cast<long>(i);
    out[i] = std::make_shared<const ColumnPieces>(again ? pieces[c] : std::move(pieces[c]));
  }
  return out;
}

Status JoinedTable::PrepareSteps(const JoinRelation& r, TaskRunner* runner) {
  for (size_t s = 0; s < r.steps.size(); ++s) {
    const JoinStep& step = r.steps[s];
    LAKE_RETURN_IF_ERROR(PrepareSteps(*step.build, runner));
    LAKE_ASSIGN_OR_RETURN(std::vector<Vector> columns,
                          Materialize(*step.build, step.build->steps.size(), runner));
    const size_t rows = columns.empty() ? 0 : columns[0].size();
    // The build keys as whole columns: a column reference is the column itself; anything else
    // is evaluated a vector at a time.
    std::vector<Vector> keys;
    Batch slice(step.build->schema);
    for (const BoundExprPtr& key : step.build_keys) {
      if (key->kind == BoundExpr::Kind::kColumn) {
        keys.push_back(columns[key->column]);
        continue;
      }
      Vector whole(key->type), part(key->type);
      for (size_t first = 0; first < rows; first += kVectorSize) {
        slice.CopyFrom(columns, first, std::min(kVectorSize, rows - first));
        LAKE_RETURN_IF_ERROR(Evaluate(*key, slice, &part));
        whole.AppendRange(part, 0, part.size());
      }
      keys.push_back(std::move(whole));
    }
    Build build;
    build.table = std::make_unique<HashJoinTable>(keys, rows);
    for (Vector& column : columns) column.AppendNull();
    build.columns = std::move(columns);
    Build& built = builds_[&step] = std::move(build);
    if (step.kind != JoinKind::kFull) continue;
    // Which build rows the whole probe side matches: it runs here once, up to this step.
    LAKE_ASSIGN_OR_RETURN(std::vector<Vector> probe, Materialize(r, s, runner));
    Schema probe_schema(r.schema.begin(), r.schema.begin() + static_cast<long>(probe.size()));
    Schema out_schema = probe_schema;
    out_schema.insert(out_schema.end(), step.build->schema.begin(), step.build->schema.end());
    std::vector<ColumnPieces> pieces;
    for (const Vector& column : probe) pieces.push_back(CutIntoPieces(column, false));
    std::vector<uint8_t> matched(rows, 0);
    LAKE_RETURN_IF_ERROR(ApplyStep(step, probe_schema, pieces, out_schema, &matched).status());
    for (size_t row = 0; row < rows; ++row) {
      if (!matched[row]) built.unmatched.push_back(static_cast<uint32_t>(row));
    }
  }
  return Status::OK();
}

Result<std::vector<Vector>> JoinedTable::Materialize(const JoinRelation& r, size_t steps,
                                                     TaskRunner* runner) const {
  const size_t chunks = ChunksOf(r.scan.table);
  std::vector<std::vector<ColumnPieces>> parts(chunks);
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status failure;
  const size_t workers = std::max<size_t>(1, std::min(runner->parallelism(), chunks));
  runner->ParallelFor(workers, [&](size_t) {
    for (size_t i = next++; i < chunks; i = next++) {
      Result<std::vector<ColumnPieces>> produced = Produce(r, i, steps);
      if (!produced.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (failure.ok()) failure = produced.status();
        return;
      }
      parts[i] = std::move(produced).value();
    }
  });
  LAKE_RETURN_IF_ERROR(failure);
  std::vector<Vector> whole;
  size_t width = r.scan.projections.size();
  for (size_t s = 0; s < steps; ++s) width += r.steps[s].build->schema.size();
  for (size_t c = 0; c < width; ++c) whole.emplace_back(r.schema[c].type);
  for (const std::vector<ColumnPieces>& part : parts) {
    for (size_t c = 0; c < part.size(); ++c) {
      for (const Vector& piece : part[c]) whole[c].AppendRange(piece, 0, piece.size());
    }
  }
  return whole;
}

Result<std::vector<ColumnPieces>> JoinedTable::Produce(const JoinRelation& r, size_t chunk,
                                                       size_t steps) const {
  if (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed)) return CancelledStatus();
  // The driving table's chunk through the ordinary leaf fragment (filter pushdown, zone maps),
  // inline: this already runs on one of the query's workers.
  InlineTaskRunner inline_runner;
  LAKE_ASSIGN_OR_RETURN(PartialResult scanned,
                        RunLeafFragment(r.scan, *tables_, &inline_runner, {chunk}, cancel_));
  std::vector<ColumnPieces> pieces;
  for (const Vector& column : scanned.rows) pieces.push_back(CutIntoPieces(column, false));
  Schema schema(r.schema.begin(), r.schema.begin() + static_cast<long>(pieces.size()));
  for (size_t s = 0; s < steps; ++s) {
    const JoinStep& step = r.steps[s];
    Schema out_schema = schema;
    out_schema.insert(out_schema.end(), step.build->schema.begin(), step.build->schema.end());
    LAKE_ASSIGN_OR_RETURN(std::vector<ColumnPieces> joined,
                          ApplyStep(step, schema, pieces, out_schema, nullptr));
    if (step.kind == JoinKind::kFull && chunk == 0) {
      AppendUnmatchedBuildRows(builds_.at(&step), schema, &joined);
    }
    pieces = std::move(joined);
    schema = std::move(out_schema);
  }
  if (!r.filter || steps < r.steps.size()) return pieces;
  std::vector<ColumnPieces> kept(pieces.size());
  Batch batch(schema);
  std::vector<uint32_t> selection;
  const size_t count = pieces.empty() ? 0 : pieces[0].size();
  for (size_t p = 0; p < count; ++p) {
    std::vector<const Vector*> columns;
    for (const ColumnPieces& column : pieces) columns.push_back(&column[p]);
    batch.Borrow(columns);
    LAKE_ASSIGN_OR_RETURN(size_t passed, Select(*r.filter, batch, &selection));
    for (size_t c = 0; c < pieces.size(); ++c) {
      AppendToPieces(&kept[c], pieces[c][p], selection.data(), passed);
    }
  }
  return kept;
}

Result<std::vector<ColumnPieces>> JoinedTable::ApplyStep(const JoinStep& step,
                                                         const Schema& in_schema,
                                                         const std::vector<ColumnPieces>& in,
                                                         const Schema& out_schema,
                                                         std::vector<uint8_t>* matched_build) const {
  const Build& build = builds_.at(&step);
  const size_t width = in_schema.size();
  const uint32_t null_row = static_cast<uint32_t>(build.table->rows());
  std::vector<ColumnPieces> out(out_schema.size());
  Batch batch(in_schema);
  Batch pairs(out_schema);
  std::vector<Vector> evaluated;  // computed probe keys
  for (const BoundExprPtr& key : step.probe_keys) evaluated.emplace_back(key->type);
  std::vector<SelectedVector> keys(step.probe_keys.size());
  HashJoinTable::Scratch scratch;
  std::vector<uint32_t> probe_rows, build_rows, selection;
  std::vector<uint8_t> matched;
  const size_t count = in.empty() ? 0 : in[0].size();
  for (size_t p = 0; p < count; ++p) {
    if (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed)) return CancelledStatus();
    std::vector<const Vector*> columns;
    for (const ColumnPieces& column : in) columns.push_back(&column[p]);
    batch.Borrow(columns);
    const size_t rows = batch.rows();
    for (size_t k = 0; k < keys.size(); ++k) {
      const BoundExpr& key = *step.probe_keys[k];
      if (key.kind == BoundExpr::Kind::kColumn) {
        keys[k] = SelectedVector{columns[key.column], nullptr};
        continue;
      }
      LAKE_RETURN_IF_ERROR(Evaluate(key, batch, &evaluated[k]));
      keys[k] = SelectedVector{&evaluated[k], nullptr};
    }
    probe_rows.clear();
    build_rows.clear();
    build.table->Probe(keys, rows, &scratch, &probe_rows, &build_rows);
    matched.assign(rows, 0);
    if (matched_build != nullptr && !step.residual) {
      for (uint32_t b : build_rows) (*matched_build)[b] = 1;
      continue;
    }
    // The pairs a vector at a time: copied out only when a residual must look at them.
    const auto emit = [&](const uint32_t* probe_sel, const uint32_t* build_sel, size_t n) {
      if (matched_build != nullptr) return;
      for (size_t c = 0; c < width; ++c) AppendToPieces(&out[c], *columns[c], probe_sel, n);
      for (size_t c = 0; c < build.columns.size(); ++c) {
        AppendToPieces(&out[width + c], build.columns[c], build_sel, n);
      }
    };
    for (size_t first = 0; first < probe_rows.size(); first += kVectorSize) {
      const size_t n = std::min(kVectorSize, probe_rows.size() - first);
      const uint32_t* probe_sel = probe_rows.data() + first;
      const uint32_t* build_sel = build_rows.data() + first;
      if (!step.residual) {
        emit(probe_sel, build_sel, n);
        for (size_t i = 0; i < n; ++i) matched[probe_sel[i]] = 1;
        continue;
      }
      pairs.Clear();
      for (size_t c = 0; c < width; ++c) pairs.column(c).AppendSelected(*columns[c], probe_sel, n);
      for (size_t c = 0; c < build.columns.size(); ++c) {
        pairs.column(width + c).AppendSelected(build.columns[c], build_sel, n);
      }
      LAKE_ASSIGN_OR_RETURN(size_t passed, Select(*step.residual, pairs, &selection));
      for (size_t c = 0; c < out.size() && matched_build == nullptr; ++c) {
        AppendToPieces(&out[c], pairs.column(c), selection.data(), passed);
      }
      for (size_t i = 0; i < passed; ++i) matched[probe_sel[selection[i]]] = 1;
      if (matched_build != nullptr) {
        for (size_t i = 0; i < passed; ++i) (*matched_build)[build_sel[selection[i]]] = 1;
      }
    }
    if (step.kind != JoinKind::kInner) {
      // Probe rows without a match, each with the build side's NULL row.
      probe_rows.clear();
      for (size_t i = 0; i < rows; ++i) {
        if (!matched[i]) probe_rows.push_back(static_cast<uint32_t>(i));
      }
      build_rows.assign(probe_rows.size(), null_row);
      emit(probe_rows.data(), build_rows.data(), probe_rows.size());
    }
  }
  return out;
}

void JoinedTable::AppendUnmatchedBuildRows(const Build& build, const Schema& in_schema,
                                           std::vector<ColumnPieces>* out) const {
  const std::vector<uint32_t>& rows = build.unmatched;
  // Every probe column reads row 0 of a one-NULL vector.
  const std::vector<uint32_t> zeros(rows.size(), 0);
  for (size_t c = 0; c < in_schema.size(); ++c) {
    Vector null(in_schema[c].type);
    null.AppendNull();
    AppendToPieces(&(*out)[c], null, zeros.data(), zeros.size());
  }
  for (size_t c = 0; c < build.columns.size(); ++c) {
    AppendToPieces(&(*out)[in_schema.size() + c], build.columns[c], rows.data(), rows.size());
  }
}

}  // namespace lake::sql
