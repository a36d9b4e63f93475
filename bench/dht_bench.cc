// dht_bench: N p2plake overlays (DHT router + TCP peer transport) in one process, all on
// 127.0.0.1, each in its own caf::actor_system. The same procedure and the same RESULT fields as
// the OpenDHT baseline, bench/opendht/opendht_bench.cc (the phases and their printing are in
// bench/dht_bench_common.h): bootstrap, P puts from random nodes with at most C in flight, a
// replica census, P gets from random other nodes, then round(F*N) nodes killed abruptly, a wait,
// and every key read again from random live nodes.
// Run it with bench/dht_bench.sh, which also builds and runs the OpenDHT baseline next to it.
//
// How requests reach a node: every operation is a short-lived event-based actor spawned in the
// node's own actor system; it sends the request to the router and calls back on reply. A driver
// actor in another system would make CAF schedule the router on the driver's threads
// (scoped_execution_unit::exec_later), mixing the nodes' schedulers.
//
// What the routers do not export, and so is not measured: which node stores which key. The
// census is the sum of every router's record count (status_atom); "in closest", "keys off
// closest" and "local %" print -1. "local est %" estimates local hits as the share of gets whose
// node is among the key's `--replicas` XOR-closest nodes (where a correct put stores it).
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <CLI/CLI.hpp>
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
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "actors/interfaces.h"
#include "actors/overlay.h"
#include "common/hash.h"
#include "dht/identity.h"
#include "dht_bench_common.h"

