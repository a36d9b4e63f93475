// Uploads and the dataset routes over a real node on 127.0.0.1 (in-process, one node, R = 1):
// sample-data/products.csv uploaded in each body form must store what `p2plake import` stores
// and answer SQL as the local engine does; refused uploads store nothing and leave no spool file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "store/manifest.h"
#include "tests/gateway/gateway_node.h"

namespace lake::gateway {
namespace {

using nlohmann::json;
using testing::GatewayNode;

const std::string kProductsCsv = std::string(LAKE_SOURCE_DIR) + "/sample-data/products.csv";
constexpr uint64_t kMaxUploadBytes = 16 * 1024;

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

GatewayOptions SmallUploads() {
  GatewayOptions options;
  options.max_upload_bytes = kMaxUploadBytes;
  return options;
}

// An empty node taking uploads of at most kMaxUploadBytes; products.csv imported locally
// elsewhere as the reference.
struct UploadFixture {
  UploadFixture()
      : reference_scratch("upload-ref"),
        reference_dir(reference_scratch.path()),
        reference(testing::ImportFile(reference_dir, kProductsCsv, "products")),
        scratch("upload"),
        data_dir(scratch.path()),
        gateway(data_dir, testing::OneReplica(), SmallUploads()) {}

  // A 201's body holds what the import of the same file reports.
  void CheckStoredLikeImport(const json& answer, const std::string& name) {
    const store::Manifest& m = reference.manifest;
    REQUIRE(answer["success"] == true);
    CHECK(answer["name"] == name);
    CHECK(answer["version"] == 1);
    CHECK(answer["datasetId"].get<std::string>().size() == 64);
    CHECK(answer["rows"] == m.total_rows);
    REQUIRE(answer["columns"].size() == m.schema.size());
    for (size_t i = 0; i < m.schema.size(); ++i) {
      CHECK(answer["columns"][i]["name"] == m.schema[i].name);
      CHECK(answer["columns"][i]["type"] == std::string(TypeName(m.schema[i].type)));
    }
    CHECK(answer["chunks"] == m.chunks.size());
    CHECK(answer["bytes"] == m.total_bytes);
    CHECK(answer["replicas"] == json{{"min", 1}, {"target", 1}});
    CHECK(answer["replicationStatus"] == "complete");
    CHECK(answer["executionTime"].is_number());
  }

