#include "local/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <sodium.h>

#include "store/importer.h"
#include "store/rocksdb_chunk_store.h"

namespace lake::local {
namespace {

std::string Errno() { return std::strerror(errno); }

// Takes <dir>/LOCK and writes our pid into it. The lock dies with the process (even on kill -9),
// so a stale file never blocks a restart.
Result<int> Lock(const std::string& dir) {
  const std::string path = dir + "/LOCK";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + Errno());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const bool busy = errno == EWOULDBLOCK;
    const std::string why = Errno();
    char pid[32] = {};
    const ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    if (!busy) return Status::IOError("cannot lock " + path + ": " + why);
    std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : "unknown";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    return Status::Unavailable("data directory " + dir + " is in use by another process (pid " +
                               holder + ")");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    ::close(fd);
    return Status::IOError("cannot write " + path + ": " + Errno());
  }
  return fd;
}

Status WriteKeyFile(const std::string& path, const std::string& text) {
  std::error_code ec;
  const std::filesystem::path file(path);
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  // Written under a temporary name, readable by the owner only from the start, and synced
  // before the rename: a crash never leaves a half-written key behind. The name is created
  // afresh (a leftover, or a link someone put there, is removed, never followed or reused), so
  // the key's bytes go to no file but a new one of ours.
  const std::string tmp = path + ".tmp";
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) {
    return Status::IOError("cannot remove " + tmp + ": " + Errno());
  }
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot write node key " + tmp + ": " + Errno());
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return Status::IOError("cannot write node key " + tmp);
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IOError("cannot write node key " + path + ": " + ec.message());
  // The rename is durable once the directory is synced: until then a crash may lose the key the
  // node already announced itself with.
  const std::string parent = file.has_parent_path() ? file.parent_path().string() : ".";
  const int dir_fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool synced = dir_fd >= 0 && ::fsync(dir_fd) == 0;
  if (dir_fd >= 0) ::close(dir_fd);
  if (!synced) return Status::IOError("cannot sync directory " + parent + ": " + Errno());
  return Status::OK();
}

// Creates <spool> if needed and deletes whatever it holds: a spool file outlives its upload only
// when the process died during it. Returns how many entries were removed.
Result<uint64_t> ResetSpoolDir(const std::string& spool) {
  std::error_code ec;
  std::filesystem::create_directories(spool, ec);
  if (ec) return Status::IOError("cannot create spool directory " + spool + ": " + ec.message());
  uint64_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(spool, ec)) {
    std::filesystem::remove_all(entry.path(), ec);
    if (ec) return Status::IOError("cannot remove " + entry.path().string() + ": " + ec.message());
    ++removed;
  }
  if (ec) return Status::IOError("cannot list spool directory " + spool + ": " + ec.message());
  return removed;
}

}  // namespace

Result<std::unique_ptr<DataDir>> DataDir::Open(const std::string& path,
                                               const DataDirOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IOError("cannot create data directory " + path + ": " + ec.message());
  std::unique_ptr<DataDir> dir(new DataDir());
  dir->path_ = path;
  const std::filesystem::path root(path);
  dir->key_path_ = options.key_path.empty() ? (root / "node.key").string() : options.key_path;
  dir->log_path_ = options.log_path.empty() ? (root / "node.log").string() : options.log_path;
  dir->spool_dir_ = (root / "spool").string();
  LAKE_ASSIGN_OR_RETURN(dir->lock_fd_, Lock(path));
  // Only under the lock: another process's spool files are its uploads in progress.
  LAKE_ASSIGN_OR_RETURN(dir->removed_spool_files_, ResetSpoolDir(dir->spool_dir_));
  LAKE_ASSIGN_OR_RETURN(std::unique_ptr<store::RocksDbChunkStore> store,
                        store::RocksDbChunkStore::Open((root / "db").string()));
  LAKE_ASSIGN_OR_RETURN(dir->recovered_chunks_, store::RecoverInterruptedImports(*store));
  dir->store_ = std::move(store);
  return dir;
}

DataDir::~DataDir() {
  store_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing the descriptor releases the flock
}

Result<dht::Identity> DataDir::LoadOrCreateIdentity(KeyNotes* notes) const {
  KeyNotes ignored;
  if (notes == nullptr) notes = &ignored;
  *notes = KeyNotes{};
  std::error_code ec;
  if (std::filesystem::exists(key_path_, ec)) {
    struct stat st;
    if (::stat(key_path_.c_str(), &st) == 0) notes->mode = st.st_mode & 0777;
    std::ifstream in(key_path_);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Status::IOError("cannot read node key " + key_path_);
    Result<dht::Identity> identity = dht::Identity::FromKeyFile(text.str());
    if (!identity.ok()) {
      return Status::Corruption("node key " + key_path_ + ": " + identity.status().ToString());
    }
    return identity;
  }
  if (sodium_init() < 0) return Status::IOError("libsodium failed to initialise");
  dht::Identity::Seed seed;
  randombytes_buf(seed.data(), seed.size());
  dht::Identity identity(seed);
  sodium_memzero(seed.data(), seed.size());
  LAKE_RETURN_IF_ERROR(WriteKeyFile(key_path_, identity.ToKeyFile()));
  notes->created = true;
  notes->mode = 0600;
  return identity;
}

}  // namespace lake::local