namespace {

using lake::Bytes;
using lake::Id;
using lake::NodeId;
using namespace lake::actors;
using namespace dht_bench;

struct Opts {
  int nodes = 32, ops = 2000, conc = 32;
  double churn = 0.2;
  double timeout = 120;   // whole run, seconds; the program stops by itself
  double churn_wait = 5;  // seconds between killing nodes and the post-churn gets
  double settle = 0;      // extra seconds to wait after bootstrap, before the puts
  int value_size = 1024;
  unsigned seed = 1;      // seeds the workload only; node ids are random every run
  int replicas = 8;       // DhtOptions.store_replicas (OpenDHT: TARGET_NODES = 8)
  int k = 20;             // DhtOptions.k
  int alpha = 3;          // DhtOptions.alpha
  bool full_get = false;  // get_atom (all k closest asked) instead of get_first_atom
  int threads = 1;        // scheduler.max-threads of each node's actor system
  // scheduler.policy. CAF's default, stealing, makes every idle worker poll (100 spins, then
  // 500 sleeps of 50 us) before it blocks: N systems doing that on 2 cores starve the busy ones.
  std::string policy = "sharing";
  // Every node in one actor system (one scheduler, one I/O thread): not how nodes run, but it
  // shows what the threads of N separate systems cost.
  bool shared_system = false;
};

long TcpOutSegments() {  // the network namespace's TCP segments sent (ACKs included)
  std::ifstream f("/proc/net/snmp");
  std::string line, header;
  while (std::getline(f, line)) {
    if (line.rfind("Tcp:", 0) != 0) continue;
    if (header.empty()) {
      header = line;
      continue;
    }
    std::istringstream names(header), values(line);
    std::string name, value;
    while (names >> name && values >> value) {
      if (name == "OutSegs") return std::stol(value);
    }
  }
  return -1;
}

// One actor system (a node's own, or everyone's with --shared-system). The system is declared
// after its config, so it is destroyed first.
struct System {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
};

struct Node {
  std::shared_ptr<System> system;
  caf::actor_system& sys() { return *system->sys; }
  OverlayHandles overlay;
  NodeId id;
  bool alive = true;
};

// Sends one request to node n's router from a fresh actor in n's own system; `on_reply` or
// `on_error` runs on one of that system's threads. No CAF timeout: every request with one wakes
// the system's clock thread, a cost OpenDHT's bench does not pay either. RunPhase's deadline
// counts ops that never answer as unfinished.
template <class OnReply, class... Ts>
void Ask(Node& n, OnReply on_reply, Finish on_error, Ts... args) {
  n.sys().spawn([=, router = n.overlay.router](caf::event_based_actor* self) {
    self->request(router, caf::infinite, args...).then(on_reply, [on_error](caf::error&) {
      on_error(false);
    });
  });
}

// A blocking request from the main thread (bootstrap polling, census).
template <class T, class Handle, class... Ts>
std::optional<T> AskSync(caf::actor_system& sys, const Handle& to, caf::timespan timeout,
                         Ts... args) {
  caf::scoped_actor self{sys};
  std::optional<T> out;
  self->request(to, timeout, args...)
      .receive([&](T& value) { out = std::move(value); }, [&](caf::error&) {});
  return out;
}

int Main(const Opts& o) {
  const auto t_start = Clock::now();
  const double busy0 = CpuBusySeconds(), self0 = CpuSelfSeconds();
  const auto deadline = t_start + std::chrono::milliseconds(static_cast<long>(o.timeout * 1000));
  std::thread([o] {  // hard backstop: if anything hangs, exit anyway
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(o.timeout * 1000)) +
                                std::chrono::seconds(30));
    std::fprintf(stderr, "WATCHDOG: run exceeded timeout + 30 s, exiting\n");
    std::_Exit(3);
  })
      .detach();
  if (sodium_init() < 0) {
    std::fprintf(stderr, "libsodium failed to initialise\n");
    return 1;
  }

  std::mt19937_64 rng(o.seed);
  const int N = o.nodes;
  std::printf(
      "p2plake  N=%d P=%d C=%d F=%.2f value=%dB get=%s replicas=%d k=%d alpha=%d "
      "caf threads=%d policy=%s%s\n",
      N, o.ops, o.conc, o.churn, o.value_size, o.full_get ? "full" : "first-match", o.replicas, o.k,
      o.alpha, o.threads, o.policy.c_str(), o.shared_system ? " shared-system" : "");

  // ---- start nodes: node 0 first (no seeds), then 1..N-1 seeded with node 0's address
  std::vector<Node> nodes(N);
  for (int i = 0; i < N; i++) {
    Node& n = nodes[i];
    if (o.shared_system && i > 0) {
      n.system = nodes[0].system;
    } else {
      n.system = std::make_shared<System>();
      n.system->cfg.load<caf::io::middleman>();
      n.system->cfg.set("scheduler.max-threads", o.threads);
      if (o.policy == "sharing") {
        n.system->cfg.set("scheduler.policy", caf::atom("sharing"));
      } else {
        n.system->cfg.set("scheduler.policy", caf::atom("stealing"));
      }
      n.system->sys = std::make_unique<caf::actor_system>(n.system->cfg);
    }
    lake::dht::Identity::Seed seed;
    randombytes_buf(seed.data(), seed.size());
    const lake::dht::Identity identity(seed);
    n.id = identity.node_id();
    PeerTransportOptions transport;
    transport.bind_address = "127.0.0.1";
    transport.port = 0;
    transport.max_inbound = std::max<size_t>(transport.max_inbound, 2 * N);
    transport.max_outbound = std::max<size_t>(transport.max_outbound, 2 * N);
    DhtRouterOptions router;
    if (i > 0) router.seeds = {nodes[0].overlay.address};
    router.dht.k = o.k;
    router.dht.alpha = o.alpha;
    router.dht.store_replicas = o.replicas;
    randombytes_buf(&router.rng_seed, sizeof router.rng_seed);
    auto overlay = StartOverlay(n.sys(), identity, transport, std::move(router));
    if (!overlay.ok()) {
      std::fprintf(stderr, "node %d: %s\n", i, overlay.status().ToString().c_str());
      std::_Exit(1);
    }
    n.overlay = *overlay;
  }
  const double t_started = MsSince(t_start);

  // ---- join: wait until every node has a contact, then until every node has min(N-1, 8);
  // if the joins' own self-lookups do not get there, every node looks up its own id again, in
  // rounds (what the OpenDHT bench does).
  const uint64_t want = std::min(N - 1, 8);
  const auto boot_deadline = std::min(deadline, t_start + std::chrono::seconds(60));
  auto min_peers = [&] {
    uint64_t m = ~uint64_t{0}, sum = 0;
    for (Node& n : nodes) {
      auto status = AskSync<RouterStatus>(n.sys(), n.overlay.router, std::chrono::seconds(5),
                                          status_atom::value);
      const uint64_t peers = status ? status->peers : 0;
      m = std::min(m, peers);
      sum += peers;
    }
    return std::pair{m, sum};
  };
  double t_connected = -1, t_boot = -1;
  auto [least, sum_peers] = min_peers();
  while (least == 0 && Clock::now() < boot_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::tie(least, sum_peers) = min_peers();
  }
  if (least > 0) t_connected = MsSince(t_start);
  // The joins' self-lookups are still under way: give them a moment before forcing rounds.
  for (int w = 0; w < 50 && least < want && Clock::now() < boot_deadline; w++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::tie(least, sum_peers) = min_peers();
  }
  int rounds = 0;
  while (least < want && Clock::now() < boot_deadline) {
    rounds++;
    RunPhase(N, N, boot_deadline, [&](int i, Finish fin) {
      Ask(
          nodes[i], [fin](std::vector<PeerInfo>&) { fin(true); }, fin, find_atom::value,
          nodes[i].id);
    });
    std::tie(least, sum_peers) = min_peers();
  }
  if (least >= want) t_boot = MsSince(t_start);
  std::printf(
      "bootstrap: %d nodes started %.0f ms, all connected %.0f ms, all >= %lu contacts %.0f ms "
      "after %d self-lookup rounds (min %lu, avg %.1f contacts), %ld threads%s\n",
      N, t_started, t_connected, static_cast<unsigned long>(want), t_boot, rounds,
      static_cast<unsigned long>(least), static_cast<double>(sum_peers) / N, ProcStatus("Threads:"),
      t_boot < 0 ? "  NOT CONVERGED, continuing" : "");

  if (o.settle > 0) {
    std::this_thread::sleep_until(std::min(
        deadline, Clock::now() + std::chrono::milliseconds(static_cast<long>(o.settle * 1000))));
  }

  // ---- workload: key i = BLAKE2b-256("bench-<seed>-<i>"), random value bytes
  std::vector<Id> keys(o.ops);
  std::vector<Bytes> blobs(o.ops, Bytes(o.value_size));
  std::vector<int> putter(o.ops);
  std::uniform_int_distribution<int> byte(0, 255), any_node(0, N - 1);
  for (int i = 0; i < o.ops; i++) {
    keys[i] = lake::Blake2b256("bench-" + std::to_string(o.seed) + "-" + std::to_string(i));
    for (auto& b : blobs[i]) b = static_cast<uint8_t>(byte(rng));
    putter[i] = any_node(rng);
  }
  std::atomic<int> mismatched{0}, misses{0};
  std::atomic<long> acks{0};

  struct Usage {
    double cpu = CpuSelfSeconds();
    long segments = TcpOutSegments();
  };
  auto since = [](const Usage& u) {
    return std::pair{CpuSelfSeconds() - u.cpu, TcpOutSegments() - u.segments};
  };
  const Usage put_start;
  auto put = RunPhase(o.ops, o.conc, deadline, [&](int i, Finish fin) {
    Ask(
        nodes[putter[i]],
        [fin, &acks](uint64_t stored) {
          acks += static_cast<long>(stored);
          fin(stored > 0);
        },
        fin, put_atom::value, keys[i], blobs[i]);
  });

  const auto put_usage = since(put_start);

  // ---- census: records held by all nodes (the routers export counts, not keys)
  auto record_sum = [&] {
    long sum = 0;
    for (Node& n : nodes) {
      if (!n.alive) continue;
      auto status = AskSync<RouterStatus>(n.sys(), n.overlay.router, std::chrono::seconds(5),
                                          status_atom::value);
      if (status) sum += static_cast<long>(status->records);
    }
    return sum;
  };
  const long copies = record_sum();
  // Where a correct put stores key i: its min(N, replicas) XOR-closest nodes. Used only for the
  // local-hit estimate.
  const int R = std::min(N, o.replicas);
  std::vector<std::vector<char>> closest(o.ops, std::vector<char>(N, 0));
  for (int i = 0; i < o.ops; i++) {
    std::vector<int> order(N);
    for (int n = 0; n < N; n++) order[n] = n;
    std::partial_sort(order.begin(), order.begin() + R, order.end(), [&](int a, int b) {
      return lake::CloserTo(keys[i], nodes[a].id, nodes[b].id);
    });
    for (int j = 0; j < R; j++) closest[i][order[j]] = 1;
  }

  // ---- gets of every key from a random live node other than the one that put it
  int local_est = 0;
  auto get_phase = [&]() {
    std::vector<int> getter(o.ops);
    local_est = 0;
    for (int i = 0; i < o.ops; i++) {
      std::vector<int> ok;
      for (int g = 0; g < N; g++)
        if (nodes[g].alive && g != putter[i]) ok.push_back(g);
      getter[i] = ok[std::uniform_int_distribution<size_t>(0, ok.size() - 1)(rng)];
      local_est += closest[i][getter[i]];
    }
    return RunPhase(o.ops, o.conc, deadline, [&](int i, Finish fin) {
      const Bytes* want_value = &blobs[i];
      auto on_reply = [fin, want_value, i, g = getter[i], &mismatched,
                       &misses](std::vector<Bytes>& values) {
        bool found = false;
        for (const Bytes& v : values) {
          if (v == *want_value) {
            found = true;
          } else {
            mismatched++;
          }
        }
        if (!found && misses++ < 5) {
          std::fprintf(stderr, "miss: key %d from node %d, %zu values\n", i, g, values.size());
        }
        fin(found);
      };
      if (o.full_get) {
        Ask(nodes[getter[i]], on_reply, fin, get_atom::value, keys[i]);
      } else {
        Ask(nodes[getter[i]], on_reply, fin, get_first_atom::value, keys[i]);
      }
    });
  };
  std::fprintf(stderr, "phase: gets (%.1f s)\n", MsSince(t_start) / 1000);
  const Usage get_start;
  auto get = get_phase();
  std::fprintf(stderr, "phase: gets done (%.1f s)\n", MsSince(t_start) / 1000);
  const auto get_usage = since(get_start);
  const int get_local_est = local_est;

  // ---- churn: abruptly stop a fraction F of the nodes (never node 0): their router and
  // transport get exit_reason::kill, so the transport's sockets close with no goodbye; then the
  // node's actor system is destroyed (its threads stop; not with --shared-system).
  int kill = static_cast<int>(std::lround(o.churn * N));
  kill = std::min(kill, N - 2);  // keep node 0 and at least one other
  std::vector<int> victims;
  for (int i = 1; i < N; i++) victims.push_back(i);
  std::shuffle(victims.begin(), victims.end(), rng);
  victims.resize(kill);
  const auto t_kill = Clock::now();
  for (int v : victims) {
    caf::anon_send_exit(nodes[v].overlay.transport, caf::exit_reason::kill);
    caf::anon_send_exit(nodes[v].overlay.router, caf::exit_reason::kill);
    nodes[v].alive = false;
  }
  for (int v : victims) {
    nodes[v].overlay = OverlayHandles{};
    nodes[v].system.reset();  // destroys the node's own actor system (not a shared one)
  }
  const double kill_ms = MsSince(t_kill);
  std::this_thread::sleep_until(std::min(
      deadline, Clock::now() + std::chrono::milliseconds(static_cast<long>(o.churn_wait * 1000))));
  for (int i = 0; i < o.ops; i++)  // put-origin nodes may be dead now: any live getter then
    if (!nodes[putter[i]].alive) putter[i] = -1;
  const long copies_after_churn = record_sum();
  const Usage churn_start;
  auto churn = get_phase();
  const auto churn_usage = since(churn_start);

  // Transport counters of the live nodes: was anything rate-limited or dropped?
  TransportStats ts;
  for (Node& n : nodes) {
    if (!n.alive) continue;
    auto s = AskSync<TransportStats>(n.sys(), n.overlay.transport, std::chrono::seconds(5),
                                     stats_atom::value);
    if (!s) continue;
    ts.connections += s->connections;
    ts.sessions_dropped += s->sessions_dropped;
    ts.connections_refused += s->connections_refused;
    ts.frames_limited += s->frames_limited;
    ts.dials_failed += s->dials_failed;
  }

  const long rss = ProcStatus("VmRSS:"), hwm = ProcStatus("VmHWM:");
  const double total_s = MsSince(t_start) / 1000.0;
  const double self_cpu = CpuSelfSeconds() - self0;
  const double other_cores = std::max(0.0, CpuBusySeconds() - busy0 - self_cpu) / total_s;

  PrintPhase("put", put);
  std::printf("           %.2f store acks per put on average\n",
              put.ok + put.failed ? static_cast<double>(acks) / (put.ok + put.failed) : 0.0);
  std::printf(
      "replication: %.2f stored copies per key on average (sum of the routers' record counts);\n"
      "           which nodes hold a key is not exported: in-closest and local %% are not "
      "measured\n",
      static_cast<double>(copies) / o.ops);
  PrintPhase("get", get);
  std::printf(
      "           getter among the key's %d XOR-closest nodes (est. local hit) for %.1f%% of "
      "gets\n",
      R, 100.0 * get_local_est / o.ops);
  std::printf("churn: killed %d/%d nodes in %.0f ms, waited %.1f s; %.2f copies per key left\n",
              kill, N, kill_ms, o.churn_wait, static_cast<double>(copies_after_churn) / o.ops);
  PrintPhase("get-churn", churn);
  std::printf(
      "           getter among the key's %d XOR-closest nodes (est. local hit) for %.1f%% of "
      "gets\n",
      R, 100.0 * local_est / o.ops);
  std::printf(
      "per op: put %.2f ms CPU %.0f TCP segments, get %.2f ms %.0f, get-churn %.2f ms %.0f "
      "(segments: whole machine, ACKs included)\n",
      1000 * put_usage.first / o.ops, static_cast<double>(put_usage.second) / o.ops,
      1000 * get_usage.first / o.ops, static_cast<double>(get_usage.second) / o.ops,
      1000 * churn_usage.first / o.ops, static_cast<double>(churn_usage.second) / o.ops);
  std::printf(
      "transport: %lu connections open, %lu frames rate-limited, %lu sessions dropped, "
      "%lu refused, %lu dials failed\n",
      static_cast<unsigned long>(ts.connections), static_cast<unsigned long>(ts.frames_limited),
      static_cast<unsigned long>(ts.sessions_dropped),
      static_cast<unsigned long>(ts.connections_refused),
      static_cast<unsigned long>(ts.dials_failed));
  std::printf(
      "value mismatches: %d | RSS %.1f MiB (peak %.1f MiB) | total %.1f s, CPU %.1f s, "
      "other processes used %.2f cores meanwhile | %ld threads\n",
      mismatched.load(), rss / 1024.0, hwm / 1024.0, total_s, self_cpu, other_cores,
      ProcStatus("Threads:"));

  auto r2 = [](double x) { return std::round(x * 100) / 100; };
  auto r1 = [](double x) { return std::round(x * 10) / 10; };
  nlohmann::ordered_json j;
  j["impl"] = "p2plake";
  j["nodes"] = N;
  j["ops"] = o.ops;
  j["concurrency"] = o.conc;
  j["churn"] = r2(o.churn);
  j["bootstrap_ms"] = std::round(t_boot);
  j["connected_ms"] = std::round(t_connected);
  j["put_p50_ms"] = r2(put.Pct(.5));
  j["put_p95_ms"] = r2(put.Pct(.95));
  j["put_p99_ms"] = r2(put.Pct(.99));
  j["put_ops_s"] = r1(put.OpsPerSecond());
  j["put_ok_pct"] = r2(put.Success());
  j["copies_per_key"] = r2(static_cast<double>(copies) / o.ops);
  j["in_closest_per_key"] = -1;  // not observable: routers do not export their keys
  j["keys_off_closest"] = -1;
  j["get_p50_ms"] = r2(get.Pct(.5));
  j["get_p95_ms"] = r2(get.Pct(.95));
  j["get_p99_ms"] = r2(get.Pct(.99));
  j["get_ok_pct"] = r2(get.Success());
  j["get_local_pct"] = -1;  // not observable; see get_local_est_pct
  j["churn_killed"] = kill;
  j["churn_get_ok_pct"] = r2(churn.Success());
  j["churn_get_p50_ms"] = r2(churn.Pct(.5));
  j["churn_get_p99_ms"] = r2(churn.Pct(.99));
  j["rss_mib"] = r1(rss / 1024.0);
  j["peak_rss_mib"] = r1(hwm / 1024.0);
  j["total_s"] = r1(total_s);
  j["cpu_s"] = r1(self_cpu);
  j["other_cores"] = r2(other_cores);
  // p2plake only
  j["get_ops_s"] = r1(get.OpsPerSecond());
  j["churn_get_ops_s"] = r1(churn.OpsPerSecond());
  j["get_local_est_pct"] = r1(100.0 * get_local_est / o.ops);
  j["replicas"] = o.replicas;
  j["full_get"] = o.full_get;
  j["caf_threads"] = o.threads;
  j["caf_policy"] = o.policy;
  j["shared_system"] = o.shared_system;
  j["frames_limited"] = ts.frames_limited;
  j["put_cpu_ms_per_op"] = r2(1000 * put_usage.first / o.ops);
  j["get_cpu_ms_per_op"] = r2(1000 * get_usage.first / o.ops);
  std::printf("RESULT %s\n", j.dump().c_str());
  std::fflush(stdout);
  std::_Exit(0);  // skip tearing down N actor systems; nothing is left to flush
}

}  // namespace

