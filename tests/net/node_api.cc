#include "tests/net/node_api.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>

#include <catch2/catch.hpp>

namespace lake::nettest {
namespace {

using nlohmann::json;
using std::chrono::seconds;

std::optional<json> DatasetList(const NodeProcess& node) {
  const std::optional<json> list = GetJson(node.http_port(), "/api/datasets");
  if (!list || !list->contains("datasets") || !(*list)["datasets"].is_array()) return std::nullopt;
  return (*list)["datasets"];
}

// The status and body of `res`, or why there is none.
HttpReply ReplyOf(const httplib::Result& res) {
  HttpReply reply;
  if (!res) {
    reply.error = httplib::to_string(res.error());
    return reply;
  }
  reply.status = res->status;
  reply.body = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  return reply;
}

// POST /api/query with `body`, waiting up to `timeout` for the answer.
QueryReply PostQueryBody(uint16_t port, const json& body, milliseconds timeout) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(seconds(5));
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  return ReplyOf(client.Post("/api/query", body.dump(), "application/json"));
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const HttpReply& reply) {
  // A query's rows can be long: the start tells what went wrong.
  return out << "HTTP " << reply.status << " " << reply.body.dump().substr(0, 2000) << " "
             << reply.error;
}

UploadReply PostCsv(uint16_t port, const std::string& name, const std::string& csv) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(seconds(5));
  client.set_read_timeout(seconds(120));
  client.set_write_timeout(seconds(120));
  return ReplyOf(client.Post(("/api/upload?name=" + name).c_str(), csv, "text/csv"));
}

UploadReply UploadEverywhere(const NodeProcess& to, const std::string& name, const std::string& csv,
                             const Nodes& nodes) {
  const UploadReply reply = PostCsv(to.http_port(), name, csv);
  INFO(name << ": " << reply);
  REQUIRE(reply.status == 201);
  REQUIRE(Eventually(
      [&] {
        return std::all_of(nodes.begin(), nodes.end(),
                           [&](const NodeProcess* n) { return ListsVersion(*n, name, 1); });
      },
      seconds(5)));
  return reply;
}

QueryReply PostQuery(uint16_t port, const std::string& sql, milliseconds timeout) {
  return PostQueryBody(port, json{{"sql", sql}, {"rowMode", "array"}}, timeout);
}

std::optional<json> QueryRows(uint16_t port, const std::string& sql) {
  const QueryReply reply = PostQueryBody(port, json{{"sql", sql}}, seconds(30));
  if (reply.status != 200 || !reply.body.is_object() || !reply.body.contains("data")) {
    return std::nullopt;
  }
  return reply.body["data"];
}

bool DeleteDataset(uint16_t port, const std::string& name) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(seconds(5));
  client.set_read_timeout(seconds(10));
  httplib::Result res = client.Delete(("/api/datasets/" + name).c_str());
  return res && res->status == 200;
}

std::optional<json> Listed(const NodeProcess& node, const std::string& name) {
  const std::optional<json> list = DatasetList(node);
  if (!list) return std::nullopt;
  for (const json& dataset : *list) {
    if (dataset["name"] == name) return dataset;
  }
  return std::nullopt;
}

bool Unlisted(const NodeProcess& node, const std::string& name) {
  const std::optional<json> list = DatasetList(node);
  return list && std::none_of(list->begin(), list->end(),
                              [&](const json& dataset) { return dataset["name"] == name; });
}

bool ListsVersion(const NodeProcess& node, const std::string& name, uint64_t version) {
  const std::optional<json> dataset = Listed(node, name);
  return dataset && (*dataset)["version"] == version;
}

bool ListsPeer(const NodeProcess& node, const std::string& id) {
  const std::vector<std::string> ids = PeerIds(node.http_port());
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

int64_t TotalChunks(const NodeProcess& node) {
  const std::optional<json> status = GetJson(node.http_port(), "/api/status");
  return status ? (*status)["storageUsage"]["totalChunks"].get<int64_t>() : -1;
}

int64_t ReplicationCounter(const NodeProcess& node, const std::string& name) {
  const std::optional<json> status = GetJson(node.http_port(), "/api/status");
  return status ? (*status)["replication"][name].get<int64_t>() : -1;
}

bool Meshed(const Nodes& nodes, const Nodes& gone) {
  for (const NodeProcess* node : nodes) {
    for (const NodeProcess* other : nodes) {
      if (other != node && !ListsPeer(*node, other->node_id())) return false;
    }
    for (const NodeProcess* dead : gone) {
      if (ListsPeer(*node, dead->node_id())) return false;
    }
  }
  return true;
}

void StartMesh(const Nodes& nodes, const std::vector<std::string>& extra_args) {
  StartMeshOf(nodes, std::vector<std::vector<std::string>>(nodes.size(), extra_args));
}

void StartMeshOf(const Nodes& nodes, const std::vector<std::vector<std::string>>& args_per_node) {
  REQUIRE(args_per_node.size() == nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::vector<std::string> seeds;
    if (i > 0) seeds.push_back(nodes[0]->p2p_address());
    const bool started = nodes[i]->Start(seeds, args_per_node[i]);
    INFO(nodes[i]->error());
    REQUIRE(started);
  }
  REQUIRE(Eventually([&] { return Meshed(nodes); }, seconds(20)));
}

}  // namespace lake::nettest
