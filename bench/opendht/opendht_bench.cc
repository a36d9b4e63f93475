// opendht_bench: the OpenDHT baseline of bench/dht_bench.cc. N OpenDHT nodes (dht::DhtRunner)
// in one process, each bound to 127.0.0.1:(--port + i), IPv4 only, run through the same phases
// with the same options and the same RESULT fields (bench/dht_bench_common.h):
//   1. start the nodes; nodes 1..N-1 bootstrap from node 0; wait until every node has a good
//      contact, then let every node look up its own id, in rounds, until each has
//      min(N-1, 8) good contacts ("boot ms" counts from the start of the process);
//   2. P puts of --value-size random bytes under InfoHash::get("bench-<seed>-<i>"), each from a
//      random node, at most C in flight; a put ends at OpenDHT's done callback (its 8 closest
//      live nodes acknowledged);
//   3. census (untimed): which node stores which key (exportValues), copies per key and how
//      many of each key's 8 XOR-closest nodes hold it;
//   4. P gets, every key from a random node other than its putter, ending at the first value
//      equal to what was put (or at OpenDHT's done with --full-get);
//   5. round(F*N) random nodes other than node 0 stopped abruptly (join(): no goodbye), a wait
//      of --churn-wait seconds, then every key read again from random live nodes;
//   6. RSS, this process's CPU seconds, and the CPU other processes used meanwhile.
// Built and run by bench/dht_bench.sh against Debian's libopendht-dev (OpenDHT 2.4.12):
//   g++ -std=c++20 -O2 opendht_bench.cc $(pkg-config --cflags --libs opendht) -pthread
// Not part of the project's build: OpenDHT is no dependency of p2plake.
#include <arpa/inet.h>
#include <opendht.h>
#include <opendht/routing_table.h>  // dht::TARGET_NODES

#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include "../dht_bench_common.h"

namespace {

using namespace dht_bench;

struct Opts {
  int nodes = 32, ops = 2000, conc = 32;
  double churn = 0.2;
  int port = 42000;        // node i binds 127.0.0.1:(port + i)
  double timeout = 120;    // whole run, seconds; the program stops by itself
  double churn_wait = 5;   // seconds between the kill and the post-churn gets
  double settle = 0;       // idle seconds after bootstrap, before the puts
  int value_size = 1024;
  unsigned seed = 1;       // seeds the workload only; node ids are random every run
  bool full_get = false;   // wait for OpenDHT's done instead of the first matching value
  bool remote_get = false; // getters never hold the key already (no local answers)
  bool ratelimit = false;  // keep OpenDHT's per-IP request limits (see Start)
};

[[noreturn]] void Usage(const char* program) {
  std::fprintf(stderr,
               "usage: %s [--nodes N] [--ops P] [--concurrency C] [--churn F] [--port BASE]\n"
               "  [--timeout S] [--churn-wait S] [--settle S] [--value-size B] [--seed X]\n"
               "  [--full-get] [--remote-get] [--opendht-ratelimit]\n",
               program);
  std::exit(2);
}

Opts Parse(int argc, char** argv) {
  Opts o;
  const std::map<std::string, bool*> flags = {
      {"--full-get", &o.full_get}, {"--remote-get", &o.remote_get},
      {"--opendht-ratelimit", &o.ratelimit}};
  const std::map<std::string, std::function<void(const char*)>> options = {
      {"--nodes", [&](const char* v) { o.nodes = std::atoi(v); }},
      {"--ops", [&](const char* v) { o.ops = std::atoi(v); }},
      {"--concurrency", [&](const char* v) { o.conc = std::atoi(v); }},
      {"--churn", [&](const char* v) { o.churn = std::atof(v); }},
      {"--port", [&](const char* v) { o.port = std::atoi(v); }},
      {"--timeout", [&](const char* v) { o.timeout = std::atof(v); }},
      {"--churn-wait", [&](const char* v) { o.churn_wait = std::atof(v); }},
      {"--settle", [&](const char* v) { o.settle = std::atof(v); }},
      {"--value-size", [&](const char* v) { o.value_size = std::atoi(v); }},
      {"--seed", [&](const char* v) { o.seed = static_cast<unsigned>(std::atol(v)); }}};
  for (int i = 1; i < argc; i++) {
    if (auto f = flags.find(argv[i]); f != flags.end()) {
      *f->second = true;
    } else if (auto opt = options.find(argv[i]); opt != options.end() && i + 1 < argc) {
      opt->second(argv[++i]);
    } else {
      Usage(argv[0]);
    }
  }
  if (o.nodes < 2 || o.ops < 1 || o.conc < 1 || o.churn < 0 || o.churn >= 1 || o.port < 1024 ||
      o.port + o.nodes > 65535 || o.value_size < 1) {
    Usage(argv[0]);
  }
  return o;
}

dht::SockAddr Loopback(int port) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return dht::SockAddr(reinterpret_cast<const sockaddr*>(&sin), sizeof sin);
}

