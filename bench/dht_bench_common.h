// What both DHT benchmarks share: p2plake's (bench/dht_bench.cc) and the OpenDHT baseline
// (bench/opendht/opendht_bench.cc) run the same phases and print them the same way, which is
// what bench/dht_summarize.py reads. Header-only and free of p2plake's code, because the
// baseline is built outside the project with nothing but OpenDHT.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace dht_bench {

using Clock = std::chrono::steady_clock;
using Finish = std::function<void(bool ok)>;

inline double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

inline long ProcStatus(const char* field) {  // VmRSS / VmHWM (kB) / Threads from /proc/self/status
  std::ifstream f("/proc/self/status");
  std::string k;
  long v;
  while (f >> k) {
    if (k == field && f >> v) return v;
    f.ignore(1 << 12, '\n');
  }
  return -1;
}

inline double CpuBusySeconds() {  // whole machine, all cores: non-idle seconds since boot
  std::ifstream f("/proc/stat");
  std::string cpu;
  double v[8] = {0};
  f >> cpu;
  for (auto& x : v) f >> x;
  return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / sysconf(_SC_CLK_TCK);
}

inline double CpuSelfSeconds() {  // this process, user + system
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct PhaseResult {
  std::vector<double> ms;  // latency of successful ops
  int issued = 0, ok = 0, failed = 0, unfinished = 0;
  double wall_s = 0;
  double Pct(double q) const {
    if (ms.empty()) return -1;
    auto v = ms;
    std::sort(v.begin(), v.end());
    size_t i = static_cast<size_t>(std::ceil(q * v.size()));
    return v[std::min(v.size() - 1, i ? i - 1 : 0)];
  }
  double Success() const { return issued ? 100.0 * ok / issued : 0; }
  double OpsPerSecond() const { return wall_s > 0 ? (ok + failed) / wall_s : 0; }
};

// Runs n operations with at most c in flight. issue(i, finish) starts op i; finish(ok) must be
// called once, from any thread. Ops still pending at the deadline count as unfinished (late
// callbacks are ignored).
inline PhaseResult RunPhase(int n, int c, Clock::time_point deadline,
                            const std::function<void(int, Finish)>& issue) {
  struct State {
    std::mutex m;
    std::condition_variable cv;
    int inflight = 0;
    bool closed = false;
    PhaseResult r;
  };
  auto st = std::make_shared<State>();
  const auto t0 = Clock::now();
  int issued = 0;
  for (int i = 0; i < n; i++) {
    {
      std::unique_lock<std::mutex> lk(st->m);
      if (!st->cv.wait_until(lk, deadline, [&] { return st->inflight < c; })) break;
      st->inflight++;
    }
    const auto start = Clock::now();
    auto once = std::make_shared<std::atomic_bool>(false);
    issued++;
    issue(i, [st, start, once](bool ok) {
      if (once->exchange(true)) return;
      const double ms = MsSince(start);
      std::lock_guard<std::mutex> lk(st->m);
      if (st->closed) return;
      st->inflight--;
      (ok ? st->r.ok : st->r.failed)++;
      if (ok) st->r.ms.push_back(ms);
      st->cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lk(st->m);
  st->cv.wait_until(lk, deadline, [&] { return st->inflight == 0; });
  st->closed = true;
  PhaseResult r = st->r;
  r.issued = issued;
  r.unfinished = issued - r.ok - r.failed;
  r.wall_s = MsSince(t0) / 1000.0;
  return r;
}

// One human-readable line per phase ("put", "get", "get-churn"); dht_summarize.py takes the
// get throughput from these lines.
inline void PrintPhase(const char* name, const PhaseResult& r) {
  std::printf(
      "%-10s ok %d/%d (%.2f%%) failed %d unfinished %d | p50 %.1f p95 %.1f p99 %.1f ms | "
      "%.0f ops/s over %.2f s\n",
      name, r.ok, r.issued, r.Success(), r.failed, r.unfinished, r.Pct(0.50), r.Pct(0.95),
      r.Pct(0.99), r.OpsPerSecond(), r.wall_s);
}

}  // namespace dht_bench
