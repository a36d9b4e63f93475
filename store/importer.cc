#include "store/importer.h"

#include <optional>
#include <set>

#include "common/hash.h"
#include "store/catalog.h"
#include "store/chunk_codec.h"
#include "store/type_inference.h"

namespace lake::store {
namespace {

constexpr char kPendingPrefix[] = "pending/";

std::string PendingKey(const ChunkId& id) { return kPendingPrefix + id.ToHex(); }

struct EncodedChunk {
  Status status;
  ChunkRef ref;
  Bytes bytes;
};

// Pass 2 for one row group: re-reads its records, converts them to the final types, encodes.
EncodedChunk EncodeRowGroup(const ByteSource& source, const ImportPlan& plan,
                            const RowGroupPlan& group, const CsvOptions& csv) {
  EncodedChunk out;
  CsvReader reader(source, group.offset, group.line, csv);
  reader.set_expected_fields(plan.schema.size());
  RowGroup rows;
  rows.schema = plan.schema;
  for (const Column& column : plan.schema) {
    rows.columns.emplace_back(column.type);
    rows.columns.back().Reserve(group.rows);
  }
  std::vector<std::string_view> fields;
  for (uint64_t row = 0; row < group.rows; ++row) {
    Result<bool> got = reader.Next(&fields);
    bool parsed = got.ok() && *got;
    for (size_t c = 0; parsed && c < fields.size(); ++c) {
      parsed = AppendParsed(fields[c], plan.schema[c].type, &rows.columns[c]);
    }
    if (!parsed) {
      // Pass 1 accepted this text, so the file changed under us.
      out.status = Status::Corruption("the file changed while it was being imported (near line " +
                                      std::to_string(reader.record_line()) + ")");
      return out;
    }
  }
  out.bytes = EncodeChunk(rows);
  out.ref.id = ChunkIdOf(out.bytes);
  out.ref.rows = group.rows;
  out.ref.bytes = out.bytes.size();
  for (const Vector& column : rows.columns) out.ref.zones.push_back(ComputeZoneMap(column));
  return out;
}

// Deletes `candidates` that no stored manifest references, plus their journal records.
Status RemoveUnreferenced(ChunkStore& store, const std::vector<ChunkId>& candidates,
                          uint64_t* removed) {
  LAKE_ASSIGN_OR_RETURN(std::vector<Manifest> manifests, ListManifests(store));
  std::set<ChunkId> referenced;
  for (const Manifest& m : manifests) {
    for (const ChunkRef& ref : m.chunks) referenced.insert(ref.id);
  }
  StoreBatch batch;
  for (const ChunkId& id : candidates) {
    if (referenced.count(id) == 0) {
      batch.DeleteChunk(id);
      ++*removed;
    }
    batch.DeleteRecord(PendingKey(id));
  }
  if (batch.empty()) return Status::OK();
  return store.Write(batch, Durability::kSync);
}

// Writes the manifest, drops the journal and the chunks only the superseded version used.
Status Commit(ChunkStore& store, const Manifest& manifest, const Bytes& encoded,
              const std::optional<Manifest>& previous, const std::vector<ChunkId>& journalled) {
  StoreBatch batch;
  batch.PutRecord(DatasetRecordKey(manifest.name), encoded);
  for (const ChunkId& id : journalled) batch.DeleteRecord(PendingKey(id));
  if (previous) {
    std::set<ChunkId> still_used;
    for (const ChunkRef& ref : manifest.chunks) still_used.insert(ref.id);
    LAKE_ASSIGN_OR_RETURN(std::vector<Manifest> others, ListManifests(store));
    for (const Manifest& other : others) {
      if (other.name == manifest.name) continue;
      for (const ChunkRef& ref : other.chunks) still_used.insert(ref.id);
    }
    for (const ChunkRef& ref : previous->chunks) {
      if (still_used.insert(ref.id).second) batch.DeleteChunk(ref.id);
    }
  }
  return store.Write(batch, Durability::kSync);
}

}  // namespace

Result<ImportSummary> ImportCsv(ChunkStore& store, const ByteSource& source,
                                const ImportOptions& options, const ImportEnv& env,
                                CsvPosition* error_at) {
  LAKE_RETURN_IF_ERROR(ValidateDatasetName(options.name));
  LAKE_ASSIGN_OR_RETURN(ImportPlan plan, PlanImport(source, options, env.progress, error_at));
  LAKE_ASSIGN_OR_RETURN(std::optional<Manifest> previous, LoadManifest(store, options.name));

  ImportSummary summary;
  summary.source_bytes = source.size();
  Manifest& manifest = summary.manifest;
  manifest.name = options.name;
  manifest.version = previous ? previous->version + 1 : 1;
  manifest.schema = plan.schema;
  manifest.total_rows = plan.rows;
  manifest.created_at_us = ToMicros(env.clock->Now());
  manifest.uploader = env.uploader;

  // Encode a window of groups in parallel, then write them in order: memory stays bounded by
  // the window, and the manifest lists chunks in file order.
  std::vector<ChunkId> journalled;
  const size_t window = 2 * env.runner->parallelism();
  std::vector<EncodedChunk> slots(window);
  Status failure;
  for (size_t start = 0; start < plan.groups.size() && failure.ok(); start += window) {
    const size_t count = std::min(window, plan.groups.size() - start);
    env.runner->ParallelFor(count, [&](size_t i) {
      slots[i] = EncodeRowGroup(source, plan, plan.groups[start + i], options.csv);
    });
    for (size_t i = 0; i < count && failure.ok(); ++i) {
      EncodedChunk& chunk = slots[i];
      if (!chunk.status.ok()) {
        failure = chunk.status;
        break;
      }
      Result<bool> present = store.HasChunk(chunk.ref.id);
      if (!present.ok()) {
        failure = present.status();
        break;
      }
      if (!*present) {
        StoreBatch batch;
        batch.PutChunk(chunk.ref.id, std::move(chunk.bytes));
        batch.PutRecord(PendingKey(chunk.ref.id), Bytes(options.name.begin(), options.name.end()));
        failure = store.Write(batch, Durability::kBuffered);
        if (!failure.ok()) break;
        journalled.push_back(chunk.ref.id);
      }
      manifest.total_bytes += chunk.ref.bytes;
      manifest.chunks.push_back(std::move(chunk.ref));
      chunk = EncodedChunk();
    }
    if (env.progress) {
      env.progress(ImportProgress{ImportProgress::Phase::kEncoding, manifest.chunks.size(),
                                  plan.groups.size()});
    }
  }

  if (failure.ok()) {
    if (env.progress) {
      env.progress(ImportProgress{ImportProgress::Phase::kCommitting, 0, 1});
    }
    const Bytes encoded = EncodeManifest(manifest);
    summary.manifest_id = Blake2b256(encoded);
    failure = Commit(store, manifest, encoded, previous, journalled);
  }
  if (!failure.ok()) {
    uint64_t removed = 0;
    Status cleanup = RemoveUnreferenced(store, journalled, &removed);
    if (!cleanup.ok()) return failure.WithContext("import failed and cleanup failed too (" +
                                                  cleanup.ToString() + ")");
    return failure;
  }
  summary.new_chunks = journalled.size();
  return summary;
}

Result<uint64_t> RecoverInterruptedImports(ChunkStore& store) {
  LAKE_ASSIGN_OR_RETURN(auto pending, store.ScanRecords(kPendingPrefix));
  std::vector<ChunkId> candidates;
  for (const auto& [key, value] : pending) {
    auto id = Id::FromHex(std::string_view(key).substr(sizeof(kPendingPrefix) - 1));
    if (!id) return Status::Corruption("malformed import journal key " + key);
    candidates.push_back(*id);
  }
  uint64_t removed = 0;
  LAKE_RETURN_IF_ERROR(RemoveUnreferenced(store, candidates, &removed));
  return removed;
}

}  // namespace lake::store
