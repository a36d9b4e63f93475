// scripts/start-network.sh end to end: it starts three nodes, uploads sample-data/*.csv through
// the first, and then every node answers queries over the uploaded data with the embedded
// engine's answers over the same files. The script runs from a scratch copy of the repository's
// layout (its scripts, sample-data/ and build/p2plake), with its ports moved below the kernel's
// ephemeral range, so it clashes neither with a network started by hand on 3000/4000 nor with
// the other [net] tests' nodes (which take ephemeral ports).
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/net/node_api.h"
#include "tests/net/node_process.h"

namespace lake::nettest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

constexpr int kNodes = 3;

// True if nothing listens on, or holds, TCP `port` of 127.0.0.1 right now.
bool PortFree(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return bound;
}

// The lowest port the kernel hands out for port 0 and outgoing connections.
int EphemeralLow() {
  int low = 32768;
  std::sscanf(ReadFile("/proc/sys/net/ipv4/ip_local_port_range").c_str(), "%d", &low);
  return low;
}

// A base port B, below the ephemeral range, with B..B+2 (HTTP) and B+10..B+12 (p2p) all free;
// randomised, so concurrent runs from other build trees rarely try the same ports. 0 if none.
int FreeBasePort() {
  const int top = std::min(EphemeralLow(), 65536) - 20;
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pick(10000, std::max(10001, top));
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int base = pick(rng);
    bool free = true;
    for (int i = 0; i < kNodes && free; ++i) free = PortFree(base + i) && PortFree(base + 10 + i);
    if (free) return base;
  }
  return 0;
}

// The scripts' environment and a shell command line running `script` from the scratch tree.
std::string ScriptCommand(const std::string& root, int base, const std::string& script,
                          const std::string& log) {
  return "HTTP_BASE=" + std::to_string(base) + " P2P_BASE=" + std::to_string(base + 10) +
         " NET_DIR='" + root + "/network' bash '" + root + "/scripts/" + script + "' >'" + log +
         "' 2>&1";
}

// Stops whatever the script started, however the test ends.
struct NetworkStopper {
  std::string command;
  ~NetworkStopper() { std::system(command.c_str()); }
};

// The embedded engine's answer (p2plake sql over the CSV files) as JSON rows.
json ReferenceRows(const std::string& sql) {
  const std::string data = std::string(LAKE_SOURCE_DIR) + "/sample-data/";
  const RunResult run =
      RunP2plake({"sql", "--table", "employees=" + data + "employees.csv", "--table",
                  "products=" + data + "products.csv", "--format", "json", sql});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return json::parse(run.out);
}

TEST_CASE(
    "start-network.sh brings up three nodes that each answer queries over the sample data "
    "it uploaded",
    "[net][scripts]") {
  const std::string root = FreshTestDir("start-network");
  fs::create_directories(root + "/scripts");
  fs::create_directories(root + "/build");
  for (const char* script : {"start-network.sh", "stop-network.sh"}) {
    fs::copy_file(std::string(LAKE_SOURCE_DIR) + "/scripts/" + script, root + "/scripts/" + script);
  }
  fs::create_directory_symlink(std::string(LAKE_SOURCE_DIR) + "/sample-data",
                               root + "/sample-data");
  fs::create_symlink(std::string(LAKE_BINARY_DIR) + "/p2plake", root + "/build/p2plake");

  const int base = FreeBasePort();
  REQUIRE(base > 0);
  const NetworkStopper stopper{ScriptCommand(root, base, "stop-network.sh", root + "/stop.log")};
  const int started =
      std::system(ScriptCommand(root, base, "start-network.sh", root + "/start.log").c_str());
  INFO("ports " << base << ", " << base + 10 << "; start-network.sh said:\n"
                << ReadFile(root + "/start.log"));
  REQUIRE(started == 0);

  const std::vector<std::string> queries = {
      "SELECT COUNT(*) AS n FROM employees",
      "SELECT department, COUNT(*) AS n, AVG(salary) AS avg_salary FROM employees "
      "GROUP BY department ORDER BY n DESC, department",
      "SELECT COUNT(*) AS n FROM products"};
  for (const std::string& sql : queries) {
    const json expected = ReferenceRows(sql);
    REQUIRE(expected.size() > 0);
    for (int i = 0; i < kNodes; ++i) {
      const uint16_t port = static_cast<uint16_t>(base + i);
      // The first node answers at once; the others as soon as gossip brings them the datasets.
      std::optional<json> rows;
      Eventually(
          [&] {
            rows = QueryRows(port, sql);
            return rows.has_value();
          },
          seconds(10));
      INFO("node " << i + 1 << " (http " << port << "): " << sql);
      REQUIRE(rows);
      CHECK(*rows == expected);
    }
  }
}

}  // namespace
}  // namespace lake::nettest
