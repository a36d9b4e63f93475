#include "local/local_engine.h"

#include "store/byte_source.h"
#include "store/importer.h"

namespace lake::local {

LocalEngine::LocalEngine(const LocalEngineOptions& options)
    : options_(options),
      pool_(options.threads),
      cache_(options.cache_bytes),
      engine_(tables_, &pool_) {}

Status LocalEngine::AttachStore(const store::ChunkStore& store) {
  providers_.push_back(std::make_unique<StoreTableProvider>(store, &cache_));
  tables_.Add(providers_.back().get());
  return providers_.back()->Refresh();
}

Status LocalEngine::AttachCsv(const std::string& name, const std::string& path,
                              const Clock& clock) {
  if (csv_tables_ == nullptr) {
    LAKE_RETURN_IF_ERROR(AttachStore(csv_store_));
    csv_tables_ = providers_.back().get();
  }
  Result<std::unique_ptr<store::ByteSource>> source = store::OpenFileSource(path);
  if (!source.ok()) return source.status();
  store::ImportOptions import;
  import.name = name;
  import.target_chunk_bytes = options_.csv_chunk_bytes;
  store::ImportEnv env;
  env.clock = &clock;
  env.runner = &pool_;
  Result<store::ImportSummary> imported = store::ImportCsv(csv_store_, **source, import, env);
  if (!imported.ok()) return imported.status().WithContext(path);
  return csv_tables_->Refresh();
}

Status LocalEngine::Refresh() {
  for (const auto& provider : providers_) LAKE_RETURN_IF_ERROR(provider->Refresh());
  return Status::OK();
}

}  // namespace lake::local
