#include "store/importer.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>

#include "common/hash.h"
#include "store/catalog.h"
#include "store/chunk_codec.h"
#include "store/csv_scanner.h"
#include "store/type_inference.h"

namespace lake::store {
namespace {

constexpr char kPendingPrefix[] = "pending/";

std::string PendingKey(const ChunkId& id) { return kPendingPrefix + id.ToHex(); }

struct EncodedChunk {
  ChunkRef ref;
  Bytes bytes;
};

// Re-reads one row group's records and encodes them with the group's column types.
Result<EncodedChunk> EncodeRowGroup(const ByteSource& source, const std::vector<std::string>& names,
                                    const RowGroupPlan& group, const CsvOptions& csv) {
  CsvReader reader(source, group.offset, group.line, csv);
  reader.set_expected_fields(names.size());
  RowGroup rows;
  for (size_t c = 0; c < names.size(); ++c) {
    rows.schema.push_back(Column{names[c], group.types[c]});
    rows.columns.emplace_back(group.types[c]);
    rows.columns.back().Reserve(group.rows);
  }
  std::vector<std::string_view> fields;
  for (uint64_t row = 0; row < group.rows; ++row) {
    Result<bool> got = reader.Next(&fields);
    bool parsed = got.ok() && *got;
    for (size_t c = 0; parsed && c < fields.size(); ++c) {
      parsed = AppendParsed(fields[c], group.types[c], &rows.columns[c]);
    }
    if (!parsed) {
      // The scanner accepted this text with these types, so the file changed under us.
      return Status::Corruption("the file changed while it was being imported (near line " +
                                std::to_string(reader.record_line()) + ")");
    }
  }
  EncodedChunk out;
  out.bytes = EncodeChunk(rows);
  out.ref.id = ChunkIdOf(out.bytes);
  out.ref.rows = group.rows;
  out.ref.bytes = out.bytes.size();
  for (const Vector& column : rows.columns) out.ref.zones.push_back(ComputeZoneMap(column));
  return out;
}

// The chunks of `candidates` whose journal record is still there: those an import still owns.
// A chunk a peer pushed meanwhile lost its record (ClaimChunk) and is no import's to delete.
Result<std::vector<ChunkId>> StillJournalled(const ChunkStore& store,
                                             const std::vector<ChunkId>& candidates) {
  std::vector<ChunkId> owned;
  for (const ChunkId& id : candidates) {
    Result<Bytes> record = store.GetRecord(PendingKey(id));
    if (record.ok()) {
      owned.push_back(id);
    } else if (!record.status().IsNotFound()) {
      return record.status();
    }
  }
  return owned;
}

// Deletes the still journalled `candidates` that no stored manifest references, plus their
// journal records.
Status RemoveUnreferenced(ChunkStore& store, const std::vector<ChunkId>& candidates,
                          uint64_t* removed) {
  LAKE_ASSIGN_OR_RETURN(std::vector<Manifest> manifests, ListManifests(store));
  const std::set<ChunkId> referenced = ReferencedChunks(manifests);
  LAKE_ASSIGN_OR_RETURN(const std::vector<ChunkId> owned, StillJournalled(store, candidates));
  StoreBatch batch;
  for (const ChunkId& id : owned) {
    if (referenced.count(id) == 0) {
      batch.DeleteChunk(id);
      ++*removed;
    }
    batch.DeleteRecord(PendingKey(id));
  }
  if (batch.empty()) return Status::OK();
  return store.Write(batch, Durability::kSync);
}

// The scan -> encode -> write pipeline of one import. Task 0 of the TaskRunner scans and queues
// row groups, then helps encoding; every other task encodes queued groups until the scan is over
// and the queue is empty. With an InlineTaskRunner the scan simply runs first.
class ImportPipeline {
 public:
  ImportPipeline(ChunkStore& store, const ByteSource& source, const ImportOptions& options,
                 const ImportEnv& env)
      : store_(store),
        source_(source),
        options_(options),
        env_(env),
        scanner_(source, options.target_chunk_bytes, options.csv) {}

  Status ReadHeader() {
    LAKE_RETURN_IF_ERROR(scanner_.ReadHeader());
    for (const Column& column : scanner_.schema()) names_.push_back(column.name);
    return Status::OK();
  }
  const CsvScanner& scanner() const { return scanner_; }