Clock::time_point After(double seconds) {
  return Clock::now() + std::chrono::milliseconds(static_cast<long>(seconds * 1000));
}

// Node i on 127.0.0.1:(port + i) only: no IPv6 socket, no multicast discovery, no proxy, and a
// network id of its own, so it never talks to the public network (id 0).
std::unique_ptr<dht::DhtRunner> Start(const Opts& o, int i) {
  dht::DhtRunner::Config cfg;
  cfg.dht_config.node_config.network = 0x62656e63;
  if (!o.ratelimit) {
    // OpenDHT limits requests per source IP, ignoring the port: on loopback all N nodes would
    // count as one peer, which no real network sees.
    cfg.dht_config.node_config.max_req_per_sec = -1;
    cfg.dht_config.node_config.max_peer_req_per_sec = -1;
  }
  cfg.peer_discovery = cfg.peer_publish = false;
  cfg.bind4 = Loopback(o.port + i);
  auto node = std::make_unique<dht::DhtRunner>();
  node->run(cfg, dht::DhtRunner::Context{});
  if (node->getBoundPort(AF_INET) != o.port + i) {
    std::fprintf(stderr, "node %d: could not bind 127.0.0.1:%d\n", i, o.port + i);
    std::_Exit(1);
  }
  return node;
}

struct Workload {
  std::vector<dht::InfoHash> keys;
  std::vector<dht::Blob> values;
  std::vector<int> putter;  // -1 once the putter is killed
};

// Which node stores which key after the puts, from every node's own store.
struct Census {
  std::vector<std::vector<char>> holds;  // holds[key][node]
  std::vector<int> in_closest;           // per key: how many of its K closest nodes hold it
  long copies = 0;
  int min_copies = 0, keys_off_closest = 0, k = 0;
};