int main(int argc, char** argv) {
  Opts o;
  CLI::App app{
      "dht_bench: N p2plake DHT nodes in one process on 127.0.0.1 (the counterpart of "
      "bench/opendht/opendht_bench.cc)"};
  app.add_option("--nodes", o.nodes, "nodes (N)")
      ->capture_default_str()
      ->check(CLI::Range(2, 4096));
  app.add_option("--ops", o.ops, "puts, then as many gets (P)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--concurrency", o.conc, "most ops in flight (C)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--churn", o.churn, "fraction of nodes killed (F)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.99));
  app.add_option("--timeout", o.timeout, "whole run, seconds")->capture_default_str();
  app.add_option("--churn-wait", o.churn_wait, "seconds between the kill and the gets")
      ->capture_default_str();
  app.add_option("--settle", o.settle, "idle seconds after bootstrap")->capture_default_str();
  app.add_option("--value-size", o.value_size, "value bytes")
      ->capture_default_str()
      ->check(CLI::Range(1, 64 << 10));
  app.add_option("--seed", o.seed, "workload seed (node ids are random)")->capture_default_str();
  app.add_option("--replicas", o.replicas, "DhtOptions.store_replicas")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--k", o.k, "DhtOptions.k")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--alpha", o.alpha, "DhtOptions.alpha")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("--full-get", o.full_get, "get_atom (all k closest answer) instead of get_first");
  app.add_option("--threads", o.threads, "scheduler.max-threads per node's actor system")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--policy", o.policy, "scheduler.policy per actor system")
      ->capture_default_str()
      ->check(CLI::IsMember({"stealing", "sharing"}));
  app.add_flag("--shared-system", o.shared_system,
               "all nodes in one actor system (diagnostic: separates thread hand-off costs)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  return Main(o);
}
