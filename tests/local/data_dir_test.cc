// DataDir: the layout of a node's directory, its lock, and the node key it keeps.
#include "local/data_dir.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "store/catalog.h"
#include "tests/support/import_text.h"

namespace lake::local {
namespace {

using Catch::Matchers::Contains;

// Per process: ctest runs the cases of this binary in parallel.
std::string FreshDir(const std::string& name) {
  const std::string dir =
      std::string(LAKE_BINARY_DIR) + "/test-tmp/datadir-" + name + "-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

TEST_CASE("A data directory holds its lock, database, key and log at known places",
          "[local][datadir]") {
  const std::string path = FreshDir("layout");
  {
    auto dir = DataDir::Open(path + "/nested");
    REQUIRE(dir.ok());
    CHECK(std::filesystem::is_directory(path + "/nested/db"));
    CHECK(std::filesystem::exists(path + "/nested/LOCK"));
    CHECK((*dir)->key_path() == path + "/nested/node.key");
    CHECK((*dir)->log_path() == path + "/nested/node.log");
    CHECK((*dir)->recovered_chunks() == 0);
  }
  auto moved = DataDir::Open(path + "/other", DataDirOptions{path + "/k/key", path + "/l.log"});
  REQUIRE(moved.ok());
  CHECK((*moved)->key_path() == path + "/k/key");
  CHECK((*moved)->log_path() == path + "/l.log");
  std::filesystem::remove_all(path);
}

TEST_CASE("A data directory's spool exists and is emptied of an interrupted upload's files",
          "[local][datadir]") {
  const std::string path = FreshDir("spool");
  std::string spool;
  {
    auto dir = DataDir::Open(path);
    REQUIRE(dir.ok());
    spool = (*dir)->spool_dir();
    CHECK(spool == path + "/spool");
    CHECK(std::filesystem::is_directory(spool));
    CHECK((*dir)->removed_spool_files() == 0);
    std::ofstream(spool + "/upload-1.csv") << "a,b\n1,2\n";
    std::ofstream(spool + "/upload-2.csv") << "x\n";
  }
  auto reopened = DataDir::Open(path);
  REQUIRE(reopened.ok());
  CHECK((*reopened)->removed_spool_files() == 2);
  CHECK(std::filesystem::is_empty(spool));
  std::filesystem::remove_all(path);
}

TEST_CASE("A data directory kept open by one process cannot be opened by another",
          "[local][datadir]") {
  const std::string path = FreshDir("lock");
  // flock is per open file description: a second Open in this process would be refused too,
  // but a child process is what two `p2plake node` runs look like. The child is forked before
  // the first Open starts RocksDB's threads: a child forked from a threaded process may find a
  // lock (malloc's, the sanitizer's) held by a thread that no longer exists, and hang in it.
  int lock_held[2];
  REQUIRE(::pipe(lock_held) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(lock_held[1]);
    char go = 0;
    if (::read(lock_held[0], &go, 1) != 1) ::_exit(2);  // the parent could not take the lock
    auto second = DataDir::Open(path);
    const bool refused_clearly =
        !second.ok() && second.status().code() == Status::Code::kUnavailable &&
        second.status().message().find("in use by another process (pid " +
                                       std::to_string(::getppid()) + ")") != std::string::npos;
    ::_exit(refused_clearly ? 0 : 1);
  }
  ::close(lock_held[0]);
  auto first = DataDir::Open(path);
  if (first.ok()) CHECK(::write(lock_held[1], "g", 1) == 1);
  ::close(lock_held[1]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(first.ok());
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  first->reset();  // released: the next process gets it
  auto again = DataDir::Open(path);
  CHECK(again.ok());
  std::filesystem::remove_all(path);
}

TEST_CASE("A data directory keeps its datasets across reopenings", "[local][datadir]") {
  const std::string path = FreshDir("reopen");
  {
    auto dir = DataDir::Open(path);
    REQUIRE(dir.ok());
    testing::ImportText(*(*dir)->store(), "t", "a\n1\n2\n");
  }
  auto dir = DataDir::Open(path);
  REQUIRE(dir.ok());
  auto manifests = store::ListManifests(*(*dir)->store());
  REQUIRE(manifests.ok());
  REQUIRE(manifests->size() == 1);
  CHECK(manifests->front().name == "t");
  std::filesystem::remove_all(path);
}

TEST_CASE("A node key is created once, private to its owner, and read back the same",
          "[local][identity]") {
  const std::string path = FreshDir("key");
  const std::string key = path + "/sub/node.key";
  auto dir = DataDir::Open(path, DataDirOptions{key, ""});
  REQUIRE(dir.ok());
  DataDir::KeyNotes notes;
  Result<dht::Identity> first = (*dir)->LoadOrCreateIdentity(&notes);
  REQUIRE(first.ok());
  CHECK(notes.created);
  CHECK_FALSE(notes.exposed());
  struct stat st;
  REQUIRE(::stat(key.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(std::filesystem::exists(key + ".tmp"));
  Result<dht::Identity> again = (*dir)->LoadOrCreateIdentity(&notes);
  REQUIRE(again.ok());
  CHECK_FALSE(notes.created);
  CHECK(notes.mode == 0600);
  CHECK_FALSE(notes.exposed());
  CHECK(again->node_id() == first->node_id());
  // Another directory gets another identity.
  auto other_dir = DataDir::Open(path + "/other");
  REQUIRE(other_dir.ok());
  Result<dht::Identity> other = (*other_dir)->LoadOrCreateIdentity();
  REQUIRE(other.ok());
  CHECK(other->node_id() != first->node_id());
  std::filesystem::remove_all(path);
}

TEST_CASE(
    "A new key follows no link left at its temporary name, and a key others can read is "
    "noted",
    "[local][identity]") {
  const std::string path = FreshDir("key-link");
  const std::string key = path + "/node.key";
  auto dir = DataDir::Open(path, DataDirOptions{key, ""});
  REQUIRE(dir.ok());
  // Someone put a link where the key is first written: the key must not end up in its target.
  const std::string target = path + "/elsewhere";
  std::ofstream(target) << "not a key\n";
  std::filesystem::create_symlink(target, key + ".tmp");
  DataDir::KeyNotes notes;
  Result<dht::Identity> created = (*dir)->LoadOrCreateIdentity(&notes);
  REQUIRE(created.ok());
  CHECK(notes.created);
  std::ifstream in(target);
  std::string line;
  std::getline(in, line);
  CHECK(line == "not a key");
  CHECK_FALSE(std::filesystem::is_symlink(key));
  CHECK_FALSE(std::filesystem::exists(key + ".tmp"));

  REQUIRE(::chmod(key.c_str(), 0644) == 0);
  Result<dht::Identity> loaded = (*dir)->LoadOrCreateIdentity(&notes);
  REQUIRE(loaded.ok());
  CHECK(loaded->node_id() == created->node_id());
  CHECK(notes.mode == 0644);
  CHECK(notes.exposed());
  std::filesystem::remove_all(path);
}

TEST_CASE("A damaged node key is an error, never silently replaced", "[local][identity]") {
  const std::string path = FreshDir("damaged");
  auto dir = DataDir::Open(path);
  REQUIRE(dir.ok());
  std::ofstream((*dir)->key_path()) << "p2plake-node-key-v1\nnot hex\n";
  Result<dht::Identity> loaded = (*dir)->LoadOrCreateIdentity();
  CHECK(loaded.status().code() == Status::Code::kCorruption);
  CHECK_THAT(loaded.status().message(), Contains((*dir)->key_path()));
  std::ifstream in((*dir)->key_path());
  std::string first;
  std::getline(in, first);
  CHECK(first == "p2plake-node-key-v1");  // left as it was
  std::filesystem::remove_all(path);
}

}  // namespace
}  // namespace lake::local
