// Data replicated across real `p2plake node` processes on 127.0.0.1, with short repair and
// heartbeat intervals from a config file the test writes: a killed node's chunks are repaired
// onto the survivors and it catches up with a version it missed when it returns; an uploader
// killed mid-upload leaves nothing visible and its orphan copies are collected; a receiver
// killed mid-upload leaves an acknowledged upload readable and repaired once it returns.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/id.h"
#include "dht/placement.h"
#include "tests/net/generated_csv.h"
#include "tests/net/node_api.h"
#include "tests/net/node_process.h"

namespace lake::nettest {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// Chunk id -> the node ids holding it (hex).
using HolderMap = std::map<std::string, std::set<std::string>>;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
}

// A config.json with intervals short enough for a test: repair every second, heartbeats every
// second (a dead node leaves the tables in about two), chunks of at most 64 KiB decoded; R = 3,
// W = 2.
std::string WriteConfig(const std::string& path, std::optional<uint64_t> orphan_grace_ms) {
  json storage = {
      {"replicationFactor", 3}, {"writeQuorum", 2}, {"chunkSize", 65536}, {"repairInterval", 1000}};
  if (orphan_grace_ms) storage["orphanGrace"] = *orphan_grace_ms;
  return WriteFile(path,
                   json{{"network", {{"heartbeatInterval", 1000}}}, {"storage", storage}}.dump());
}

// GET /api/datasets/{name}: its chunks with their confirmed holders. HAVE requests to a peer
// that just died may wait for the keeper's request timeout (10 s), hence the long read timeout.
std::optional<json> Detail(const NodeProcess& node, const std::string& name) {
  return GetJson(node.http_port(), "/api/datasets/" + name, milliseconds(15000));
}

// SELECT COUNT(*) over `table` on `node`, or -1 if the query fails.
int64_t CountRows(const NodeProcess& node, const std::string& table) {
  const std::optional<json> rows =
      QueryRows(node.http_port(), "SELECT COUNT(*) AS n FROM " + table);
  return rows && rows->size() == 1 ? (*rows)[0]["n"].get<int64_t>() : -1;
}

// The holders of each chunk of `name` (by chunk id) as `node` reports them: itself if it holds
// a copy, and those of its R closest live contacts that confirm one.
HolderMap Holders(const NodeProcess& node, const std::string& name) {
  HolderMap holders;
  const std::optional<json> detail = Detail(node, name);
  if (!detail) return holders;
  for (const json& chunk : (*detail)["chunks"]) {
    std::set<std::string>& of_chunk = holders[chunk["id"].get<std::string>()];
    for (const json& holder : chunk["holders"]) of_chunk.insert(holder.get<std::string>());
  }
  return holders;
}

std::string Describe(const HolderMap& holders) {
  std::string text;
  for (const auto& [chunk, nodes] : holders) {
    text += chunk.substr(0, 8) + ":";
    for (const std::string& node : nodes) text += " " + node.substr(0, 8);
    text += "\n";
  }
  return text;
}

std::string Ids(const Nodes& nodes) {
  std::string text;
  for (const NodeProcess* node : nodes) text += node->node_id().substr(0, 8) + " ";
  return text;
}

// True if every chunk in `holders` has exactly the nodes `expected` gives it.
bool HeldExactly(const HolderMap& holders,
                 const std::function<std::set<std::string>(const std::string&)>& expected) {
  if (holders.empty()) return false;
  for (const auto& [chunk, nodes] : holders) {
    if (nodes != expected(chunk)) return false;
  }
  return true;
}

// The node ids of `nodes` R-closest to `chunk` (hex), as placement chooses them.
std::set<std::string> ClosestOf(const std::string& chunk, const Nodes& nodes) {
  std::vector<NodeId> ids;
  for (const NodeProcess* node : nodes) ids.push_back(*Id::FromHex(node->node_id()));
  std::set<std::string> closest;
  for (const NodeId& id : dht::ClosestNodes(*Id::FromHex(chunk), ids, 3)) {
    closest.insert(id.ToHex());
  }
  return closest;
}

// The holders of every chunk as all of `nodes` together see them: each node reports its own copy,
// so the union over every live node is the whole truth.
HolderMap HoldersSeenByAll(const Nodes& nodes, const std::string& name) {
  HolderMap all;
  for (const NodeProcess* node : nodes) {
    for (auto& [chunk, holders] : Holders(*node, name))
      all[chunk].insert(holders.begin(), holders.end());
  }
  return all;
}