  // Runs scan and encoding to the end; on failure every chunk it wrote is journalled.
  Status Run() {
    env_.runner->ParallelFor(env_.runner->parallelism(), [this](size_t task) {
      if (task == 0) Scan();
      Encode();
    });
    std::lock_guard<std::mutex> lock(mu_);
    return failure_;
  }

  // Re-encodes the groups whose types were widened after they were written. REQUIRES: Run() OK.
  Status Finalize() {
    std::vector<size_t> stale;
    for (size_t i = 0; i < groups_.size(); ++i) {
      for (size_t c = 0; c < groups_[i].types.size(); ++c) {
        if (groups_[i].types[c] != scanner_.schema()[c].type) {
          stale.push_back(i);
          break;
        }
      }
    }
    for (size_t i : stale) {
      for (size_t c = 0; c < groups_[i].types.size(); ++c) {
        groups_[i].types[c] = scanner_.schema()[c].type;
      }
    }
    env_.runner->ParallelFor(stale.size(), [&](size_t k) { EncodeAndWrite(groups_[stale[k]]); });
    std::lock_guard<std::mutex> lock(mu_);
    return failure_;
  }

  const std::vector<ChunkRef>& chunks() const { return chunks_; }
  const std::vector<ChunkId>& journalled() const { return journalled_; }

 private:
  void Scan() {
    uint64_t next_report = 0;
    while (true) {
      Result<std::optional<RowGroupPlan>> group = scanner_.NextGroup();
      std::lock_guard<std::mutex> lock(mu_);
      if (!group.ok()) {
        if (failure_.ok()) failure_ = group.status();
      } else if (group->has_value()) {
        groups_.push_back(**group);
        chunks_.emplace_back();
        queue_.push_back(groups_.size() - 1);
        if (env_.progress && scanner_.bytes_scanned() >= next_report) {
          env_.progress(
              {ImportProgress::Phase::kScanning, scanner_.bytes_scanned(), source_.size()});
          next_report = scanner_.bytes_scanned() + (16 << 20);
        }
      }
      if (!group.ok() || !group->has_value() || !failure_.ok()) {
        scan_done_ = true;
        if (env_.progress) {
          env_.progress({ImportProgress::Phase::kScanning, source_.size(), source_.size()});
        }
        queue_cv_.notify_all();
        return;
      }
      queue_cv_.notify_one();
    }
  }

  void Encode() {
    while (true) {
      size_t index;
      {
        std::unique_lock<std::mutex> lock(mu_);
        queue_cv_.wait(lock, [&] { return !queue_.empty() || scan_done_ || !failure_.ok(); });
        if (!failure_.ok() || queue_.empty()) return;
        index = queue_.front();
        queue_.pop_front();
      }
      // groups_ may grow (reallocate) while we encode: work on a copy of the plan.
      RowGroupPlan plan;
      {
        std::lock_guard<std::mutex> lock(mu_);
        plan = groups_[index];
      }
      EncodeAndWrite(plan);
    }
  }

