// Uploads through the chunk keeper into a network of real nodes (in-process, real TCP on
// 127.0.0.1, real RocksDB): placement on the R closest nodes, the write quorum, the catalog
// every node lists, deletes, and a malformed CSV that leaves nothing anywhere.
#include <spdlog/spdlog.h>
#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "actors/errors.h"
#include "actors/node.h"
#include "common/task_runner.h"
#include "dht/placement.h"
#include "local/data_dir.h"
#include "local/local_engine.h"
#include "local/system_clock.h"
#include "store/byte_source.h"
#include "store/importer.h"
#include "store/mem_chunk_store.h"
#include "tests/actors/ask.h"
#include "tests/support/eventually.h"

namespace lake::actors {
namespace {

using std::chrono::milliseconds;

// Small chunks, so that a few thousand rows make many of them.
constexpr size_t kChunkBytes = 64 << 10;
const std::string kProductsCsv = std::string(LAKE_SOURCE_DIR) + "/sample-data/products.csv";

std::string TestDir(const std::string& name) {
  const std::string dir =
      std::string(LAKE_BINARY_DIR) + "/test-tmp/upload-" + name + "-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

using testing::Eventually;

// N nodes on loopback, each seeded by the first, with their own data directories.
class Cluster {
 public:
  // Nodes repair every `repair_interval` and ping quiet contacts every heartbeat interval.
  Cluster(const std::string& name, size_t n, uint32_t replication,
          milliseconds repair_interval = milliseconds(30000),
          milliseconds heartbeat = milliseconds(10000))
      : root_(TestDir(name)) {
    spdlog::set_level(spdlog::level::warn);
    for (size_t i = 0; i < n; ++i) {
      local::NodeConfig config;
      config.storage.data_path = root_ + "/node" + std::to_string(i);
      config.storage.replication_factor = replication;
      config.storage.write_quorum = std::min<uint32_t>(2, replication);
      config.storage.chunk_size = kChunkBytes;
      config.storage.repair_interval_ms = static_cast<uint32_t>(repair_interval.count());
      config.network.heartbeat_interval_ms = static_cast<uint32_t>(heartbeat.count());
      config.network.p2p_port = 0;
      if (i > 0) config.network.bootstrap_nodes = {nodes_[0]->overlay().address};
      auto dir = local::DataDir::Open(config.storage.data_path);
      REQUIRE(dir.ok());
      auto node = Node::Start(config, std::move(dir).value());
      REQUIRE(node.ok());
      nodes_.push_back(std::move(node).value());
    }
    // Everyone knows everyone: placement sees the whole network.
    REQUIRE(Eventually(
        [&] {
          for (auto& node : nodes_) {
            auto peers = Ask<std::vector<PeerInfo>>(node->system(), node->overlay().router,
                                                    peers_atom::value);
            if (!peers.ok() || peers->size() != n - 1) return false;
          }
          return true;
        },
        milliseconds(20000)));
  }
  ~Cluster() {
    for (auto& node : nodes_) {
      if (node) node->Stop();
    }
    std::filesystem::remove_all(root_);
  }

  Node& node(size_t i) { return *nodes_[i]; }
  // Stops node `i` for good: to the others it is a node that died.
  void Stop(size_t i) {
    nodes_[i]->Stop();
    nodes_[i].reset();
  }
  size_t size() const { return nodes_.size(); }

  // Uploads `csv_text` (or the file at `csv_path`) through node `i`'s keeper.
  UploadOutcome Upload(size_t i, const std::string& name, const std::string& csv_text) {
    const std::string spool = root_ + "/spool-" + std::to_string(spools_++) + ".csv";
    std::ofstream(spool) << csv_text;
    auto outcome = Ask<UploadOutcome>(node(i).system(), node(i).keeper(), upload_atom::value,
                                      UploadRequest{name, spool});
    REQUIRE(outcome.ok());
    CHECK_FALSE(std::filesystem::exists(spool));  // the keeper removes the spooled file
    return *outcome;
  }

  std::vector<std::string> Listed(size_t i) {
    auto datasets =
        Ask<std::vector<DatasetSummary>>(node(i).system(), node(i).keeper(), datasets_atom::value);
    std::vector<std::string> names;
    if (datasets.ok()) {
      for (const DatasetSummary& d : *datasets) {
        names.push_back(d.manifest.name + " v" + std::to_string(d.manifest.version));
      }
    }
    return names;
  }

  StorageStatus Storage(size_t i) {
    auto status = Ask<StorageStatus>(node(i).system(), node(i).keeper(), status_atom::value);
    REQUIRE(status.ok());
    return *status;
  }

 private:
  const std::string root_;
  std::vector<std::unique_ptr<Node>> nodes_;
  size_t spools_ = 0;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A CSV of `rows` rows big enough to make several chunks at a small chunk size.
std::string NumbersCsv(size_t rows) {
  std::string csv = "id,label,value\n";
  for (size_t i = 0; i < rows; ++i) {
    csv += std::to_string(i) + ",label-" + std::to_string(i % 97) + "," + std::to_string(i * 0.5) +
           "\n";
  }
  return csv;
}

TEST_CASE("An upload lands on every node of a 3-node network with R = 3, and each lists it",
          "[actors][net][upload]") {
  Cluster cluster("three", 3, 3);
  const std::string csv = ReadAll(kProductsCsv);
  const UploadOutcome outcome = cluster.Upload(0, "products", csv);
  REQUIRE(outcome.status.ok());
  const UploadReceipt& receipt = outcome.receipt;
  CHECK(receipt.version == 1);
  CHECK(receipt.replicas_target == 3);
  CHECK(receipt.replicas_min == 3);

  // The same file imported locally gives the same rows, schema and chunks.
  store::MemChunkStore local_store;
  local::SystemClock clock;
  InlineTaskRunner runner;
  store::ImportEnv env{&clock, &runner, NodeId(), {}};
  auto source = store::OpenFileSource(kProductsCsv);
  REQUIRE(source.ok());
  store::ImportOptions options;
  options.name = "products";
  options.target_chunk_bytes = kChunkBytes;
  auto imported = store::ImportCsv(local_store, **source, options, env);
  REQUIRE(imported.ok());
  CHECK(receipt.rows == imported->manifest.total_rows);
  CHECK(receipt.columns == imported->manifest.schema);
  CHECK(receipt.chunks == imported->manifest.chunks.size());

  // Every node lists it within 2 s of the reply, and holds every chunk (R = N).
  for (size_t i = 0; i < cluster.size(); ++i) {
    CHECK(Eventually([&] { return cluster.Listed(i) == std::vector<std::string>{"products v1"}; },
                     milliseconds(2000)));
    CHECK(cluster.Storage(i).chunks == receipt.chunks);
  }
  // The holders of every chunk, asked from another node, are all three.
  auto detail = Ask<DatasetDetail>(cluster.node(2).system(), cluster.node(2).keeper(),
                                   dataset_atom::value, std::string("products"));
  REQUIRE(detail.ok());
  CHECK(detail->manifest_id == receipt.dataset_id);
  for (const auto& holders : detail->holders) CHECK(holders.size() == 3);

  // Any node answers SQL over it as the embedded engine does over the same file.
  local::LocalEngine engine(local::LocalEngineOptions{});
  REQUIRE(engine.AttachStore(local_store).ok());
  const std::string sql =
      "SELECT category, COUNT(*), SUM(price) FROM products GROUP BY 1 ORDER BY 1";
  auto expected = engine.engine().Run(sql);
  REQUIRE(expected.ok());
  for (size_t i = 0; i < cluster.size(); ++i) {
    auto answer = Ask<QueryAnswer>(cluster.node(i).system(), cluster.node(i).planner(),
                                   query_atom::value, QueryRequest{sql, false, true, nullptr});
    REQUIRE(answer.ok());
    CHECK(answer->result.rows == expected->back().rows);
  }

  // A second upload of the name is version 2 everywhere; a delete removes it everywhere.
  const UploadOutcome second = cluster.Upload(1, "products", csv);
  REQUIRE(second.status.ok());
  CHECK(second.receipt.version == 2);
  for (size_t i = 0; i < cluster.size(); ++i) {
    CHECK(Eventually([&] { return cluster.Listed(i) == std::vector<std::string>{"products v2"}; },
                     milliseconds(2000)));
  }
  auto deleted = Ask<uint64_t>(cluster.node(2).system(), cluster.node(2).keeper(),
                               delete_atom::value, std::string("products"));
  REQUIRE(deleted.ok());
  CHECK(*deleted == 3);  // the tombstone is the dataset's next version
  for (size_t i = 0; i < cluster.size(); ++i) {
    CHECK(Eventually([&] { return cluster.Listed(i).empty(); }, milliseconds(2000)));
    CHECK(Eventually([&] { return cluster.Storage(i).chunks == 0; }, milliseconds(2000)));
  }
  auto gone = Ask<DatasetDetail>(cluster.node(0).system(), cluster.node(0).keeper(),
                                 dataset_atom::value, std::string("products"));
  CHECK(gone.status().IsNotFound());
}

TEST_CASE("With R = 2 on 4 nodes each chunk lives on its 2 closest nodes",
          "[actors][net][upload]") {
  Cluster cluster("placement", 4, 2);
  const UploadOutcome outcome = cluster.Upload(0, "numbers", NumbersCsv(60000));
  REQUIRE(outcome.status.ok());
  REQUIRE(outcome.receipt.chunks > 1);
  CHECK(outcome.receipt.replicas_min == 2);
  std::vector<NodeId> all;
  for (size_t i = 0; i < cluster.size(); ++i) all.push_back(cluster.node(i).id());
  REQUIRE(Eventually([&] { return !cluster.Listed(3).empty(); }, milliseconds(2000)));
  auto detail = Ask<DatasetDetail>(cluster.node(3).system(), cluster.node(3).keeper(),
                                   dataset_atom::value, std::string("numbers"));
  REQUIRE(detail.ok());
  for (size_t c = 0; c < detail->manifest.chunks.size(); ++c) {
    const auto closest = dht::ClosestNodes(detail->manifest.chunks[c].id, all, 2);
    const std::set<NodeId> expected(closest.begin(), closest.end());
    std::set<NodeId> holders(detail->holders[c].begin(), detail->holders[c].end());
    // The uploader may still hold a staged copy until repair hands it off.
    holders.erase(cluster.node(0).id());
    std::set<NodeId> expected_others = expected;
    expected_others.erase(cluster.node(0).id());
    CHECK(holders == expected_others);
  }
}

TEST_CASE("A malformed CSV is refused with its line and column and leaves nothing anywhere",
          "[actors][net][upload]") {
  Cluster cluster("malformed", 3, 3);
  std::string csv = NumbersCsv(50000);
  csv += "1,2\n";  // a ragged last row, after many good chunks
  const UploadOutcome outcome = cluster.Upload(0, "broken", csv);
  CHECK(outcome.status.IsInvalidArgument());
  CHECK(outcome.line == 50002);
  CHECK(outcome.column > 0);
  for (size_t i = 0; i < cluster.size(); ++i) {
    CHECK(cluster.Listed(i).empty());
    CHECK(cluster.Storage(i).chunks == 0);
  }
}

// The holders of every chunk of `name` as node `i` finds them, or nullopt if it cannot ask.
std::optional<std::vector<std::vector<NodeId>>> Holders(Cluster& cluster, size_t i,
                                                        const std::string& name) {
  auto detail = Ask<DatasetDetail>(cluster.node(i).system(), cluster.node(i).keeper(),
                                   dataset_atom::value, name);
  if (!detail.ok()) return std::nullopt;
  return detail->holders;
}

// Whether every chunk has exactly `copies` holders, none of them a stopped node.
bool EveryChunkHeldBy(const std::vector<std::vector<NodeId>>& holders, size_t copies,
                      const std::set<NodeId>& stopped) {
  for (const auto& chunk : holders) {
    if (chunk.size() != copies) return false;
    for (const NodeId& node : chunk) {
      if (stopped.count(node)) return false;
    }
  }
  return true;
}

TEST_CASE("With R = 3 on 5 nodes, two nodes lost one after another lose no chunk",
          "[actors][net][upload][repair]") {
  Cluster cluster("repair", 5, 3, milliseconds(500), milliseconds(500));
  const UploadOutcome outcome = cluster.Upload(0, "numbers", NumbersCsv(60000));
  REQUIRE(outcome.status.ok());
  REQUIRE(outcome.receipt.chunks > 3);
  REQUIRE(Eventually([&] { return !cluster.Listed(4).empty(); }, milliseconds(2000)));
  // Repair hands the uploader's extra copies off: every chunk on exactly its 3 closest.
  CHECK(Eventually(
      [&] {
        auto holders = Holders(cluster, 4, "numbers");
        return holders && EveryChunkHeldBy(*holders, 3, {});
      },
      milliseconds(15000)));

  std::set<NodeId> stopped;
  for (size_t lost : {size_t{1}, size_t{2}}) {
    stopped.insert(cluster.node(lost).id());
    cluster.Stop(lost);
    // The survivors notice, and repair puts each chunk back on 3 live nodes.
    CHECK(Eventually(
        [&] {
          auto holders = Holders(cluster, 4, "numbers");
          return holders && EveryChunkHeldBy(*holders, 3, stopped);
        },
        milliseconds(30000)));
  }
  StorageStatus status = cluster.Storage(0);
  CHECK(status.repair_rounds > 0);
  CHECK(status.repair_copies + cluster.Storage(3).repair_copies + cluster.Storage(4).repair_copies >
        0);
}

}  // namespace
}  // namespace lake::actors
