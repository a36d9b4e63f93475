// `p2plake upload` against a real `p2plake node` process on 127.0.0.1 (R = 1): the summary it
// prints agrees with `p2plake import --json` of the same file, a malformed file fails in one line
// naming where, and usage errors exit 2.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/net/node_process.h"

namespace lake::nettest {
namespace {

using nlohmann::json;

const std::string kEmployeesCsv = std::string(LAKE_SOURCE_DIR) + "/sample-data/employees.csv";

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("p2plake upload prints what the node stored, and one clear line when it refuses",
          "[net][cli]") {
  const std::string dir = FreshTestDir("upload-cli");
  const RunResult imported =
      RunP2plake({"import", "--json", "--data-dir", dir + "/reference", kEmployeesCsv});
  REQUIRE(imported.exit_code == 0);
  const json reference = json::parse(imported.out);

  NodeProcess node(dir + "/node");
  const bool started = node.Start({}, {"--replication", "1"});
  INFO(node.error());
  REQUIRE(started);
  const std::string url = "http://127.0.0.1:" + std::to_string(node.http_port());

  const RunResult uploaded = RunP2plake({"upload", "--node", url, kEmployeesCsv});
  INFO(uploaded.out << uploaded.err << node.Stderr());
  REQUIRE(uploaded.exit_code == 0);
  CHECK(Contains(uploaded.out, "uploaded employees (version 1)"));
  CHECK(Contains(uploaded.out, "rows      " + std::to_string(reference["rows"].get<uint64_t>())));
  for (const json& column : reference["columns"]) {
    CHECK(Contains(uploaded.out, column["name"].get<std::string>()));
  }
  CHECK(Contains(uploaded.out, "replicas  1 of 1"));
  CHECK(Contains(uploaded.out, "MB/s"));

  const RunResult again =
      RunP2plake({"upload", "--node", url, "--name", "staff", "--json", kEmployeesCsv});
  REQUIRE(again.exit_code == 0);
  const json answer = json::parse(again.out);
  CHECK(answer["name"] == "staff");
  CHECK(answer["rows"] == reference["rows"]);
  CHECK(answer["columns"] == reference["columns"]);

  // Line 3 has a field too many.
  const std::string ragged = WriteFile(dir + "/ragged.csv", "a,b\n1,2\n3,4,5\n");
  const RunResult refused = RunP2plake({"upload", "--node", url, ragged});
  CHECK(refused.exit_code == 1);
  CHECK(Contains(refused.err, "error: line 3, column 3"));
  CHECK(refused.out.empty());
}

TEST_CASE("p2plake upload: --help exits 0, usage errors 2, an unreachable node 1", "[net][cli]") {
  CHECK(RunP2plake({"upload", "--help"}).exit_code == 0);
  CHECK(RunP2plake({"upload"}).exit_code == 2);
  CHECK(RunP2plake({"upload", "--name", "1bad", kEmployeesCsv}).exit_code == 2);
  const RunResult unreachable =
      RunP2plake({"upload", "--node", "http://127.0.0.1:1", kEmployeesCsv});
  CHECK(unreachable.exit_code == 1);
  CHECK(Contains(unreachable.err, "cannot reach"));
}

}  // namespace
}  // namespace lake::nettest
