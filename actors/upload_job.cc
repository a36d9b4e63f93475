#include "actors/upload_job.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "actors/errors.h"
#include "actors/node_events.h"
#include "common/hash.h"
#include "common/task_runner.h"
#include "local/network_catalog.h"
#include "local/system_clock.h"
#include "store/byte_source.h"
#include "store/importer.h"

namespace lake::actors {
namespace {

// Sends one request and waits for its answer (or the timeout, as a Timeout status).
template <class T, class Handle, class... Args>
Result<T> AskAndWait(caf::blocking_actor* self, const Handle& actor,
                     std::chrono::milliseconds timeout, Args&&... args) {
  Result<T> answer = Status::Unavailable("no answer");
  self->request(actor, timeout, std::forward<Args>(args)...)
      .receive([&](T& value) { answer = std::move(value); },
               [&](const caf::error& error) { answer = ToStatus(error); });
  return answer;
}

// Logs and publishes (upload.progress) the parsing progress at every tenth of the file, so that
// a long upload shows it is moving after its body arrived.
store::ProgressFn ReportProgress(caf::actor_system& system, const std::string& name) {
  auto reported = std::make_shared<uint64_t>(0);
  return [&system, name, reported](const store::ImportProgress& progress) {
    if (progress.phase != store::ImportProgress::Phase::kScanning || progress.total == 0) return;
    const uint64_t tenth = progress.done * 10 / progress.total;
    if (tenth <= *reported) return;
    *reported = tenth;
    spdlog::info("upload {}: {}% of {:.1f} MB parsed", name, tenth * 10, progress.total / 1e6);
    PublishEvent(system, event_type::kUploadProgress,
                 {{"name", name}, {"percent", tenth * 10}, {"bytes", progress.total}});
  };
}

// The version after every one this node or the DHT knows for `name`.
uint64_t NextVersion(caf::blocking_actor* self, const UploadJobContext& context,
                     const std::string& name) {
  uint64_t latest = 0;
  local::NetworkCatalog catalog(*context.store);
  if (auto pointer = catalog.Pointer(name); pointer.ok() && *pointer) latest = (*pointer)->version;
  Result<std::vector<Bytes>> values =
      AskAndWait<std::vector<Bytes>>(self, context.router, context.options.request_timeout,
                                     get_atom::value, store::DatasetKey(name));
  if (values.ok()) {
    for (const Bytes& value : *values) {
      Result<dht::DatasetPointer> pointer = dht::DecodeDatasetPointer(value);
      if (pointer.ok() && pointer->name == name) latest = std::max(latest, pointer->version);
    }
  }
  return latest + 1;
}

// Pushes `ids` to their R closest nodes and checks each reached W copies; returns the fewest.
Result<uint32_t> ReplicateAll(caf::blocking_actor* self, const UploadJobContext& context,
                              dht::ObjectKind kind, const std::vector<Id>& ids) {
  LAKE_ASSIGN_OR_RETURN(
      const std::vector<uint32_t> copies,
      AskAndWait<std::vector<uint32_t>>(self, context.keeper, context.options.upload_step_timeout,
                                        replicate_atom::value, ReplicateRequest{kind, ids}));
  uint32_t fewest = context.options.replication;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (copies[i] < context.options.write_quorum) {
      return Status::Unavailable(
          std::string(kind == dht::ObjectKind::kChunk ? "chunk " : "manifest ") +
          ids[i].ShortHex() + " is durable on " + std::to_string(copies[i]) + " node(s), " +
          "fewer than the write quorum of " + std::to_string(context.options.write_quorum) +
          " (replication factor " + std::to_string(context.options.replication) +
          "); nothing was published. A network accepts uploads once W of each chunk's R " +
          "closest nodes answer: with fewer nodes up, start more or lower storage.writeQuorum");
    }
    fewest = std::min(fewest, copies[i]);
  }
  return fewest;
}

UploadOutcome RunUpload(caf::blocking_actor* self, const UploadJobContext& context,
                        const UploadRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  UploadOutcome outcome;
  Result<std::unique_ptr<store::ByteSource>> source = store::OpenFileSource(request.csv_path);
  if (!source.ok()) {
    outcome.status = source.status();
    return outcome;
  }
  local::SystemClock clock;
  ThreadPool runner(std::max<size_t>(1, context.options.import_threads));
  store::ImportOptions options;
  options.name = request.name;
  options.target_chunk_bytes = context.options.chunk_bytes;
  store::ImportEnv env;
  env.clock = &clock;
  env.runner = &runner;
  env.uploader = context.identity->node_id();
  env.progress = ReportProgress(self->system(), request.name);
  store::CsvPosition error_at;
  Result<store::StagedImport> staged =
      store::StageCsv(*context.store, **source, options, env, &error_at);
  if (!staged.ok()) {
    outcome.status = staged.status();
    if (staged.status().IsInvalidArgument()) {
      outcome.line = error_at.line;
      outcome.column = error_at.column;
    }
    return outcome;
  }
  const auto publish = [&]() -> Status {
    std::vector<Id> chunk_ids;
    for (const store::ChunkRef& ref : staged->manifest.chunks) chunk_ids.push_back(ref.id);
    LAKE_ASSIGN_OR_RETURN(const uint32_t chunk_copies,
                          ReplicateAll(self, context, dht::ObjectKind::kChunk, chunk_ids));
    store::Manifest manifest = staged->manifest;
    manifest.version = NextVersion(self, context, request.name);
    const Bytes encoded = store::EncodeManifest(manifest);
    const Id manifest_id = Blake2b256(encoded);
    local::NetworkCatalog catalog(*context.store);
    LAKE_RETURN_IF_ERROR(catalog.PutManifestObject(manifest_id, encoded));
    LAKE_ASSIGN_OR_RETURN(const uint32_t manifest_copies,
                          ReplicateAll(self, context, dht::ObjectKind::kManifest, {manifest_id}));
    const dht::DatasetPointer pointer =
        dht::SignDatasetPointer(*context.identity, request.name, manifest.version, manifest_id,
                                false, ToMicros(clock.Now()));
    LAKE_RETURN_IF_ERROR(AskAndWait<bool>(self, context.keeper, context.options.upload_step_timeout,
                                          publish_atom::value,
                                          PublishRequest{*staged, manifest, encoded, pointer})
                             .status());
    UploadReceipt& receipt = outcome.receipt;
    receipt.dataset_id = manifest_id;
    receipt.name = manifest.name;
    receipt.version = manifest.version;
    receipt.rows = manifest.total_rows;
    receipt.columns = manifest.schema;
    receipt.chunks = manifest.chunks.size();
    receipt.bytes = manifest.total_bytes;
    receipt.source_bytes = staged->source_bytes;
    receipt.replicas_min = std::min(chunk_copies, manifest_copies);
    receipt.replicas_target = context.options.replication;
    return Status::OK();
  };
  outcome.status = publish();
  if (!outcome.status.ok()) {
    if (Status abandoned = store::AbandonStaged(*context.store, *staged); !abandoned.ok()) {
      spdlog::error("upload {}: removing its staged chunks failed: {}", request.name,
                    abandoned.ToString());
    }
    return outcome;
  }
  outcome.receipt.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return outcome;
}

}  // namespace

void UploadJob(caf::blocking_actor* self, UploadJobContext context, uint64_t upload_id,
               UploadRequest request) {
  spdlog::info("upload {}: started from {}", request.name, request.csv_path);
  UploadOutcome outcome = RunUpload(self, context, request);
  std::error_code ignored;
  std::filesystem::remove(request.csv_path, ignored);
  if (outcome.status.ok()) {
    const UploadReceipt& r = outcome.receipt;
    spdlog::info(
        "upload {}: version {} published, {} rows, {} chunks, {} of {} replicas, {:.0f} ms", r.name,
        r.version, r.rows, r.chunks, r.replicas_min, r.replicas_target, r.elapsed_ms);
    PublishDatasetStored(self->system(),
                         {r.name, r.dataset_id, r.version, r.rows, r.chunks, r.bytes}, "upload");
  } else {
    spdlog::warn("upload {}: failed: {}", request.name, outcome.status.ToString());
    PublishEvent(self->system(), event_type::kUploadFailed,
                 {{"name", request.name}, {"error", outcome.status.message()}});
  }
  self->send(context.keeper, upload_atom::value, upload_id, std::move(outcome));
}

}  // namespace lake::actors
