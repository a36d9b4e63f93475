// `p2plake query` against a real `p2plake node` process on 127.0.0.1 (R = 1) holding uploaded
// CSV files: it prints, in every format, exactly what `p2plake sql` prints over the same files;
// a bad query fails in one line naming the position; usage errors exit 2; a node with an API
// token takes it from --token or P2PLAKE_TOKEN and says in one line when it is missing.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <string>
#include <vector>

#include "tests/net/node_process.h"

namespace lake::nettest {
namespace {

const std::string kProductsCsv = std::string(LAKE_SOURCE_DIR) + "/sample-data/products.csv";

// A column of every type, with quoting, non-ASCII text, NULLs (empty fields) of each type, and
// doubles that print in exponent form.
const std::string kTypedCsv =
    "id,label,price,in_stock,added,updated\n"
    "1,\"comma, \"\"quoted\"\"\",1.5,true,2024-02-29,2024-02-29 23:59:59.5\n"
    "2,ünïcödé,-0.25,false,1999-12-31,2000-01-01 00:00:00\n"
    "3,,1e20,,,\n"
    "4,plain,3,TRUE,2024-01-01,2024-01-01 12:00:00\n"
    "5,\"two\nlines\",,false,2024-06-30,\n";

const std::vector<std::string> kQueries = {
    "SELECT * FROM typed ORDER BY id",
    "SELECT in_stock, COUNT(*) AS n, SUM(price) AS total FROM typed GROUP BY in_stock "
    "ORDER BY in_stock",
    "SELECT category, COUNT(*) AS n, ROUND(AVG(price), 2) AS avg_price, MIN(supplier) "
    "FROM products GROUP BY category ORDER BY category",
    "SELECT * FROM products WHERE price > 50 ORDER BY product_id",
    // Two columns of one name: both print.
    "SELECT MIN(price), MAX(price) AS min FROM products",
};

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A node holding products.csv and kTypedCsv as datasets `products` and `typed`.
struct QueryCliFixture {
  QueryCliFixture()
      : dir(FreshTestDir("query-cli")),
        typed_csv(WriteFile(dir + "/typed.csv", kTypedCsv)),
        node(dir + "/node") {
    const bool started = node.Start({}, {"--replication", "1"});
    INFO(node.error());
    REQUIRE(started);
    url = "http://127.0.0.1:" + std::to_string(node.http_port());
    for (const std::string& csv : {kProductsCsv, typed_csv}) {
      const RunResult uploaded = RunP2plake({"upload", "--node", url, csv});
      INFO(uploaded.err << node.Stderr());
      REQUIRE(uploaded.exit_code == 0);
    }
  }

  // `p2plake sql` over the same CSV files.
  RunResult Sql(const std::string& format, const std::string& sql) {
    return RunP2plake({"sql", "--table", "products=" + kProductsCsv, "--table",
                       "typed=" + typed_csv, "--format", format, sql});
  }
  RunResult Query(const std::vector<std::string>& args) {
    std::vector<std::string> all{"query", "--node", url};
    all.insert(all.end(), args.begin(), args.end());
    return RunP2plake(all);
  }

  const std::string dir;
  const std::string typed_csv;
  NodeProcess node;
  std::string url;
};

TEST_CASE_METHOD(
    QueryCliFixture,
    "p2plake query prints what p2plake sql prints over the same files, in every format",
    "[net][cli]") {
  for (const char* format : {"table", "csv", "json"}) {
    for (const std::string& sql : kQueries) {
      INFO(format << ": " << sql);
      const RunResult local = Sql(format, sql);
      REQUIRE(local.exit_code == 0);
      const RunResult remote = Query({"--format", format, sql});
      INFO(remote.err);
      REQUIRE(remote.exit_code == 0);
      CHECK(remote.out == local.out);
    }
  }
}

TEST_CASE_METHOD(QueryCliFixture,
                 "p2plake query reads SQL from a file, and a table's footer goes to stderr",
                 "[net][cli]") {
  const std::string sql = kQueries[0];
  const std::string file = WriteFile(dir + "/q.sql", "-- every row\n" + sql + ";\n");
  const RunResult from_file = Query({"-f", file});
  REQUIRE(from_file.exit_code == 0);
  CHECK(from_file.out == Sql("table", sql).out);
  // "5 rows in 0.8 ms (a/b chunks scanned, n nodes contacted)"
  CHECK(Contains(from_file.err, "5 rows in "));
  CHECK(Contains(from_file.err, " ms ("));
  CHECK(Contains(from_file.err, "chunks scanned"));
  CHECK(Contains(from_file.err, "contacted)"));

  const RunResult csv = Query({"--format", "csv", sql});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.err.empty());  // the footer belongs to the table

