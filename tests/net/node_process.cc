#include "tests/net/node_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/sanitizers.h"

namespace lake::nettest {
namespace {

using Clock = std::chrono::steady_clock;

// The p2plake under test: this build's, unless LAKE_P2PLAKE names another binary.
std::string Binary() {
  const char* other = std::getenv("LAKE_P2PLAKE");
  return other != nullptr && *other != '\0' ? other : std::string(LAKE_BINARY_DIR) + "/p2plake";
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Under AddressSanitizer a process keeps up to 256 MiB of what it frees in quarantine, to catch
// uses after free; the tests that bound a node's memory would count that as the node's. The
// nodes these tests start keep 16 MiB. Set before main, while this process has one thread.
const bool kNodeQuarantineLimited = [] {
  if (!testing::kSanitized) return false;
  const char* options = std::getenv("ASAN_OPTIONS");
  std::string text = options != nullptr ? options : "";
  if (text.find("quarantine_size_mb") != std::string::npos) return false;
  text += text.empty() ? "quarantine_size_mb=16" : ":quarantine_size_mb=16";
  return ::setenv("ASAN_OPTIONS", text.c_str(), 1) == 0;
}();

// Waits for `pid` until `deadline`; its exit code, or nullopt if it is still running.
std::optional<int> WaitUntil(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return ExitCode(status);
    if (r < 0 && errno != EINTR) return -1;  // not our child any more
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

// The child side of a fork: wires fds 0/1/2 and execs. Only async-signal-safe calls.
[[noreturn]] void ExecChild(pid_t parent, char* const argv[], int out_fd, int err_fd) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphaned nodes if the test binary dies
  if (::getppid() != parent) ::_exit(127);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) {
    ::_exit(127);
  }
  ::execv(argv[0], argv);
  ::_exit(127);
}

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

std::string FreshTestDir(const std::string& name) {
  const std::string dir =
      std::string(LAKE_BINARY_DIR) + "/test-tmp/net-" + name + "-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<nlohmann::json> GetJson(uint16_t port, const std::string& path,
                                      milliseconds timeout) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  httplib::Result res = client.Get(path.c_str());
  if (!res || res->status != 200) return std::nullopt;
  nlohmann::json body = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return std::nullopt;
  return body;
}

std::vector<std::string> PeerIds(uint16_t http_port) {
  std::vector<std::string> ids;
  const std::optional<nlohmann::json> peers = GetJson(http_port, "/api/peers");
  if (!peers || !peers->contains("peers") || !(*peers)["peers"].is_array()) return ids;
  for (const nlohmann::json& peer : (*peers)["peers"]) {
    if (peer.contains("nodeId") && peer["nodeId"].is_string()) ids.push_back(peer["nodeId"]);
  }
  return ids;
}

uint64_t ResidentBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // in kB
  }
  return 0;
}

milliseconds CpuTime(pid_t pid) {
  // Fields after the command name, which is in parentheses and may hold spaces: the 14th and
  // 15th fields of the line, utime and stime, are the 12th and 13th after the ')'.
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return milliseconds(0);
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  uint64_t ticks = 0;
  for (int i = 1; i <= 13 && fields >> field; ++i) {
    if (i >= 12) ticks += std::stoull(field);
  }
  return milliseconds(ticks * 1000 / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK)));
}

RunResult RunP2plake(const std::vector<std::string>& args, milliseconds timeout) {
  RunResult result;
  std::vector<std::string> all{Binary()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv = Argv(all);
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return result;
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return result;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) ExecChild(parent, argv.data(), out_pipe[1], err_pipe[1]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  const auto deadline = Clock::now() + timeout;
  std::array<pollfd, 2> fds{pollfd{out_pipe[0], POLLIN, 0}, pollfd{err_pipe[0], POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_fds = 2;
  while (pid > 0 && open_fds > 0 && Clock::now() < deadline) {
    if (::poll(fds.data(), fds.size(), RemainingMs(deadline)) < 0 && errno != EINTR) break;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      std::array<char, 4096> buf;
      const ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
      if (n > 0) {
        sinks[i]->append(buf.data(), static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative fds
        --open_fds;
      }
    }
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  if (pid < 0) return result;
  std::optional<int> code = WaitUntil(pid, deadline);
  if (!code) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    code = -1;
  }
  result.exit_code = *code;
  return result;
}

NodeProcess::NodeProcess(std::string data_dir) : data_dir_(std::move(data_dir)) {}

NodeProcess::~NodeProcess() { Kill9(); }

std::string NodeProcess::p2p_address() const { return "127.0.0.1:" + std::to_string(p2p_port_); }

std::string NodeProcess::Stderr() const { return ReadFile(data_dir_ + ".stderr"); }

bool NodeProcess::Start(const std::vector<std::string>& seeds,
                        const std::vector<std::string>& extra_args, milliseconds timeout) {
  seeds_ = seeds;
  extra_args_ = extra_args;
  return Restart(timeout);
}

bool NodeProcess::Restart(milliseconds timeout) {
  error_.clear();
  http_port_ = p2p_port_ = 0;
  node_id_.clear();
  if (running()) {
    error_ = "already running";
    return false;
  }
  std::vector<std::string> args{Binary(),      "node", "--data-dir", data_dir_,
                                "--http-port", "0",    "--p2p-port", "0"};
  for (const std::string& seed : seeds_) {
    args.push_back("--seed");
    args.push_back(seed);
  }
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv = Argv(args);

  const std::string err_path = data_dir_ + ".stderr";
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int out_pipe[2];
  if (err_fd < 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    if (err_fd >= 0) ::close(err_fd);
    error_ = "cannot create the stdout pipe or " + err_path;
    return false;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) ExecChild(parent, argv.data(), out_pipe[1], err_fd);
  ::close(out_pipe[1]);
  ::close(err_fd);
  if (pid < 0) {
    ::close(out_pipe[0]);
    error_ = "fork failed";
    return false;
  }
  pid_ = pid;
  stdout_fd_ = out_pipe[0];

  // "p2plake node <id>\n  http  http://127.0.0.1:<port>\n  p2p   127.0.0.1:<port>\n  data ..."
  static const std::regex kBanner(
      R"(p2plake node ([0-9a-f]{64})\n\s+http\s+http://[^:\s]+:(\d+)\n\s+p2p\s+[^\s]+:(\d+)\n)");
  const auto deadline = Clock::now() + timeout;
  std::string out;
  std::smatch m;
  while (!std::regex_search(out, m, kBanner)) {
    pollfd fd{stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&fd, 1, RemainingMs(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      error_ = "no port lines within " + std::to_string(timeout.count()) + " ms";
      break;
    }
    std::array<char, 4096> buf;
    const ssize_t n = ::read(stdout_fd_, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = "the node exited before serving";
      break;
    }
    out.append(buf.data(), static_cast<size_t>(n));
  }
  if (!error_.empty()) {
    Kill9();
    error_ += "; stdout: " + out + "; stderr: " + Stderr();
    return false;
  }
  node_id_ = m[1];
  http_port_ = static_cast<uint16_t>(std::stoul(m[2]));
  p2p_port_ = static_cast<uint16_t>(std::stoul(m[3]));
  return true;
}

void NodeProcess::Kill9() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  Reaped();
}

int NodeProcess::Terminate(milliseconds timeout) {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  std::optional<int> code = WaitUntil(pid_, Clock::now() + timeout);
  if (!code) {
    Kill9();
    return -1;
  }
  Reaped();
  return *code;
}

void NodeProcess::Reaped() {
  pid_ = -1;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
}

}  // namespace lake::nettest
