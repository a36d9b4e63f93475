// A node's dataset, query and status API as the [net] tests call it over HTTP on 127.0.0.1:
// uploads (raw text/csv), the dataset list, deletes, queries, status counters and peer lists,
// plus forming a mesh of NodeProcesses. Every call answers a "no answer" value rather than
// throwing when the node is down or slow.
// Thread-safety: free functions; each call uses its own HTTP client, so any thread may call them.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/net/node_process.h"

namespace lake::nettest {

using Nodes = std::vector<NodeProcess*>;

// A node's answer: its HTTP status (0 if none came: the connection failed) and body (discarded
// JSON if not JSON).
struct HttpReply {
  int status = 0;
  nlohmann::json body;
  std::string error;  // why no answer came
};
std::ostream& operator<<(std::ostream& out, const HttpReply& reply);

using UploadReply = HttpReply;
using QueryReply = HttpReply;

// POST /api/upload?name=NAME with `csv` as text/csv, waiting up to two minutes for the answer.
UploadReply PostCsv(uint16_t port, const std::string& name, const std::string& csv);

// Uploads `csv` as `name` (version 1) through `to` and REQUIREs that it is accepted and that
// every node of `nodes` lists it within 5 s. Call from a test case.
UploadReply UploadEverywhere(const NodeProcess& to, const std::string& name, const std::string& csv,
                             const Nodes& nodes);

// POST /api/query {"sql": sql, "rowMode": "array"}: each row an array of one value per column.
QueryReply PostQuery(uint16_t port, const std::string& sql,
                     milliseconds timeout = milliseconds(30000));
// The `data` rows (objects keyed by column name) of a 200 answer to {"sql": sql}, else nullopt.
std::optional<nlohmann::json> QueryRows(uint16_t port, const std::string& sql);

// DELETE /api/datasets/{name}; true on 200.
bool DeleteDataset(uint16_t port, const std::string& name);

// The entry for `name` in GET /api/datasets, if the node answers and lists it.
std::optional<nlohmann::json> Listed(const NodeProcess& node, const std::string& name);
// True if the node answers GET /api/datasets without `name` (not merely fails to answer).
bool Unlisted(const NodeProcess& node, const std::string& name);
bool ListsVersion(const NodeProcess& node, const std::string& name, uint64_t version);

// storageUsage.totalChunks of /api/status, or -1 if the node does not answer.
int64_t TotalChunks(const NodeProcess& node);
// One of /api/status's `replication` counters, or -1 if the node does not answer.
int64_t ReplicationCounter(const NodeProcess& node, const std::string& name);

// True if `node` lists the node whose id is `id` (hex) in /api/peers.
bool ListsPeer(const NodeProcess& node, const std::string& id);
// True once every node of `nodes` lists every other one in /api/peers, and none of `gone`.
bool Meshed(const Nodes& nodes, const Nodes& gone = {});

// Starts `nodes` with `extra_args`, every one after the first seeded with the first, and
// REQUIREs that they form a mesh within 20 s. Call from a test case.
void StartMesh(const Nodes& nodes, const std::vector<std::string>& extra_args);
// The same with arguments of their own: node i gets `args_per_node[i]`.
// REQUIRES: args_per_node.size() == nodes.size().
void StartMeshOf(const Nodes& nodes, const std::vector<std::vector<std::string>>& args_per_node);

}  // namespace lake::nettest