  const testing::ScratchDir reference_scratch;
  const std::string reference_dir;
  const store::ImportSummary reference;
  const testing::ScratchDir scratch;  // removed after the node below has stopped
  const std::string data_dir;
  GatewayNode gateway;
};

TEST_CASE_METHOD(UploadFixture,
                 "An upload in each body form stores what an import stores and answers SQL alike",
                 "[gateway][upload][net]") {
  const std::string csv = ReadWhole(kProductsCsv);
  httplib::Client& client = gateway.client();

  // The original app's JSON; the name comes from the file name.
  CheckStoredLikeImport(
      GatewayNode::Body(
          client.Post("/api/upload", json{{"filename", "products.csv"}, {"data", csv}}.dump(),
                      "application/json"),
          201),
      "products");
  // Raw CSV named by ?name=.
  CheckStoredLikeImport(
      GatewayNode::Body(client.Post("/api/upload?name=products_raw", csv, "text/csv"), 201),
      "products_raw");
  // A browser's form: the file and a name field.
  CheckStoredLikeImport(GatewayNode::Body(client.Post("/api/upload",
                                                      httplib::MultipartFormDataItems{
                                                          {"file", csv, "products.csv", "text/csv"},
                                                          {"name", "products_form", "", ""}}),
                                          201),
                        "products_form");
  CHECK(std::filesystem::is_empty(gateway.spool_dir()));

  const json list = gateway.Get("/api/datasets");
  CHECK(list["success"] == true);
  REQUIRE(list["datasets"].size() == 3);
  for (const json& dataset : list["datasets"]) {
    CHECK(dataset["rowCount"] == reference.manifest.total_rows);
    CHECK(dataset["columnCount"] == reference.manifest.schema.size());
    CHECK(dataset["chunks"] == reference.manifest.chunks.size());
    CHECK(dataset["version"] == 1);
    CHECK(dataset["uploader"] == gateway.node().id().ToHex());
    CHECK(dataset["createdAt"].get<std::string>().size() == 24);  // 2024-05-01T12:34:56.789Z
  }

  const json detail = gateway.Get("/api/datasets/products");
  CHECK(detail["name"] == "products");
  CHECK(detail["rowCount"] == reference.manifest.total_rows);
  CHECK(detail["replicas"]["target"] == 1);
  REQUIRE(detail["chunks"].size() == reference.manifest.chunks.size());
  for (size_t i = 0; i < reference.manifest.chunks.size(); ++i) {
    CHECK(detail["chunks"][i]["id"] == reference.manifest.chunks[i].id.ToHex());
    CHECK(detail["chunks"][i]["rows"] == reference.manifest.chunks[i].rows);
    CHECK(detail["chunks"][i]["holders"] == json::array({gateway.node().id().ToHex()}));
  }
  gateway.Get("/api/datasets/nothing_here", 404);
  gateway.Get("/api/datasets/not-a-name", 400);

  const std::string sql =
      "SELECT category, COUNT(*) AS n, SUM(stock_quantity) AS stock, MAX(price) AS top "
      "FROM products GROUP BY category ORDER BY category";
  const json answer = gateway.Query(json{{"sql", sql}}.dump(), 200);
  CHECK(answer["data"] == testing::EngineRows(reference_dir, sql));
  CHECK(answer["data"].size() >= 2);

  // The deletion is the dataset's next version (a tombstone every node adopts).
  const json deleted = GatewayNode::Body(client.Delete("/api/datasets/products"), 200);
  CHECK(deleted == json{{"success", true}, {"name", "products"}, {"version", 2}});
  gateway.Get("/api/datasets/products", 404);
  GatewayNode::Body(client.Delete("/api/datasets/products"), 404);
  CHECK(gateway.Get("/api/datasets")["datasets"].size() == 2);
}

TEST_CASE_METHOD(UploadFixture,
                 "A malformed CSV answers 400 with its line and column, storing nothing",
                 "[gateway][upload][net]") {
  // Line 3 has a third field the header does not.
  const json refused = GatewayNode::Body(
      gateway.client().Post("/api/upload?name=ragged", "a,b\n1,2\n3,4,5\n6,7\n", "text/csv"), 400);
  CHECK(refused["success"] == false);
  CHECK(refused["line"] == 3);
  CHECK(refused["column"] == 3);
  CHECK(refused["error"].get<std::string>().find("line 3") != std::string::npos);
  CHECK(gateway.Get("/api/datasets")["datasets"] == json::array());
  CHECK(std::filesystem::is_empty(gateway.spool_dir()));

  // Refused by the gateway before the keeper sees it.
  GatewayNode::Body(gateway.client().Post("/api/upload?name=1bad", "a\n1\n", "text/csv"), 400);
  GatewayNode::Body(gateway.client().Post("/api/upload", "a\n1\n", "image/png"), 415);
  GatewayNode::Body(
      gateway.client().Post("/api/upload", json{{"data", "a\n1\n"}}.dump(), "application/json"),
      400);
}

TEST_CASE_METHOD(UploadFixture, "A body over maxUploadBytes answers 413 and leaves no spool file",
                 "[gateway][upload][net]") {
  std::string big = "id,text\n";
  while (big.size() <= kMaxUploadBytes + 4096) big += "1,some words to fill the body\n";

  // Declared by its Content-Length: refused before it is read.
  const json declared =
      GatewayNode::Body(gateway.client().Post("/api/upload?name=big", big, "text/csv"), 413);
  CHECK(declared["success"] == false);
  CHECK(declared["error"].get<std::string>().find("maxUploadBytes") != std::string::npos);
  // A client that asks before sending ("Expect: 100-continue") gets the 413 in place of
  // "100 Continue", with the length that says where it ends.
  const httplib::Result asking = gateway.client().Post(
      "/api/upload?name=big", httplib::Headers{{"Expect", "100-continue"}}, big, "text/csv");
  CHECK(GatewayNode::Body(asking, 413) == declared);
  CHECK(asking->get_header_value("Content-Length") == std::to_string(asking->body.size()));

  // Chunked, so only counting finds it out. The node stops reading at the bound and answers;
  // the bound is passed by the last chunk here, so this client is done sending by then (one
  // still sending would see its connection reset instead).
  const std::string over = big.substr(0, kMaxUploadBytes + 100);
  auto send_chunks = [&](size_t offset, httplib::DataSink& sink) {
    const size_t n = std::min<size_t>(1024, over.size() - offset);
    sink.write(over.data() + offset, n);
    if (offset + n == over.size()) sink.done();
    return true;
  };
  httplib::Client chunked_client("127.0.0.1", gateway.port());
  const json counted =
      GatewayNode::Body(chunked_client.Post("/api/upload?name=big", send_chunks, "text/csv"), 413);
  CHECK(counted["success"] == false);
  CHECK(std::filesystem::is_empty(gateway.spool_dir()));
  CHECK(gateway.Get("/api/datasets")["datasets"] == json::array());
}

}  // namespace
}  // namespace lake::gateway