TEST_CASE(
    "A killed node's chunks are repaired onto the survivors, and it returns to the newest "
    "version and its own share of the chunks",
    "[net][replication]") {
  const std::string dir = FreshTestDir("repair");
  // A short orphan grace: b, back with version 1 only, may push version 1's chunks to its peers
  // before the catalog tells it of version 2; those copies must not outlive the test.
  const std::string config = WriteConfig(dir + "/config.json", 2000);
  NodeProcess a(dir + "/a"), b(dir + "/b"), c(dir + "/c"), d(dir + "/d");
  const Nodes all{&a, &b, &c, &d};
  const Nodes survivors{&a, &c, &d};
  StartMesh(all, {"--config", config});

  const size_t rows1 = 60000;
  const UploadReply v1 = PostCsv(a.http_port(), "events", GeneratedCsv(rows1, 1));
  const auto acknowledged = Clock::now();
  INFO("v1: " << v1 << "\nnode a stderr:\n" << a.Stderr());
  REQUIRE(v1.status == 201);
  CHECK(v1.body["version"] == 1);
  CHECK(v1.body["rows"] == rows1);
  CHECK(v1.body["chunks"] >= 20);  // dozens of chunks, so placement spreads them
  CHECK(v1.body["replicas"] == json({{"min", 3}, {"target", 3}}));
  CHECK(v1.body["replicationStatus"] == "complete");

  // The catalog reaches every node within one gossip round trip.
  const bool everywhere = Eventually(
      [&] {
        return std::all_of(all.begin(), all.end(),
                           [](const NodeProcess* n) { return ListsVersion(*n, "events", 1); });
      },
      seconds(2), milliseconds(20));
  INFO("listed everywhere after " << MillisSince(acknowledged) << " ms");
  CHECK(everywhere);

  b.Kill9();
  const std::string b_id = b.node_id();
  {
    // At once: every chunk still has a live copy (R = 3, one node lost: two at least).
    const HolderMap holders = Holders(c, "events");
    INFO("b " << b_id.substr(0, 8) << "; holders seen by c:\n" << Describe(holders));
    CHECK(holders.size() == v1.body["chunks"].get<size_t>());
    for (const auto& [chunk, nodes] : holders) {
      CHECK(nodes.count(b_id) == 0);
      CHECK(nodes.size() >= 2);
    }
  }

  // Repair: three live nodes left, so every chunk ends on all three.
  const auto killed = Clock::now();
  HolderMap repaired;
  const std::set<std::string> survivor_ids{a.node_id(), c.node_id(), d.node_id()};
  const bool complete = Eventually(
      [&] {
        repaired = HoldersSeenByAll(survivors, "events");
        return HeldExactly(repaired, [&](const std::string&) { return survivor_ids; });
      },
      seconds(30), milliseconds(200));
  INFO("repair after " << MillisSince(killed) << " ms; survivors " << Ids(survivors)
                       << "; holders:\n"
                       << Describe(repaired));
  REQUIRE(complete);
  // Each survivor holds every chunk, so its local answer is the whole table's.
  for (const NodeProcess* node : survivors) CHECK(CountRows(*node, "events") == int64_t(rows1));

  // Version 2 while b is away, once every survivor has dropped b from its table (so placement
  // chooses among the three live nodes and the upload is complete).
  REQUIRE(Eventually([&] { return Meshed(survivors, {&b}); }, seconds(15)));
  const size_t rows2 = 50000;
  const UploadReply v2 = PostCsv(d.http_port(), "events", GeneratedCsv(rows2, 2));
  INFO("v2: " << v2);
  REQUIRE(v2.status == 201);
  CHECK(v2.body["version"] == 2);
  CHECK(v2.body["rows"] == rows2);
  CHECK(v2.body["replicationStatus"] == "complete");
  REQUIRE(Eventually(
      [&] {
        return std::all_of(survivors.begin(), survivors.end(),
                           [](const NodeProcess* n) { return ListsVersion(*n, "events", 2); });
      },
      seconds(5)));

  // b returns on its data directory (still holding version 1): it rejoins, and lists version 2
  // as soon as a peer has sent it the catalog.
  REQUIRE(b.Restart());
  CHECK(b.node_id() == b_id);
  const auto restarted = Clock::now();
  const bool caught_up =
      Eventually([&] { return ListsVersion(b, "events", 2); }, seconds(6), milliseconds(20));
  INFO("b lists version 2 after " << MillisSince(restarted) << " ms");
  CHECK(caught_up);
  CHECK(Eventually([&] { return Meshed(all); }, seconds(15)));

  // Placement and hand-off settle: every chunk of version 2 on exactly its 3 closest live nodes,
  // and each node's store holds those chunks and nothing else (version 1's went with it).
  HolderMap placed;
  std::map<std::string, int64_t> stored;
  std::map<std::string, int64_t> expected_stored;
  bool b_went_back = false;
  const bool settled = Eventually(
      [&] {
        const std::optional<json> listed = Listed(b, "events");
        b_went_back = b_went_back || (listed && (*listed)["version"] != 2);
        placed = HoldersSeenByAll(all, "events");
        if (!HeldExactly(placed, [&](const std::string& chunk) { return ClosestOf(chunk, all); })) {
          return false;
        }
        for (const NodeProcess* node : all) {
          expected_stored[node->node_id()] = 0;
          for (const auto& [chunk, holders] : placed) {
            expected_stored[node->node_id()] += holders.count(node->node_id());
          }
          stored[node->node_id()] = TotalChunks(*node);
        }
        return stored == expected_stored;
      },
      seconds(40), milliseconds(250));
  INFO("after " << MillisSince(restarted) << " ms; nodes " << Ids(all) << "; holders:\n"
                << Describe(placed));
  CHECK(settled);
  CHECK_FALSE(b_went_back);
  CHECK(placed.size() == v2.body["chunks"].get<size_t>());
  for (const auto& [node, count] : expected_stored) {
    INFO("node " << node.substr(0, 8));
    CHECK(stored[node] == count);
  }
  CHECK(Listed(b, "events").value_or(json())["version"] == 2);
}

