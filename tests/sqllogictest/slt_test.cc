// SQLite's sqllogictest scripts select1..select5 (vendored here unchanged, see README.md) against
// the embedded engine, and the pieces of the runner that reads them: MD5, value formatting and
// sorting, the script reader and the CREATE TABLE / INSERT loader.
//
// The suite test is a ratchet. passing.txt lists, per script, the first line of every query
// record that passed when it was last recorded. The test fails when any of those records no
// longer passes (a regression), and reports records that pass but are not listed yet; after an
// improvement, LAKE_SLT_RECORD=1 rewrites passing.txt from the current run so the gain is kept.
// Records the engine cannot run today (joins, subqueries, ...) simply count as unsupported.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sql/engine.h"
#include "tests/sqllogictest/md5.h"
#include "tests/sqllogictest/mem_tables.h"
#include "tests/sqllogictest/slt_format.h"
#include "tests/sqllogictest/slt_runner.h"

namespace lake::slt {
namespace {

namespace fs = std::filesystem;

const fs::path kSuiteDir = fs::path(LAKE_SOURCE_DIR) / "tests" / "sqllogictest";
const char* const kScripts[] = {"select1.test", "select2.test", "select3.test", "select4.test",
                                "select5.test"};

TEST_CASE("MD5 gives RFC 1321's test-suite digests", "[slt]") {
  CHECK(Md5Hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(Md5Hex("a") == "0cc175b9c0f1b6a831c399e269772661");
  CHECK(Md5Hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(Md5Hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
  CHECK(Md5Hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
  CHECK(Md5Hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
        "d174ab98d277d9f5a5611c2c9f419d9f");
  CHECK(Md5Hex("1234567890123456789012345678901234567890123456789012345678901234567890123456789"
               "0") == "57edf4a22be3c955ac49da2e2107b67a");
}

TEST_CASE("MD5 of a message appended in pieces equals the digest of the whole", "[slt]") {
  std::string message;
  for (int i = 0; i < 300; ++i) message += static_cast<char>('a' + i % 26);
  for (size_t cut : {0, 1, 55, 56, 63, 64, 65, 128, 299}) {
    Md5 md5;
    md5.Update(std::string_view(message).substr(0, cut));
    md5.Update(std::string_view(message).substr(cut));
    CHECK(md5.FinishHex() == Md5Hex(message));
  }
}

TEST_CASE("Values are written by the query's type letter as sqllogictest writes them", "[slt]") {
  CHECK(FormatValue('I', sql::Value::BigInt(-42)) == "-42");
  CHECK(FormatValue('I', sql::Value::Double(7.9)) == "7");
  CHECK(FormatValue('I', sql::Value::Double(-7.9)) == "-7");
  CHECK(FormatValue('I', sql::Value::Boolean(true)) == "1");
  CHECK(FormatValue('I', sql::Value::Varchar("12abc")) == "12");
  CHECK(FormatValue('R', sql::Value::BigInt(3)) == "3.000");
  CHECK(FormatValue('R', sql::Value::Double(2.0 / 3)) == "0.667");
  CHECK(FormatValue('T', sql::Value::Varchar("")) == "(empty)");
  CHECK(FormatValue('T', sql::Value::Varchar("a\tb\xc3\xa9")) == "a@b@@");
  CHECK(FormatValue('T', sql::Value::BigInt(5)) == "5");
  for (char letter : {'I', 'R', 'T'}) {
    CHECK(FormatValue(letter, sql::Value::Null(LogicalType::kBigInt)) == "NULL");
  }
}

TEST_CASE("Answers are sorted by rows, by values or not at all", "[slt]") {
  const std::vector<std::string> answer = {"2", "b", "10", "a", "2", "a"};
  std::vector<std::string> values = answer;
  REQUIRE(SortValues("nosort", 2, &values));
  CHECK(values == answer);
  REQUIRE(SortValues("rowsort", 2, &values));
  // Rows compare as text, column by column: "10" sorts before "2".
  CHECK(values == std::vector<std::string>{"10", "a", "2", "a", "2", "b"});
  values = answer;
  REQUIRE(SortValues("valuesort", 2, &values));
  CHECK(values == std::vector<std::string>{"10", "2", "2", "a", "a", "b"});
  CHECK(!SortValues("randomsort", 2, &values));
  CHECK(HashValues({"1", "2"}) == "2 values hashing to " + Md5Hex("1\n2\n"));
}

// Whether the loader took `sql` and it succeeded.
bool Loaded(MemTables& tables, const std::string& sql) {
  std::optional<Status> status = tables.Apply(sql);
  return status.has_value() && status->ok();
}

// Every table the loader builds must read back, through the engine, as the rows inserted.
TEST_CASE("CREATE TABLE and INSERT build tables the engine reads back as inserted", "[slt]") {
  MemTables tables;
  REQUIRE(Loaded(tables, "CREATE TABLE t1(a INTEGER PRIMARY KEY, b VARCHAR(30), c REAL, d INT)"));
  REQUIRE(Loaded(tables, "CREATE INDEX t1i ON t1(b)"));
  REQUIRE(tables.Apply("SELECT 1") == std::nullopt);
  std::vector<std::string> expected;
  for (int i = 0; i < 40; ++i) {
    const std::string b = i % 5 == 0 ? "NULL" : "'it''s " + std::to_string(i) + "'";
    const std::string sql = "INSERT INTO t1(d,b,a,c) VALUES(" + std::to_string(-i) + "," + b + "," +
                            std::to_string(i) + "," + std::to_string(i) + ".5)";
    REQUIRE(Loaded(tables, sql));
    expected.push_back(std::to_string(i) + "|" +
                       (i % 5 == 0 ? "NULL" : "it's " + std::to_string(i)) + "|" +
                       std::to_string(i) + ".500|" + std::to_string(-i));
  }
  REQUIRE(Loaded(tables, "insert into T1 values (40, '', -1e1, NULL), (41, 'x', 2, 3);"));
  expected.push_back("40|(empty)|-10.000|NULL");
  expected.push_back("41|x|2.000|3");
  REQUIRE(tables.ListTables().size() == 1);
  CHECK(tables.ListTables()[0].chunks == (42 + MemTables::kChunkRows - 1) / MemTables::kChunkRows);

  InlineTaskRunner runner;
  sql::Engine engine(tables, &runner);
  Result<std::vector<sql::QueryResult>> result = engine.Run("SELECT a, b, c, d FROM t1 ORDER BY a");
  REQUIRE(result.ok());
  std::vector<std::string> got;
  for (const auto& row : result->back().rows) {
    got.push_back(FormatValue('I', row[0]) + "|" + FormatValue('T', row[1]) + "|" +
                  FormatValue('R', row[2]) + "|" + FormatValue('I', row[3]));
  }
  CHECK(got == expected);

  // Rejected: a row with an expression, a string in an INTEGER column, an unknown column or
  // table, an unknown type; a rejected INSERT adds none of its rows.
  for (const char* bad :
       {"INSERT INTO t1 VALUES(1+1, 'a', 1, 1)",
        "INSERT INTO t1 VALUES(1, 'a', 1, 1), ('x', 'a', 1, 1)", "INSERT INTO t1(zz) VALUES(1)",
        "INSERT INTO t9 VALUES(1)", "CREATE TABLE t2(a BLOB)", "CREATE TABLE t1(a INTEGER)",
        "INSERT INTO t1 VALUES(1, 'a', 1"}) {
    std::optional<Status> status = tables.Apply(bad);
    REQUIRE(status.has_value());
    CHECK(!status->ok());
  }
  CHECK(tables.ListTables()[0].rows == 42);
}

TEST_CASE("Script records run with their conditions, sort modes and hashes", "[slt]") {
  const fs::path path = fs::path(LAKE_BINARY_DIR) / "slt_runner_sample.test";
  std::vector<std::string> three = {"1", "2", "3"};
  std::ofstream(path) << "hash-threshold 2\n\n"
                      << "statement ok\nCREATE TABLE t(x INTEGER)\n\n"
                      << "statement ok\nINSERT INTO t VALUES(3),(1),(2)\n\n"
                      << "statement error\nINSERT INTO t VALUES('a')\n\n"
                      << "query I rowsort\nSELECT x FROM t\n----\n1\n2\n3\n\n"
                      << "query I valuesort label-1\nSELECT x FROM t\n----\n"
                      << HashValues(three) << "\n\n"
                      << "skipif p2plake\nquery I nosort\nSELECT nothing\n----\n1\n\n"
                      << "onlyif sqlite\nquery I nosort\nSELECT nothing\n----\n1\n\n"
                      << "skipif sqlite\nquery I nosort\nSELECT x FROM t ORDER BY x DESC\n----\n"
                      << "3\n2\n1\n\n"
                      << "query I nosort\nSELECT x + 1 FROM t ORDER BY x\n----\n1\n2\n3\n\n"
                      << "query II nosort\nSELECT x FROM t\n----\n\n"
                      << "query I nosort\nSELECT no_such_column FROM t\n----\n\n"
                      << "halt\n\n"
                      << "query I nosort\nSELECT 1\n----\n2\n";
  InlineTaskRunner runner;
  const ScriptReport report = RunScript(path, &runner);
  CHECK(report.statements == 3);
  CHECK(report.statements_failed == 0);
  CHECK(report.skipped == 2);
  CHECK(report.queries == 6);
  CHECK(report.passed == 3);
  CHECK(report.passing == std::vector<size_t>{12, 19, 36});
  CHECK(report.wrong == 2);
  CHECK(report.unsupported == 1);
  CHECK(report.errors.size() == 1);
}

// passing.txt: "<script> <line> <line> ..." lines (a script may span several), '#' comments.
std::map<std::string, std::set<size_t>> ReadPassing(const fs::path& path) {
  std::map<std::string, std::set<size_t>> passing;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string script;
    words >> script;
    for (size_t n; words >> n;) passing[script].insert(n);
  }
  return passing;
}

void WritePassing(const fs::path& path, const std::map<std::string, std::vector<size_t>>& runs) {
  std::ofstream out(path);
  out << "# The query records of SQLite's select1..select5 scripts that pass: per script, the\n"
         "# first line of each record. Read by slt_test.cc (its ratchet: none of these may fail);\n"
         "# rewritten by running it with LAKE_SLT_RECORD=1.\n";
  for (const auto& [script, lines] : runs) {
    for (size_t i = 0; i < lines.size(); i += 16) {
      out << script;
      for (size_t j = i; j < std::min(lines.size(), i + 16); ++j) out << ' ' << lines[j];
      out << '\n';
    }
  }
}

TEST_CASE("SQLite's select1..select5 pass every record that passed when last recorded",
          "[slt][suite]") {
  const fs::path passing_path = kSuiteDir / "passing.txt";
  const std::map<std::string, std::set<size_t>> recorded = ReadPassing(passing_path);
  std::map<std::string, std::vector<size_t>> runs;
  std::map<std::string, int> errors;
  int total_queries = 0, total_passed = 0, newly_passing = 0;
  std::printf("%-13s %7s %7s %7s %11s %8s\n", "script", "queries", "passed", "wrong", "unsupported",
              "skipped");
  ThreadPool runner(2);
  for (const char* script : kScripts) {
    const ScriptReport report = RunScript(kSuiteDir / script, &runner);
    INFO(script);
    CHECK(report.statements_failed == 0);  // every table loads
    std::printf("%-13s %7d %7d %7d %11d %8d\n", script, report.queries, report.passed, report.wrong,
                report.unsupported, report.skipped);
    for (const std::string& example : report.wrong_examples) {
      std::cout << "  wrong: " << script << " " << example << "\n";
    }
    for (const auto& [message, count] : report.errors) {
      std::cout << "  " << count << "  " << message << "\n";
      errors[message] += count;
    }
    total_queries += report.queries;
    total_passed += report.passed;
    const std::set<size_t> passed(report.passing.begin(), report.passing.end());
    auto it = recorded.find(script);
    const std::set<size_t> empty;
    const std::set<size_t>& before = it == recorded.end() ? empty : it->second;
    for (size_t line : before) {
      INFO("recorded as passing: " << script << ":" << line);
      CHECK(passed.count(line) == 1);
    }
    for (size_t line : passed) newly_passing += before.count(line) == 0;
    runs[script] = report.passing;
  }
  std::printf("%-13s %7d %7d\n", "all", total_queries, total_passed);
  std::vector<std::pair<int, std::string>> by_count;
  for (const auto& [message, count] : errors) by_count.emplace_back(count, message);
  std::sort(by_count.rbegin(), by_count.rend());
  std::cout << "top refusals:\n";
  for (size_t i = 0; i < by_count.size() && i < 12; ++i) {
    std::cout << "  " << by_count[i].first << "  " << by_count[i].second << "\n";
  }
  // The scripts are vendored unchanged: this many query records, none hidden from us.
  CHECK(total_queries == 8884);
  if (std::getenv("LAKE_SLT_RECORD") != nullptr) {
    WritePassing(passing_path, runs);
    std::cout << "recorded " << total_passed << " passing records in " << passing_path << "\n";
  } else if (newly_passing > 0) {
    std::cout << newly_passing << " records pass that passing.txt does not list yet: run with "
              << "LAKE_SLT_RECORD=1 to keep them\n";
  }
}

}  // namespace
}  // namespace lake::slt
