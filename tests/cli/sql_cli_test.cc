// `p2plake sql` as a user runs it: formats, several statements, --timing, -f, errors.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

struct Run {
  int exit_code;
  std::string out;  // stdout
  std::string err;  // stderr
};

Run P2plake(const std::string& args) {
  const std::string dir = std::string(LAKE_BINARY_DIR) + "/test-tmp";
  std::filesystem::create_directories(dir);
  // Per process: ctest runs this binary's cases in parallel, each in a process of its own.
  const std::string err_file = dir + "/sql_cli_stderr-" + std::to_string(::getpid()) + ".txt";
  const std::string command = std::string(LAKE_BINARY_DIR) + "/p2plake " + args + " 2>" + err_file;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  std::ifstream err_in(err_file);
  std::string err((std::istreambuf_iterator<char>(err_in)), std::istreambuf_iterator<char>());
  return Run{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, err};
}

const std::string kProducts =
    "sql --table products=" + std::string(LAKE_SOURCE_DIR) + "/sample-data/products.csv ";

TEST_CASE("p2plake sql prints CSV with RFC 4180 quoting and NULL as an empty field", "[cli]") {
  Run run = P2plake(kProducts +
                    "--format csv \"SELECT product_id, product_name, supplier "
                    "FROM products WHERE product_id IN (4, 20) ORDER BY product_id\"");
  REQUIRE(run.exit_code == 0);
  CHECK(run.out ==
        "product_id,product_name,supplier\n"
        "4,\"Monitor 27\"\", 4K\",Fabrikam\n"
        "20,Water Bottle,\n");
}

TEST_CASE("p2plake sql runs several statements and prints each answer in turn", "[cli]") {
  Run run = P2plake(kProducts +
                    "--format json --timing \"SELECT COUNT(*) AS n FROM products; "
                    "SELECT MAX(price) AS top, MIN(stock_quantity) AS low FROM products\"");
  REQUIRE(run.exit_code == 0);
  std::istringstream lines(run.out);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK(nlohmann::json::parse(first) == nlohmann::json::parse(R"([{"n": 24}])"));
  CHECK(nlohmann::json::parse(second) == nlohmann::json::parse(R"([{"top": 1899.0, "low": 0}])"));
  // --timing: one "Time: <ms> ms" line per statement, on stderr only.
  size_t timings = 0;
  for (size_t at = run.err.find("Time: "); at != std::string::npos;
       at = run.err.find("Time: ", at + 1)) {
    ++timings;
  }
  CHECK(timings == 2);
  CHECK(run.out.find("Time:") == std::string::npos);
}

TEST_CASE("p2plake sql reads statements from a file and answers from a data directory", "[cli]") {
  const std::string dir = std::string(LAKE_BINARY_DIR) + "/test-tmp/sql-cli";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  REQUIRE(P2plake("import --data-dir " + dir + "/data " + std::string(LAKE_SOURCE_DIR) +
                  "/sample-data/employees.csv")
              .exit_code == 0);
  std::ofstream(dir + "/q.sql") << "-- how many\nSELECT COUNT(*) AS n FROM employees;\n";
  Run run = P2plake("sql --data-dir " + dir + "/data --format csv -f " + dir + "/q.sql");
  REQUIRE(run.exit_code == 0);
  CHECK(run.out == "n\n25\n");
}

TEST_CASE("p2plake sql fails with exit 1 naming the position, usage errors exit 2", "[cli]") {
  Run bad = P2plake(kProducts + "\"SELECT nope FROM products\"");
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("column \"nope\" does not exist") != std::string::npos);
  CHECK(bad.err.find("(at position 8)") != std::string::npos);
  CHECK(P2plake(kProducts + "\"SELECT 1/0\"").exit_code == 1);
  CHECK(P2plake("sql").exit_code == 2);  // neither SQL nor -f
  CHECK(P2plake("sql --help").exit_code == 0);
}

TEST_CASE("p2plake sql without tables answers on an empty catalog, as with tables", "[cli]") {
  // The sqlite3 and duckdb shells answer SELECT 1 with no database; the answer must be the one
  // the same statement gets with a table attached.
  const std::string query = "\"SELECT 1 AS one, -(62) AS two, NULLIF(2, 3) AS three\"";
  Run bare = P2plake("sql --format csv " + query);
  Run with_table = P2plake(kProducts + "--format csv " + query);
  REQUIRE(bare.exit_code == 0);
  REQUIRE(with_table.exit_code == 0);
  CHECK(bare.out == with_table.out);
  CHECK(bare.out.find("one,two,three\n") == 0);
  Run show = P2plake("sql --format csv \"SHOW TABLES\"");
  REQUIRE(show.exit_code == 0);
  CHECK(show.out == "table_name,row_count,column_count,chunks\n");  // the header alone
  Run missing = P2plake("sql \"SELECT * FROM products\"");
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("table \"products\" does not exist") != std::string::npos);
}

}  // namespace
