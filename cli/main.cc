// p2plake: one binary, one subcommand per verb.
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "cli/command.h"

size_t lake::cli::WorkerThreads(size_t requested) {
  return requested != 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
}

std::optional<std::string> lake::cli::SqlText(const std::string& sql, const std::string& file) {
  if (file.empty()) return sql;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int main(int argc, char** argv) {
  // Chunks are ~1 MiB buffers allocated and freed at a high rate. Above glibc's default mmap
  // threshold each one would be a fresh mapping whose pages fault in and are zeroed by the
  // kernel; keeping them on the heap lets freed chunk buffers be reused.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  CLI::App app{"p2plake: a peer-to-peer data lake with SQL analytics"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "p2plake 0.1.0");

  std::map<const CLI::App*, lake::cli::CommandRunner> runners;
  auto add = [&](lake::cli::CommandRunner runner) {
    runners[app.get_subcommands({}).back()] = std::move(runner);
  };
  add(lake::cli::AddImportCommand(app));
  add(lake::cli::AddNodeCommand(app));
  add(lake::cli::AddQueryCommand(app));
  add(lake::cli::AddSimCommand(app));
  add(lake::cli::AddSqlCommand(app));
  add(lake::cli::AddStatusCommand(app));
  add(lake::cli::AddUploadCommand(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, version or the usage error
    return code == 0 ? lake::cli::kExitOk : lake::cli::kExitUsage;
  }
  for (const auto& [command, runner] : runners) {
    if (command->parsed()) return runner();
  }
  return lake::cli::kExitUsage;
}