// About 37 MB in some 700 chunks: an upload whose pushes last long enough to be interrupted.
constexpr size_t kLargeRows = 700000;

TEST_CASE(
    "An uploader killed mid-upload publishes nothing: it recovers its staged chunks on "
    "restart and its peers collect the copies it pushed",
    "[net][replication]") {
  const std::string dir = FreshTestDir("kill-uploader");
  const std::string config = WriteConfig(dir + "/config.json", 2000);
  NodeProcess a(dir + "/a"), b(dir + "/b"), c(dir + "/c");
  const Nodes all{&b, &a, &c};  // b is the seed, so a finds the others again when it returns
  StartMesh(all, {"--config", config});

  // Two datasets in place: `base`, which nothing below may touch, and `scratch`, deleted while
  // a pushes (see below). R = 3 of 3 nodes: every node holds every chunk.
  const size_t base_rows = 5000;
  const UploadReply base = UploadEverywhere(a, "base", GeneratedCsv(base_rows, 3), all);
  const UploadReply scratch = UploadEverywhere(a, "scratch", GeneratedCsv(3000, 6), all);
  const int64_t base_chunks = base.body["chunks"];
  for (const NodeProcess* node : all) {
    CHECK(TotalChunks(*node) == base_chunks + scratch.body["chunks"].get<int64_t>());
  }
  std::map<const NodeProcess*, int64_t> received_before;
  for (const NodeProcess* peer : {&b, &c}) {
    received_before[peer] = ReplicationCounter(*peer, "pushesReceived");
  }

  const std::string large = GeneratedCsv(kLargeRows, 4);
  std::future<UploadReply> client =
      std::async(std::launch::async, [&] { return PostCsv(a.http_port(), "large", large); });
  // Staging is done and replication under way once a peer has stored one of the new chunks.
  std::map<const NodeProcess*, int64_t> received;
  const bool pushing = Eventually(
      [&] {
        for (const NodeProcess* peer : {&b, &c}) {
          received[peer] = ReplicationCounter(*peer, "pushesReceived") - received_before[peer];
        }
        return received[&b] > 0 || received[&c] > 0;
      },
      seconds(60), milliseconds(5));
  // Staged chunks are written without the write-ahead log, so a kill would usually take them
  // and their journal records together. A deletes `scratch` when b's tombstone reaches it, in a
  // synced write, which first flushes the staged chunks and their journal to disk: after that the
  // kill leaves a journal for the restart to recover.
  const bool deleted =
      pushing && DeleteDataset(b.http_port(), "scratch") &&
      Eventually([&] { return Unlisted(a, "scratch"); }, seconds(10), milliseconds(5));
  a.Kill9();
  const auto killed = Clock::now();
  INFO("pushed to b " << received[&b] << ", to c " << received[&c] << " before the kill");
  REQUIRE(pushing);
  REQUIRE(deleted);
  const UploadReply reply = client.get();
  INFO("upload answer: " << reply);
  CHECK(reply.status == 0);  // the connection broke: no answer, certainly no 201
  CHECK(Unlisted(b, "large"));
  CHECK(Unlisted(c, "large"));

  // Restarted, a removes what it had staged before anything is served.
  REQUIRE(a.Restart());
  CHECK(Unlisted(a, "large"));
  CHECK(TotalChunks(a) == base_chunks);
  INFO("a's stderr:\n" << a.Stderr());
  CHECK(a.Stderr().find("chunks of an interrupted import") != std::string::npos);
  CHECK(Eventually([&] { return Meshed(all); }, seconds(15)));

  // b and c never list it, and collect the orphaned copies after the grace (2 s); watched for
  // at least 4 s.
  bool listed = false;
  std::map<const NodeProcess*, int64_t> held;
  const bool collected = Eventually(
      [&] {
        bool only_base = true;
        for (const NodeProcess* node : all) {
          listed = listed || !Unlisted(*node, "large");
          held[node] = TotalChunks(*node);
          only_base = only_base && held[node] == base_chunks;
        }
        return only_base && MillisSince(killed) >= 4000;
      },
      seconds(20), milliseconds(100));
  INFO("after " << MillisSince(killed) << " ms: chunks on b " << held[&b] << ", on c " << held[&c]);
  CHECK_FALSE(listed);
  CHECK(collected);
  for (const NodeProcess* peer : {&b, &c}) {
    CHECK(ReplicationCounter(*peer, "chunksCollected") >= received[peer]);
  }
  // The dataset already there is untouched.
  for (const NodeProcess* node : all) {
    CHECK(ListsVersion(*node, "base", 1));
    CHECK(CountRows(*node, "base") == int64_t(base_rows));
  }
}

