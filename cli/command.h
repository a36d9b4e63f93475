// How the p2plake binary's subcommands plug in: each Add*Command registers its options on the
// CLI11 app and returns the function that runs it once parsing succeeded.
// Exit codes: 0 success, 1 failed operation (one clear line on stderr), 2 usage.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace lake::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

using CommandRunner = std::function<int()>;

// A `--threads` value: 0 means every core.
size_t WorkerThreads(size_t requested);
// The SQL a command runs: the contents of `file` when one is given (`-f FILE`), else `sql`;
// nullopt if the file cannot be read.
std::optional<std::string> SqlText(const std::string& sql, const std::string& file);

CommandRunner AddImportCommand(CLI::App& app);
CommandRunner AddNodeCommand(CLI::App& app);
CommandRunner AddQueryCommand(CLI::App& app);
CommandRunner AddSimCommand(CLI::App& app);
CommandRunner AddSqlCommand(CLI::App& app);
CommandRunner AddStatusCommand(CLI::App& app);
CommandRunner AddUploadCommand(CLI::App& app);

}  // namespace lake::cli
