// `p2plake sql`: the embedded engine over a local data directory and/or CSV files, like the
// sqlite3 and duckdb shells.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "cli/result_printer.h"
#include "local/data_dir.h"
#include "local/local_engine.h"
#include "local/system_clock.h"
#include "sql/parser.h"

namespace lake::cli {
namespace {

struct SqlArgs {
  std::string data_dir;
  std::vector<std::string> tables;  // NAME=FILE.csv
  std::string format = "table";
  size_t threads = 0;
  size_t cache_mb = 1024;
  bool timing = false;
  std::string file;
  std::string sql;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "p2plake sql: %s\n", message.c_str());
  return kExitFailure;
}

int RunSql(const SqlArgs& args) {
  const std::optional<std::string> sql_text = SqlText(args.sql, args.file);
  if (!sql_text) return Fail("cannot read " + args.file);
  const std::string& text = *sql_text;
  if (text.empty()) return Fail("no SQL given (a query argument or -f FILE)");
  const ResultFormat format = ResultFormatNamed(args.format);
  local::SystemClock clock;
  local::LocalEngineOptions options;
  options.threads = WorkerThreads(args.threads);
  // Statements that scan the same columns again read them decoded from memory.
  options.cache_bytes = args.cache_mb << 20;
  std::unique_ptr<local::DataDir> dir;  // outlives the engine that reads its store
  local::LocalEngine local(options);
  if (!args.data_dir.empty()) {
    Result<std::unique_ptr<local::DataDir>> opened = local::DataDir::Open(args.data_dir);
    if (!opened.ok()) return Fail(opened.status().message());
    dir = std::move(opened).value();
    if (Status s = local.AttachStore(*dir->store()); !s.ok()) return Fail(s.message());
  }
  for (const std::string& spec : args.tables) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      return Fail("--table takes NAME=FILE.csv, got '" + spec + "'");
    }
    if (Status s = local.AttachCsv(spec.substr(0, eq), spec.substr(eq + 1), clock); !s.ok()) {
      return Fail(s.message());
    }
  }

  Result<std::vector<sql::Statement>> statements = sql::Parse(text);
  if (!statements.ok()) return Fail(statements.status().message());
  for (const sql::Statement& statement : *statements) {
    const auto start = std::chrono::steady_clock::now();
    local.engine().SetStatementTime(ToMicros(clock.Now()));
    Result<sql::QueryResult> result = local.engine().Execute(statement);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!result.ok()) return Fail(result.status().message());
    PrintResult(*result, format, std::cout);
    std::cout.flush();
    if (args.timing) std::fprintf(stderr, "Time: %.3f ms\n", ms);
  }
  return kExitOk;
}

}  // namespace

CommandRunner AddSqlCommand(CLI::App& app) {
  auto args = std::make_shared<SqlArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sql",
      "Run SQL with the embedded engine over a local data directory and/or CSV files, "
      "like the sqlite3 and duckdb shells (no network)");
  cmd->add_option("--data-dir", args->data_dir, "Data directory whose datasets are tables");
  cmd->add_option("--table", args->tables, "NAME=FILE.csv: a CSV file as a table (repeatable)")
      ->allow_extra_args(false);  // each --table takes one value; the SQL stays positional
  cmd->add_option("--format", args->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--cache-mb", args->cache_mb,
                  "MiB of decoded columns kept for later statements of this run (0: none)")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  cmd->add_flag("--timing", args->timing, "Print each statement's execution time to stderr");
  cmd->add_option("-f,--file", args->file, "Read the statements from FILE")
      ->check(CLI::ExistingFile);
  cmd->add_option("sql", args->sql, "Statements to run, ';'-separated");
  cmd->callback([args] {
    // With neither --data-dir nor --table the catalog is empty, and statements without FROM
    // (SELECT 1) still run, as in the sqlite3 and duckdb shells.
    if (args->file.empty() == args->sql.empty()) {
      throw CLI::ValidationError("give either SQL or -f FILE");
    }
  });
  return [args] { return RunSql(*args); };
}

}  // namespace lake::cli
