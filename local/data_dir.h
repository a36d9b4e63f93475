// DataDir: one node's data directory, owning its whole layout the way LevelDB's DB::Open owns
// its directory. Everything a node keeps on disk is found through it:
//   <dir>/LOCK      held (flock) while the directory is open: a second process fails to open it
//   <dir>/db/       the RocksDB store of chunks and manifests
//   <dir>/node.key  the node's Ed25519 identity (created 0600 on first use)
//   <dir>/node.log  the node's log
//   <dir>/spool/    uploads being received: the gateway streams each HTTP body to a file here and
//                   the chunk keeper deletes it once stored; Open empties it (a crash's leftovers)
// The key and the log may be placed elsewhere (config security.keyPath, logging.logPath).
// `p2plake import` and `p2plake sql` open it too, for the store alone.
// Thread-safety: the store follows ChunkStore's rules; the rest is immutable after Open.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "dht/identity.h"
#include "store/chunk_store.h"

namespace lake::local {

struct DataDirOptions {
  std::string key_path;  // "" = <dir>/node.key
  std::string log_path;  // "" = <dir>/node.log
};

class DataDir {
 public:
  // Creates the directory if needed, takes its lock, opens the store and removes what an
  // interrupted import or upload left behind (chunks of an unfinished import, spool files).
  // Unavailable, naming the holder's pid, when another process has the directory open; IOError
  // when it cannot be created or locked.
  static Result<std::unique_ptr<DataDir>> Open(const std::string& path,
                                               const DataDirOptions& options = {});
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;
  ~DataDir();  // releases the lock; the store closes when its last holder lets go

  // What LoadOrCreateIdentity found.
  struct KeyNotes {
    bool created = false;  // there was no key: a new one was written
    uint32_t mode = 0;     // the key file's permission bits
    // Others than its owner may read it (the node warns: the key is the node's identity).
    bool exposed() const { return (mode & 077) != 0; }
  };

  // The node's identity from key_path(), created there (fresh random seed, a new file of mode
  // 0600 that follows no link, synced, renamed into place, and the directory synced) when there
  // is none. A key file that exists but does not parse is Corruption, never silently replaced.
  // *notes (if given) says which happened and how the file is protected.
  Result<dht::Identity> LoadOrCreateIdentity(KeyNotes* notes = nullptr) const;

  const std::string& path() const { return path_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& log_path() const { return log_path_; }
  // <dir>/spool, created and empty when Open returned.
  const std::string& spool_dir() const { return spool_dir_; }
  // Shared: a node's keeper and planner hold it; it must not outlive this DataDir's lock in
  // practice, which Node guarantees by stopping its actors first.
  const std::shared_ptr<store::ChunkStore>& store() const { return store_; }
  // Chunks of an interrupted import found and removed by Open.
  uint64_t recovered_chunks() const { return recovered_chunks_; }
  // Spool files of interrupted uploads found and removed by Open.
  uint64_t removed_spool_files() const { return removed_spool_files_; }

 private:
  DataDir() = default;

  std::string path_;
  std::string key_path_;
  std::string log_path_;
  std::string spool_dir_;
  int lock_fd_ = -1;
  std::shared_ptr<store::ChunkStore> store_;
  uint64_t recovered_chunks_ = 0;
  uint64_t removed_spool_files_ = 0;
};

}  // namespace lake::local