  // A partial answer is allowed; it is whole here.
  const RunResult partial = Query({"--allow-partial", "--format", "csv", sql});
  REQUIRE(partial.exit_code == 0);
  CHECK(partial.out == csv.out);
  CHECK_FALSE(Contains(partial.err, "partial answer"));
}

TEST_CASE_METHOD(QueryCliFixture, "p2plake query fails in one line naming the SQL's position",
                 "[net][cli]") {
  const RunResult syntax = Query({"SELECT * FORM products"});
  CHECK(syntax.exit_code == 1);
  CHECK(syntax.out.empty());
  const RunResult local_syntax = Sql("table", "SELECT * FORM products");
  REQUIRE(local_syntax.exit_code == 1);
  // The same message as the embedded engine's, under this command's name.
  CHECK(syntax.err == "p2plake query: " + local_syntax.err.substr(local_syntax.err.find(": ") + 2));
  CHECK(Contains(syntax.err, "(at position "));

  const RunResult unknown = Query({"SELECT nope FROM products"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.rfind("p2plake query: column \"nope\" does not exist", 0) == 0);
  CHECK(Contains(unknown.err, "(at position 8)\n"));
  CHECK(unknown.err.find('\n') + 1 == unknown.err.size());  // one line
}

TEST_CASE("p2plake upload, query and status send --token or P2PLAKE_TOKEN to a node that needs one",
          "[net][cli]") {
  const std::string dir = FreshTestDir("token-cli");
  const std::string config =
      WriteFile(dir + "/config.json", R"({"security": {"apiToken": "cli-t0ken"}})");
  NodeProcess node(dir + "/node");
  const bool started = node.Start({}, {"--config", config, "--replication", "1"});
  INFO(node.error());
  REQUIRE(started);
  const std::string url = "http://127.0.0.1:" + std::to_string(node.http_port());
  const std::string needs_token = "the node requires a token: --token or P2PLAKE_TOKEN\n";

  const RunResult no_token = RunP2plake({"upload", "--node", url, kProductsCsv});
  CHECK(no_token.exit_code == 1);
  CHECK(no_token.err == "p2plake upload: " + needs_token);
  const RunResult wrong = RunP2plake({"query", "--node", url, "--token", "nope", "SELECT 1"});
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err == "p2plake query: " + needs_token);

  const RunResult uploaded =
      RunP2plake({"upload", "--node", url, "--token", "cli-t0ken", kProductsCsv});
  INFO(uploaded.err);
  CHECK(uploaded.exit_code == 0);
  // The environment variable stands in for the flag (the child inherits it).
  const std::string count_sql = "SELECT COUNT(*) AS n FROM products";
  ::setenv("P2PLAKE_TOKEN", "cli-t0ken", 1);
  const RunResult counted = RunP2plake({"query", "--node", url, "--format", "csv", count_sql});
  const RunResult status = RunP2plake({"status", "--node", url});
  ::unsetenv("P2PLAKE_TOKEN");
  INFO(counted.err);
  CHECK(counted.exit_code == 0);
  const RunResult local =
      RunP2plake({"sql", "--table", "products=" + kProductsCsv, "--format", "csv", count_sql});
  REQUIRE(local.exit_code == 0);
  CHECK(counted.out == local.out);
  CHECK(status.exit_code == 0);
  CHECK(Contains(status.out, "dataset   products"));
}

TEST_CASE("p2plake query: --help exits 0, usage errors 2, an unreachable node 1", "[net][cli]") {
  const RunResult help = RunP2plake({"query", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(Contains(help.out, "--allow-partial"));
  CHECK(Contains(help.out, "--format"));
  CHECK(Contains(RunP2plake({"--help"}).out, "query"));
  CHECK(RunP2plake({"query"}).exit_code == 2);  // neither SQL nor -f
  CHECK(RunP2plake({"query", "--format", "xml", "SELECT 1"}).exit_code == 2);
  const RunResult unreachable = RunP2plake({"query", "--node", "http://127.0.0.1:1", "SELECT 1"});
  CHECK(unreachable.exit_code == 1);
  CHECK(Contains(unreachable.err, "p2plake query: cannot reach http://127.0.0.1:1"));
}

}  // namespace
}  // namespace lake::nettest