  void EncodeAndWrite(const RowGroupPlan& plan) {
    Result<EncodedChunk> chunk = EncodeRowGroup(source_, names_, plan, options_.csv);
    Status status = chunk.status();
    bool wrote = false;
    if (status.ok()) {
      Result<bool> present = store_.HasChunk(chunk->ref.id);
      status = present.status();
      if (status.ok() && !*present) {
        StoreBatch batch;
        batch.PutChunk(chunk->ref.id, std::move(chunk->bytes));
        batch.PutRecord(PendingKey(chunk->ref.id),
                        Bytes(options_.name.begin(), options_.name.end()));
        status = store_.Write(batch, Durability::kBuffered);
        wrote = status.ok();
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (!status.ok()) {
      if (failure_.ok()) failure_ = status;
      queue_cv_.notify_all();
      return;
    }
    if (wrote) journalled_.push_back(chunk->ref.id);
    chunks_[plan.index] = std::move(chunk->ref);
    ++written_;
    if (env_.progress && scan_done_) {
      env_.progress({ImportProgress::Phase::kEncoding, written_, groups_.size()});
    }
  }

  ChunkStore& store_;
  const ByteSource& source_;
  const ImportOptions& options_;
  const ImportEnv& env_;
  CsvScanner scanner_;              // used by the scanning task only, until Run() returns
  std::vector<std::string> names_;  // column names, fixed by ReadHeader()

  std::mutex mu_;
  // State below is protected by mu_ while Run() or Finalize() is in progress.
  std::condition_variable queue_cv_;
  std::vector<RowGroupPlan> groups_;
  std::vector<ChunkRef> chunks_;  // by group index
  std::deque<size_t> queue_;      // groups waiting to be encoded
  std::vector<ChunkId> journalled_;
  uint64_t written_ = 0;
  bool scan_done_ = false;
  Status failure_;
};

}  // namespace

Result<StagedImport> StageCsv(ChunkStore& store, const ByteSource& source,
                              const ImportOptions& options, const ImportEnv& env,
                              CsvPosition* error_at) {
  LAKE_RETURN_IF_ERROR(ValidateDatasetName(options.name));
  ImportPipeline pipeline(store, source, options, env);
  Status status = pipeline.ReadHeader();
  if (status.ok()) status = pipeline.Run();
  if (status.ok()) status = pipeline.Finalize();
  if (!status.ok()) {
    if (status.IsInvalidArgument() && error_at != nullptr) {
      *error_at = pipeline.scanner().error_position();
    }
    uint64_t removed = 0;
    Status cleanup = RemoveUnreferenced(store, pipeline.journalled(), &removed);
    if (!cleanup.ok()) {
      return status.WithContext("import failed, and removing its chunks failed too (" +
                                cleanup.ToString() + ")");
    }
    return status;
  }
  StagedImport staged;
  staged.source_bytes = source.size();
  staged.journalled = pipeline.journalled();
  Manifest& manifest = staged.manifest;
  manifest.name = options.name;
  manifest.version = 0;  // unset: the caller chooses it at the commit
  manifest.schema = pipeline.scanner().schema();
  manifest.total_rows = pipeline.scanner().rows();
  manifest.created_at_us = ToMicros(env.clock->Now());
  manifest.uploader = env.uploader;
  manifest.chunks = pipeline.chunks();
  for (const ChunkRef& ref : manifest.chunks) manifest.total_bytes += ref.bytes;
  return staged;
}

Status CommitStaged(ChunkStore& store, const StagedImport& staged, const Manifest& manifest,
                    const Bytes& encoded, StoreBatch batch) {
  LAKE_ASSIGN_OR_RETURN(const std::vector<ChunkId> owned,
                        StillJournalled(store, staged.journalled));
  for (const ChunkId& id : owned) batch.DeleteRecord(PendingKey(id));
  return ReplaceDataset(store, manifest.name, &manifest, &encoded, owned, std::move(batch));
}

void ClaimChunk(StoreBatch* batch, const ChunkId& id) { batch->DeleteRecord(PendingKey(id)); }

Result<bool> IsStaged(const ChunkStore& store, const ChunkId& id) {
  Result<Bytes> record = store.GetRecord(PendingKey(id));
  if (record.status().IsNotFound()) return false;
  LAKE_RETURN_IF_ERROR(record.status());
  return true;
}

Status AbandonStaged(ChunkStore& store, const StagedImport& staged) {
  uint64_t removed = 0;
  return RemoveUnreferenced(store, staged.journalled, &removed);
}

Result<ImportSummary> ImportCsv(ChunkStore& store, const ByteSource& source,
                                const ImportOptions& options, const ImportEnv& env,
                                CsvPosition* error_at) {
  LAKE_RETURN_IF_ERROR(ValidateDatasetName(options.name));
  LAKE_ASSIGN_OR_RETURN(std::optional<Manifest> previous, LoadManifest(store, options.name));
  LAKE_ASSIGN_OR_RETURN(StagedImport staged, StageCsv(store, source, options, env, error_at));
  if (env.progress) env.progress({ImportProgress::Phase::kCommitting, 0, 1});
  ImportSummary summary;
  summary.source_bytes = staged.source_bytes;
  summary.manifest = staged.manifest;
  summary.manifest.version = previous ? previous->version + 1 : 1;
  const Bytes encoded = EncodeManifest(summary.manifest);
  summary.manifest_id = Blake2b256(encoded);
  if (Status committed = CommitStaged(store, staged, summary.manifest, encoded); !committed.ok()) {
    Status cleanup = AbandonStaged(store, staged);
    if (!cleanup.ok()) {
      return committed.WithContext("import failed, and removing its chunks failed too (" +
                                   cleanup.ToString() + ")");
    }
    return committed;
  }
  std::set<ChunkId> in_manifest;
  for (const ChunkRef& ref : summary.manifest.chunks) in_manifest.insert(ref.id);
  for (const ChunkId& id : staged.journalled) summary.new_chunks += in_manifest.count(id);
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