Census TakeCensus(const std::vector<std::unique_ptr<dht::DhtRunner>>& nodes, const Workload& w) {
  const int n_nodes = static_cast<int>(nodes.size()), n_keys = static_cast<int>(w.keys.size());
  Census c;
  c.holds.assign(n_keys, std::vector<char>(n_nodes, 0));
  std::map<dht::InfoHash, int> index;
  for (int i = 0; i < n_keys; i++) index[w.keys[i]] = i;
  for (int n = 0; n < n_nodes; n++) {
    for (const auto& [key, _] : nodes[n]->exportValues()) {
      if (auto it = index.find(key); it != index.end()) {
        c.holds[it->second][n] = 1;
        c.copies++;
      }
    }
  }
  c.min_copies = n_nodes;
  for (const auto& h : c.holds) c.min_copies = std::min<int>(c.min_copies, std::count(h.begin(), h.end(), 1));
  c.k = std::min(n_nodes, static_cast<int>(dht::TARGET_NODES));
  std::vector<dht::InfoHash> ids;
  for (const auto& node : nodes) ids.push_back(node->getNodeId());
  std::vector<int> order(n_nodes);
  for (int i = 0; i < n_keys; i++) {
    for (int n = 0; n < n_nodes; n++) order[n] = n;
    std::partial_sort(order.begin(), order.begin() + c.k, order.end(), [&](int a, int b) {
      return w.keys[i].xorCmp(ids[a], ids[b]) < 0;
    });
    int held = 0;
    for (int j = 0; j < c.k; j++) held += c.holds[i][order[j]];
    c.in_closest.push_back(held);
    c.keys_off_closest += held == 0;
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  const Opts o = Parse(argc, argv);
  const auto t_start = Clock::now();
  const double busy0 = CpuBusySeconds(), self0 = CpuSelfSeconds();
  const auto deadline = After(o.timeout);
  std::thread([o] {  // hard backstop: if anything hangs (join() included), exit anyway
    std::this_thread::sleep_until(After(o.timeout + 30));
    std::fprintf(stderr, "WATCHDOG: run exceeded timeout + 30 s, exiting\n");
    std::_Exit(3);
  }).detach();

  const int N = o.nodes;
  std::mt19937_64 rng(o.seed);
  std::printf("opendht %s  N=%d P=%d C=%d F=%.2f value=%dB get=%s ratelimit=%s\n", dht::version(),
              N, o.ops, o.conc, o.churn, o.value_size, o.full_get ? "full" : "first-match",
              o.ratelimit ? "opendht-default" : "off");

  // 1. start and bootstrap
  std::vector<std::unique_ptr<dht::DhtRunner>> nodes;
  for (int i = 0; i < N; i++) nodes.push_back(Start(o, i));
  for (int i = 1; i < N; i++) nodes[i]->bootstrap(Loopback(o.port));
  const unsigned want = std::min(N - 1, static_cast<int>(dht::TARGET_NODES));
  const auto boot_deadline = std::min(deadline, After(60));
  auto least_good = [&] {
    unsigned least = ~0u;
    for (const auto& n : nodes) least = std::min(least, n->getNodesStats(AF_INET).good_nodes);
    return least;
  };
  double t_connected = -1, t_boot = -1;
  unsigned least = least_good();
  for (; least == 0 && Clock::now() < boot_deadline; least = least_good()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (least > 0) t_connected = MsSince(t_start);
  int rounds = 0;
  for (; least < want && Clock::now() < boot_deadline; least = least_good()) {
    rounds++;
    RunPhase(N, N, boot_deadline, [&](int i, Finish fin) {
      nodes[i]->get(nodes[i]->getNodeId(),
                    dht::GetCallback([](const std::vector<std::shared_ptr<dht::Value>>&) { return true; }),
                    dht::DoneCallbackSimple([fin](bool ok) { fin(ok); }));
    });
  }
  if (least >= want) t_boot = MsSince(t_start);
  unsigned sum_good = 0;
  for (const auto& n : nodes) sum_good += n->getNodesStats(AF_INET).good_nodes;
  std::printf("bootstrap: all connected %.0f ms, all >= %u good nodes %.0f ms after %d self-lookup "
              "rounds (min %u, avg %.1f good)%s\n",
              t_connected, want, t_boot, rounds, least, static_cast<double>(sum_good) / N,
              t_boot < 0 ? "  NOT CONVERGED, continuing" : "");
  if (o.settle > 0) std::this_thread::sleep_until(std::min(deadline, After(o.settle)));

  // 2. puts
  Workload w;
  std::uniform_int_distribution<int> byte(0, 255), any_node(0, N - 1);
  for (int i = 0; i < o.ops; i++) {
    w.keys.push_back(dht::InfoHash::get("bench-" + std::to_string(o.seed) + "-" + std::to_string(i)));
    w.values.emplace_back(o.value_size);
    for (auto& b : w.values.back()) b = static_cast<uint8_t>(byte(rng));
    w.putter.push_back(any_node(rng));
  }
  const PhaseResult put = RunPhase(o.ops, o.conc, deadline, [&](int i, Finish fin) {
    nodes[w.putter[i]]->put(w.keys[i], std::make_shared<dht::Value>(w.values[i]),
                            dht::DoneCallbackSimple([fin](bool ok) { fin(ok); }));
  });

  // 3. census
  const Census census = TakeCensus(nodes, w);

  // 4. and 5. gets, before and after the kill
  std::vector<bool> alive(N, true);
  std::atomic<int> mismatched{0}, misses{0};
  auto get_phase = [&](double& local_pct) {
    std::vector<int> getter(o.ops);
    int local = 0;
    for (int i = 0; i < o.ops; i++) {
      auto eligible = [&](int g, bool strict) {
        return alive[g] && g != w.putter[i] && !(strict && o.remote_get && census.holds[i][g]);
      };
      std::vector<int> candidates;
      for (bool strict : {true, false}) {  // nobody without the key: any live non-putter
        for (int g = 0; g < N; g++) if (eligible(g, strict)) candidates.push_back(g);
        if (!candidates.empty()) break;
      }
      getter[i] = candidates[std::uniform_int_distribution<size_t>(0, candidates.size() - 1)(rng)];
      local += census.holds[i][getter[i]];
    }
    local_pct = 100.0 * local / o.ops;
    return RunPhase(o.ops, o.conc, deadline, [&, getter](int i, Finish fin) {
      auto found = std::make_shared<bool>(false);  // touched on the getter's thread only
      const dht::Blob* expected = &w.values[i];
      nodes[getter[i]]->get(
          w.keys[i],
          dht::GetCallback([found, expected, full = o.full_get,
                            &mismatched](const std::vector<std::shared_ptr<dht::Value>>& values) {
            for (const auto& v : values) {
              if (v->data == *expected) *found = true;
              else mismatched++;
            }
            return full || !*found;  // false ends the search
          }),
          dht::DoneCallbackSimple([found, fin, i, g = getter[i], &census, &misses](bool ok) {
            if (!*found && misses++ < 5) {
              std::string holders;
              for (size_t n = 0; n < census.holds[i].size(); n++) {
                if (census.holds[i][n]) holders += " " + std::to_string(n);
              }
              std::fprintf(stderr, "miss: key %d from node %d (done ok=%d), stored on:%s (%d of the closest)\n",
                           i, g, ok, holders.c_str(), census.in_closest[i]);
            }
            fin(*found);
          }));
    });
  };
  double get_local_pct = 0, churn_local_pct = 0;
  const PhaseResult get = get_phase(get_local_pct);

  const int kill = std::min(static_cast<int>(std::lround(o.churn * N)), N - 2);
  std::vector<int> victims;
  for (int i = 1; i < N; i++) victims.push_back(i);
  std::shuffle(victims.begin(), victims.end(), rng);
  victims.resize(kill);
  const auto t_kill = Clock::now();
  for (int v : victims) {
    nodes[v]->join();
    alive[v] = false;
  }
  const double kill_ms = MsSince(t_kill);
  std::this_thread::sleep_until(std::min(deadline, After(o.churn_wait)));
  for (int& p : w.putter) if (p >= 0 && !alive[p]) p = -1;
  const PhaseResult churn = get_phase(churn_local_pct);

  // 6. resources and report
  const long rss = ProcStatus("VmRSS:"), hwm = ProcStatus("VmHWM:");
  const double total_s = MsSince(t_start) / 1000, self_cpu = CpuSelfSeconds() - self0;
  const double other_cores = std::max(0.0, CpuBusySeconds() - busy0 - self_cpu) / total_s;
  const double copies = static_cast<double>(census.copies) / o.ops;
  long in_closest = 0;
  for (int c : census.in_closest) in_closest += c;
  PrintPhase("put", put);
  std::printf("replication: %.2f stored copies per key on average (min %d), origin copy included;\n"
              "           %.2f of the %d XOR-closest nodes hold a key on average, %d keys on none of them\n",
              copies, census.min_copies, static_cast<double>(in_closest) / o.ops, census.k,
              census.keys_off_closest);
  PrintPhase("get", get);
  std::printf("           getter already stored the key for %.1f%% of gets\n", get_local_pct);
  std::printf("churn: killed %d/%d nodes in %.0f ms, waited %.1f s\n", kill, N, kill_ms, o.churn_wait);
  PrintPhase("get-churn", churn);
  std::printf("           getter already stored the key for %.1f%% of gets\n", churn_local_pct);
  std::printf("value mismatches: %d | RSS %.1f MiB (peak %.1f MiB) | total %.1f s, CPU %.1f s, "
              "other processes used %.2f cores meanwhile\n",
              mismatched.load(), rss / 1024.0, hwm / 1024.0, total_s, self_cpu, other_cores);
  std::printf(
      "RESULT {\"impl\":\"opendht-%s\",\"nodes\":%d,\"ops\":%d,\"concurrency\":%d,\"churn\":%.2f,"
      "\"bootstrap_ms\":%.0f,\"connected_ms\":%.0f,\"put_p50_ms\":%.2f,\"put_p95_ms\":%.2f,"
      "\"put_p99_ms\":%.2f,\"put_ops_s\":%.1f,\"put_ok_pct\":%.2f,\"copies_per_key\":%.2f,"
      "\"in_closest_per_key\":%.2f,\"keys_off_closest\":%d,\"get_p50_ms\":%.2f,"
      "\"get_p95_ms\":%.2f,\"get_p99_ms\":%.2f,\"get_ok_pct\":%.2f,\"get_local_pct\":%.1f,"
      "\"churn_killed\":%d,\"churn_get_ok_pct\":%.2f,\"churn_get_p50_ms\":%.2f,"
      "\"churn_get_p99_ms\":%.2f,\"rss_mib\":%.1f,\"peak_rss_mib\":%.1f,\"total_s\":%.1f,"
      "\"cpu_s\":%.1f,\"other_cores\":%.2f}\n",
      dht::version(), N, o.ops, o.conc, o.churn, t_boot, t_connected, put.Pct(.5), put.Pct(.95),
      put.Pct(.99), put.OpsPerSecond(), put.Success(), copies,
      static_cast<double>(in_closest) / o.ops, census.keys_off_closest, get.Pct(.5), get.Pct(.95),
      get.Pct(.99), get.Success(), get_local_pct, kill, churn.Success(), churn.Pct(.5),
      churn.Pct(.99), rss / 1024.0, hwm / 1024.0, total_s, self_cpu, other_cores);
  std::fflush(stdout);
  for (auto& n : nodes) n->join();
  std::_Exit(0);  // late callbacks may still reference the phases' state: skip destructors
}
