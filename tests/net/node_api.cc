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

bool ListsPeer(const NodeProcess& node, const std::string& id) {
  const std::vector<std::string> ids = PeerIds(node.http_port());
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const UploadReply& reply) {
  return out << "HTTP " << reply.status << " " << reply.body.dump() << " " << reply.error;
}

UploadReply PostCsv(uint16_t port, const std::string& name, const std::string& csv) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(seconds(5));
  client.set_read_timeout(seconds(120));
  client.set_write_timeout(seconds(120));
  UploadReply reply;
  httplib::Result res = client.Post(("/api/upload?name=" + name).c_str(), csv, "text/csv");
  if (!res) {
    reply.error = httplib::to_string(res.error());
    return reply;
  }
  reply.status = res->status;
  reply.body = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  return reply;
}

std::optional<json> QueryRows(uint16_t port, const std::string& sql) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(seconds(5));
  client.set_read_timeout(seconds(30));
  httplib::Result res = client.Post("/api/query", json{{"sql", sql}}.dump(), "application/json");
  if (!res || res->status != 200) return std::nullopt;
  const json answer = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object() || !answer.contains("data")) return std::nullopt;
  return answer["data"];
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
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::vector<std::string> seeds;
    if (i > 0) seeds.push_back(nodes[0]->p2p_address());
    const bool started = nodes[i]->Start(seeds, extra_args);
    INFO(nodes[i]->error());
    REQUIRE(started);
  }
  REQUIRE(Eventually([&] { return Meshed(nodes); }, seconds(20)));
}

}  // namespace lake::nettest
