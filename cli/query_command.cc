// `p2plake query`: SQL sent to a node's POST /api/query, which answers it over the datasets of the
// network. The answer is read back into a QueryResult and printed by the same printer as
// `p2plake sql`, so both commands print an answer alike.
#include <httplib.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "cli/node_client.h"
#include "cli/result_printer.h"
#include "gateway/query_json.h"

namespace lake::cli {
namespace {

using nlohmann::json;

struct QueryArgs {
  std::string node = "http://127.0.0.1:3000";
  std::string token;
  std::string format = "table";
  bool allow_partial = false;
  int timeout_s = 300;
  std::string file;
  std::string sql;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "p2plake query: %s\n", message.c_str());
  return kExitFailure;
}

uint64_t Count(const json& stats, const char* key) {
  return stats.is_object() && stats.contains(key) && stats[key].is_number_unsigned()
             ? stats[key].get<uint64_t>()
             : 0;
}

// "24 rows in 1.2 ms (1/1 chunks scanned, 1 node contacted)"
void PrintFooter(const sql::QueryResult& result, const json& answer) {
  const json stats = answer.value("stats", json::object());
  const uint64_t nodes = Count(stats, "nodesContacted");
  std::fprintf(stderr, "%zu %s in %.1f ms (%llu/%llu chunks scanned, %llu %s contacted)\n",
               result.rows.size(), result.rows.size() == 1 ? "row" : "rows",
               answer.value("executionTime", 0.0),
               static_cast<unsigned long long>(Count(stats, "chunksScanned")),
               static_cast<unsigned long long>(Count(stats, "chunksTotal")),
               static_cast<unsigned long long>(nodes), nodes == 1 ? "node" : "nodes");
}

int RunQuery(const QueryArgs& args) {
  const std::optional<std::string> sql_text = SqlText(args.sql, args.file);
  if (!sql_text) return Fail("cannot read " + args.file);
  const std::string& text = *sql_text;
  const std::unique_ptr<httplib::Client> client = NodeClient(args.node, args.token);
  if (client == nullptr) {
    std::fprintf(stderr, "p2plake query: not a node URL: %s\n", args.node.c_str());
    return kExitUsage;
  }
  client->set_connection_timeout(10, 0);
  client->set_read_timeout(args.timeout_s, 0);  // the node answers once the query has run
  // Rows as arrays: objects keyed by name would keep one of two columns of the same name.
  json body{{"sql", text}, {"rowMode", "array"}};
  if (args.allow_partial) body["allowPartial"] = true;
  httplib::Result res = client->Post("/api/query", body.dump(), "application/json");
  if (!res) return Fail("cannot reach " + args.node + ": " + httplib::to_string(res.error()));
  // A refused query in one line: the node's error message (for SQL, naming the position).
  if (res->status != 200) return Fail(RefusalOf(*res));
  const json answer = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object() || !answer.contains("columns") || !answer.contains("data")) {
    return Fail("the node answered 200 without columns and data: " + res->body);
  }
  Result<sql::QueryResult> result = gateway::ResultFromJson(answer["columns"], answer["data"]);
  if (!result.ok()) return Fail("cannot read the node's answer: " + result.status().message());

  const ResultFormat format = ResultFormatNamed(args.format);
  PrintResult(*result, format, std::cout);
  std::cout.flush();
  if (format == ResultFormat::kTable) PrintFooter(*result, answer);
  const json stats = answer.value("stats", json::object());
  if (args.allow_partial && Count(stats, "rowsCovered") < Count(stats, "rowsTotal")) {
    std::fprintf(stderr, "p2plake query: partial answer: it covers %llu of %llu rows\n",
                 static_cast<unsigned long long>(Count(stats, "rowsCovered")),
                 static_cast<unsigned long long>(Count(stats, "rowsTotal")));
  }
  return kExitOk;
}

}  // namespace

CommandRunner AddQueryCommand(CLI::App& app) {
  auto args = std::make_shared<QueryArgs>();
  CLI::App* cmd = app.add_subcommand(
      "query",
      "Run SQL on a node over the datasets of the network; prints the answer like `p2plake sql` "
      "(a node refuses answers of more than its analytics.maxResultRows rows: add LIMIT)");
  cmd->add_option("--node", args->node, "the node's HTTP URL")->capture_default_str();
  AddTokenOption(*cmd, &args->token);
  cmd->add_option("--format", args->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_flag("--allow-partial", args->allow_partial,
                "Answer from the chunks reachable when some are not (stderr says how much)");
  cmd->add_option("--timeout", args->timeout_s, "seconds to wait for the answer")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  cmd->add_option("-f,--file", args->file, "Read the SQL from FILE")->check(CLI::ExistingFile);
  cmd->add_option("sql", args->sql, "SQL to run (the answer of its last statement is printed)");
  cmd->callback([args] {
    if (args->file.empty() == args->sql.empty()) {
      throw CLI::ValidationError("give either SQL or -f FILE");
    }
  });
  return [args] { return RunQuery(*args); };
}

}  // namespace lake::cli