TEST_CASE(
    "A receiver killed mid-upload: the upload is acknowledged on the two live nodes or not "
    "at all, and the returning node gets its copies",
    "[net][replication]") {
  const std::string dir = FreshTestDir("kill-receiver");
  const std::string config = WriteConfig(dir + "/config.json", std::nullopt);
  NodeProcess a(dir + "/a"), b(dir + "/b"), c(dir + "/c");
  const Nodes all{&a, &b, &c};
  StartMesh(all, {"--config", config});

  const std::string large = GeneratedCsv(kLargeRows, 5);
  std::future<UploadReply> client =
      std::async(std::launch::async, [&] { return PostCsv(a.http_port(), "large", large); });
  const bool pushing = Eventually([&] { return TotalChunks(b) > 0; }, seconds(60), milliseconds(5));
  b.Kill9();
  REQUIRE(pushing);
  const UploadReply reply = client.get();
  INFO("upload answer: " << reply);
  const bool acknowledged = reply.status == 201;
  const std::set<std::string> a_and_c{a.node_id(), c.node_id()};
  if (acknowledged) {
    CHECK(reply.body["rows"] == kLargeRows);
    CHECK(reply.body["replicas"]["min"] == 2);  // W = 2: a and c
    CHECK(reply.body["replicationStatus"] == "degraded");
    CHECK(Eventually([&] { return ListsVersion(a, "large", 1) && ListsVersion(c, "large", 1); },
                     seconds(5)));
    const HolderMap holders = Holders(c, "large");
    INFO("holders seen by c:\n" << Describe(holders));
    CHECK(holders.size() == reply.body["chunks"].get<size_t>());
    CHECK(HeldExactly(holders, [&](const std::string&) { return a_and_c; }));
    // a and c hold every chunk: each answers the whole table.
    CHECK(CountRows(a, "large") == int64_t(kLargeRows));
    CHECK(CountRows(c, "large") == int64_t(kLargeRows));
  } else {
    WARN("the upload was refused: " << reply);
    CHECK(reply.status >= 400);  // a, alive, answers with the error
    CHECK_FALSE(
        Eventually([&] { return !Unlisted(a, "large") || !Unlisted(c, "large"); }, seconds(3)));
  }

  REQUIRE(b.Restart());
  if (!acknowledged) {
    CHECK_FALSE(Eventually([&] { return !Unlisted(b, "large"); }, seconds(3)));
    return;
  }
  // Repair puts b's copies back: every chunk on all three nodes, and every node answers the
  // whole table from its own store.
  HolderMap holders;
  const std::set<std::string> every{a.node_id(), b.node_id(), c.node_id()};
  const bool repaired = Eventually(
      [&] {
        holders = HoldersSeenByAll(all, "large");
        return ListsVersion(b, "large", 1) &&
               HeldExactly(holders, [&](const std::string&) { return every; });
      },
      seconds(40), milliseconds(250));
  INFO("holders:\n" << Describe(holders));
  CHECK(repaired);
  for (const NodeProcess* node : all) CHECK(CountRows(*node, "large") == int64_t(kLargeRows));
}

}  // namespace
}  // namespace lake::nettest
