// Fuzz target: the JSON a node or a client parses from bytes it does not control. The first byte
// picks the reader:
//   0  a query answer as /api/query returns it, {"columns": [...], "data": [[...]]}, read back by
//      gateway::ResultFromJson (`p2plake query`); what it accepts must render to JSON that reads
//      back to the same rows;
//   1  config.json through local::ParseNodeConfig, whose result must pass ValidateNodeConfig;
//   2  an upload's file name and dataset name: DatasetNameFromFileName always gives a valid name,
//      and host:port text through ParseHostPort.
// (The gateway's own request bodies are read with nlohmann::json's parser and type checks in the
// route handlers; the values they pass on are checked by the functions fuzzed here and in
// sql_engine and csv_import.)
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/query_json.h"
#include "local/node_config.h"
#include "store/manifest.h"
#include "tests/fuzz/fuzz_check.h"

namespace lake {
namespace {

using nlohmann::json;

void CheckQueryAnswer(std::string_view text) {
  const json answer = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object() || !answer.contains("columns") || !answer.contains("data")) return;
  Result<sql::QueryResult> result = gateway::ResultFromJson(answer["columns"], answer["data"]);
  if (!result.ok()) return;
  const json columns = gateway::ColumnsToJson(*result);
  const json rows = gateway::RowsToJson(*result, gateway::RowMode::kArray);
  Result<sql::QueryResult> again = gateway::ResultFromJson(columns, rows);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(gateway::ColumnsToJson(*again) == columns);
  FUZZ_CHECK(gateway::RowsToJson(*again, gateway::RowMode::kArray).dump() == rows.dump());
}

void CheckConfig(std::string_view text) {
  std::vector<std::string> warnings;
  Result<local::NodeConfig> config = local::ParseNodeConfig(text, &warnings);
  if (config.ok()) FUZZ_CHECK(local::ValidateNodeConfig(*config).ok());
}

void CheckNames(std::string_view text) {
  FUZZ_CHECK(store::ValidateDatasetName(store::DatasetNameFromFileName(text)).ok());
  Result<std::pair<std::string, uint16_t>> host_port = local::ParseHostPort(text);
  if (host_port.ok()) {
    FUZZ_CHECK(!host_port->first.empty());
    FUZZ_CHECK(host_port->second != 0);
  }
}

}  // namespace
}  // namespace lake

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lake::fuzz::FuzzInput input(data, size);
  const uint8_t which = input.Byte() % 3;
  const std::string_view text = lake::AsChars(input.Rest());
  switch (which) {
    case 0:
      lake::CheckQueryAnswer(text);
      break;
    case 1:
      lake::CheckConfig(text);
      break;
    case 2:
      lake::CheckNames(text);
      break;
  }
  return 0;
}
