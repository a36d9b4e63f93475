// p2plake: one binary, one subcommand per verb (DESIGN §7).
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "actors/cli/command.h"

int main(int argc, char** argv) {
  CLI::App app{"p2plake: a peer-to-peer data lake with SQL analytics"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "p2plake 0.1.0");

  std::map<const CLI::App*, lake::cli::CommandRunner> runners;
  auto add = [&](lake::cli::CommandRunner runner) {
    runners[app.get_subcommands({}).back()] = std::move(runner);
  };
  add(lake::cli::AddImportCommand(app));
  add(lake::cli::AddSimCommand(app));
  add(lake::cli::AddSqlCommand(app));

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
