// Test helpers for the [net] tests: real `p2plake node` processes on 127.0.0.1, their HTTP API,
// and deadline-based polling. NodeProcess fork/execs ${LAKE_BINARY_DIR}/p2plake node with
// --http-port 0 --p2p-port 0 and learns the ports from the lines the node prints once it serves.
// The environment variable LAKE_P2PLAKE, when set, names another p2plake binary to test.
// Thread-safety: none; every object belongs to the test's thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/eventually.h"

namespace lake::nettest {

using std::chrono::milliseconds;

// A fresh, empty directory LAKE_BINARY_DIR/test-tmp/net-<name>-<pid>.
std::string FreshTestDir(const std::string& name);

// Writes `text` to `path` (truncating) and returns `path`.
std::string WriteFile(const std::string& path, const std::string& text);

// Reads a whole file ("" if it cannot be read).
std::string ReadFile(const std::string& path);

using testing::Eventually;

// GET http://127.0.0.1:<port><path>; the parsed JSON body of a 200 answer, else nullopt.
std::optional<nlohmann::json> GetJson(uint16_t port, const std::string& path,
                                      milliseconds timeout = milliseconds(5000));

// The nodeIds listed by GET /api/peers (empty if the node does not answer).
std::vector<std::string> PeerIds(uint16_t http_port);

// The resident set of process `pid` in bytes, from /proc (0 if it cannot be read).
uint64_t ResidentBytes(pid_t pid);
// The CPU time process `pid` has used so far, user and system (from /proc; 0 if unreadable).
milliseconds CpuTime(pid_t pid);

// A p2plake command run to completion: exit code (128 + signal if killed), stdout, stderr.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs p2plake with `args`; killed (exit_code -1) if it takes longer than `timeout`.
RunResult RunP2plake(const std::vector<std::string>& args,
                     milliseconds timeout = milliseconds(30000));

class NodeProcess {
 public:
  // `data_dir` is the node's --data-dir (kept across restarts); its stderr is appended to
  // <data_dir>.stderr.
  explicit NodeProcess(std::string data_dir);
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;
  ~NodeProcess();  // SIGKILLs a running node

  // Starts `p2plake node --data-dir D --http-port 0 --p2p-port 0 [--seed S]... extra_args` and
  // waits up to `timeout` for its port lines. False (see error()) if it exits or stays silent;
  // a node that did not start is killed. REQUIRES: not running().
  bool Start(const std::vector<std::string>& seeds = {},
             const std::vector<std::string>& extra_args = {},
             milliseconds timeout = milliseconds(30000));
  // Starts again on the same data directory with the seeds and arguments of the last Start.
  bool Restart(milliseconds timeout = milliseconds(30000));
  // SIGKILL and reap. No-op when not running.
  void Kill9();
  // SIGTERM, then waits up to `timeout` for the exit: its exit code (128 + signal if a signal
  // ended it), or -1 if it had to be SIGKILLed after the timeout or was not running.
  int Terminate(milliseconds timeout = milliseconds(10000));

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  uint16_t http_port() const { return http_port_; }
  uint16_t p2p_port() const { return p2p_port_; }
  // "127.0.0.1:<p2p port>", as given to --seed.
  std::string p2p_address() const;
  // The 64 hex digits the node printed on its first line.
  const std::string& node_id() const { return node_id_; }
  const std::string& data_dir() const { return data_dir_; }
  // Why the last Start failed, with the node's stderr.
  const std::string& error() const { return error_; }
  // Everything the node wrote to stderr so far (all runs).
  std::string Stderr() const;

 private:
  // Closes the stdout pipe and forgets the process (already reaped).
  void Reaped();

  std::string data_dir_;
  std::vector<std::string> seeds_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  uint16_t http_port_ = 0;
  uint16_t p2p_port_ = 0;
  std::string node_id_;
  std::string error_;
};

}  // namespace lake::nettest
