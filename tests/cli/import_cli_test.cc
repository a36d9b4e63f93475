// The p2plake binary as a user runs it: exit codes, messages, and stable chunk ids.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

namespace {

struct Run {
  int exit_code;
  std::string output;  // stdout and stderr together
};

Run P2plake(const std::string& args) {
  const std::string command = std::string(LAKE_BINARY_DIR) + "/p2plake " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  return Run{WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string TempDir(const std::string& name) {
  const std::string dir = std::string(LAKE_BINARY_DIR) + "/test-tmp/cli-" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::set<std::string> ChunkIds(const std::string& output) {
  std::set<std::string> ids;
  const std::regex chunk_line(R"(^\s+\d+\s+([0-9a-f]{64})\s)");
  std::smatch m;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, m, chunk_line)) ids.insert(m[1]);
  }
  return ids;
}

TEST_CASE("p2plake import prints rows, typed columns and chunks, the same ids every time",
          "[cli]") {
  const std::string dir = TempDir("import");
  const std::string csv = std::string(LAKE_SOURCE_DIR) + "/sample-data/products.csv";
  Run first = P2plake("import --data-dir " + dir + "/a --chunk-size 4096 " + csv);
  REQUIRE(first.exit_code == 0);
  CHECK(first.output.find("imported products (version 1)") != std::string::npos);
  CHECK(first.output.find("rows     24") != std::string::npos);
  CHECK(std::regex_search(first.output, std::regex(R"(product_id\s+BIGINT)")));
  CHECK(std::regex_search(first.output, std::regex(R"(price\s+DOUBLE)")));
  CHECK(std::regex_search(first.output, std::regex(R"(supplier\s+VARCHAR)")));
  const std::set<std::string> ids = ChunkIds(first.output);
  CHECK_FALSE(ids.empty());

  Run again = P2plake("import --data-dir " + dir + "/b --chunk-size 4096 " + csv);
  REQUIRE(again.exit_code == 0);
  CHECK(ChunkIds(again.output) == ids);

  Run version2 = P2plake("import --data-dir " + dir + "/a --chunk-size 4096 " + csv);
  REQUIRE(version2.exit_code == 0);
  CHECK(version2.output.find("imported products (version 2)") != std::string::npos);
  CHECK(version2.output.find("(0 new)") != std::string::npos);
}

TEST_CASE("p2plake import fails with exit 1 and names the line and column", "[cli]") {
  const std::string dir = TempDir("bad");
  const std::string csv = WriteFile(dir, "bad.csv", "a,b\n1,2\n3,\"open\n");
  Run run = P2plake("import --data-dir " + dir + "/data " + csv);
  CHECK(run.exit_code == 1);
  CHECK(run.output.find("line 3, column 2: unterminated quoted field") != std::string::npos);
  // One clear line, no partial summary.
  CHECK(std::count(run.output.begin(), run.output.end(), '\n') == 1);
  CHECK(run.output.find("imported") == std::string::npos);
}

TEST_CASE("p2plake usage errors exit 2 and --help exits 0", "[cli]") {
  CHECK(P2plake("import").exit_code == 2);
  CHECK(P2plake("no-such-command").exit_code == 2);
  CHECK(P2plake("import --data-dir x --chunk-size 0 missing.csv").exit_code == 2);
  Run help = P2plake("import --help");
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("--data-dir") != std::string::npos);
  CHECK(P2plake("--help").exit_code == 0);
}

}  // namespace
