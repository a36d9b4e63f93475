#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "actors/node.h"

namespace lake::actors {
namespace {

std::string FreshDir() {
  const std::string dir =
      std::string(LAKE_BINARY_DIR) + "/test-tmp/identity-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

TEST_CASE("A node key is created once, private to its owner, and read back the same",
          "[actors][identity]") {
  spdlog::set_level(spdlog::level::warn);
  const std::string dir = FreshDir();
  const std::string path = dir + "/sub/node.key";
  Result<dht::Identity> created = LoadOrCreateIdentity(path);
  REQUIRE(created.ok());
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  Result<dht::Identity> again = LoadOrCreateIdentity(path);
  REQUIRE(again.ok());
  CHECK(again->node_id() == created->node_id());
  // Another directory gets another identity.
  Result<dht::Identity> other = LoadOrCreateIdentity(dir + "/other.key");
  REQUIRE(other.ok());
  CHECK(other->node_id() != created->node_id());
  std::filesystem::remove_all(dir);
}

TEST_CASE("A damaged node key is an error, never silently replaced", "[actors][identity]") {
  const std::string dir = FreshDir();
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/node.key";
  std::ofstream(path) << "p2plake-node-key-v1\nnot hex\n";
  Result<dht::Identity> loaded = LoadOrCreateIdentity(path);
  CHECK(loaded.status().code() == Status::Code::kCorruption);
  CHECK(loaded.status().message().find(path) != std::string::npos);
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  CHECK(first == "p2plake-node-key-v1");  // left as it was
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lake::actors
