#include "actors/data_dir.h"

#include <filesystem>
#include <system_error>

#include "store/importer.h"
#include "store/rocksdb_chunk_store.h"

namespace lake::actors {

Result<OpenedDataDir> OpenDataDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create data directory " + dir + ": " + ec.message());
  LAKE_ASSIGN_OR_RETURN(auto store, store::RocksDbChunkStore::Open(dir + "/db"));
  OpenedDataDir opened;
  LAKE_ASSIGN_OR_RETURN(opened.recovered_chunks, store::RecoverInterruptedImports(*store));
  opened.store = std::move(store);
  return opened;
}

}  // namespace lake::actors
