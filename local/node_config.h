// NodeConfig: the settings of one `p2plake node`, read from config.json and then
// overridden by CLI flags. Every field has a usable default, so "{}" is a complete config.
// JSON keys are camelCase ("network.p2pPort"); errors and warnings name them in dotted form.
// Thread-safety: plain values and pure functions; the loader only reads the file it is given.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "local/data_dir.h"

namespace lake::local {

struct NetworkConfig {
  uint16_t default_port = 3000;  // defaultPort: HTTP API; 0 = any free port
  uint16_t p2p_port = 4000;      // p2pPort: peer protocol; 0 = any free port
  // bootstrapNodes: seeds to join through, "host:port" or "<node id hex>@host:port" (the id a
  // seed must prove, as `p2plake status` shows it).
  std::vector<std::string> bootstrap_nodes;
  uint32_t max_peers = 64;                 // maxPeers: concurrent peer connections, >= 1
  uint32_t discovery_interval_ms = 30000;  // discoveryInterval: routing-table refresh, >= 1
  uint32_t heartbeat_interval_ms = 10000;  // heartbeatInterval: peer liveness pings, >= 1
  std::string bind_address = "127.0.0.1";  // bindAddress (ours): interface both ports listen on
  uint32_t max_frames_per_second = 2000;   // maxFramesPerSecond (ours): per-peer limit, >= 1
  uint32_t http_threads = 32;              // httpThreads (ours): HTTP requests at once, >= 1
  // httpBindAddress / p2pBindAddress (ours): the HTTP API's and the peer protocol's own
  // interface; absent from the file: bindAddress.
  std::string http_bind_address = "127.0.0.1";
  std::string p2p_bind_address = "127.0.0.1";
  // advertiseAddress (ours): "host:port" peers are told to reach this node at (behind NAT, or
  // bound to 0.0.0.0); "" = the peer protocol's bind address (0.0.0.0: the host name) and port.
  std::string advertise_address;
  // Peer transport defences (ours). maxInboundPeers / maxOutboundPeers: connections peers opened
  // to us (unfinished handshakes included) and connections we opened (dials included), each
  // >= 1; absent from the file: maxPeers, which is thus the default of each budget.
  uint32_t max_inbound_peers = 64;
  uint32_t max_outbound_peers = 64;
  uint64_t max_bytes_per_second = uint64_t{64} << 20;  // maxBytesPerSecond: per peer, >= 1
  uint32_t frame_timeout_ms = 30000;  // frameTimeout: to complete a frame once begun, >= 1
};

struct StorageConfig {
  std::string data_path = "./data";  // dataPath: node key, database and logs
  uint32_t replication_factor = 3;   // replicationFactor: target replicas per chunk
  uint32_t write_quorum = 2;         // writeQuorum: replicas acked before an upload succeeds;
                                     // absent from the file: min(2, replicationFactor)
  uint64_t chunk_size = uint64_t{1} << 20;         // chunkSize: target chunk bytes, >= 4096
  uint64_t max_upload_bytes = uint64_t{10} << 30;  // maxUploadBytes: larger uploads get 413
  uint32_t repair_interval_ms = 30000;  // repairInterval (ours): between repair rounds, >= 1
  uint64_t repair_bandwidth = uint64_t{64} << 20;  // repairBandwidth (ours): bytes/s, >= 1
  uint32_t orphan_grace_ms = 3600000;  // orphanGrace (ours): unreferenced chunks kept this long
};

struct AnalyticsConfig {
  uint32_t max_query_time_ms = 30000;         // maxQueryTime: queries running longer get 504, >= 1
  uint64_t cache_size = uint64_t{256} << 20;  // cacheSize: bytes of decoded columns; 0 = none
  uint32_t max_concurrent_queries = 8;        // maxConcurrentQueries (ours): more wait, >= 1
  uint32_t max_queued_queries = 64;           // maxQueuedQueries (ours): waiting; more get 503
  uint64_t max_result_rows = 100000;          // maxResultRows (ours): larger answers only streamed
  uint64_t result_cache_size = uint64_t{64} << 20;  // resultCacheSize (ours): bytes; 0 = none
  // maxGatherBytes (ours): chunks a query over several datasets may fetch to the node that
  // plans it; a larger gather gets 413, >= 1
  uint64_t max_gather_bytes = uint64_t{1} << 30;
  // fetchCacheSize (ours): bytes of chunks fetched for queries kept for the next ones; 0 = none
  uint64_t fetch_cache_size = uint64_t{256} << 20;
  // joinStrategy (ours): how joins run in the network: "auto" broadcasts a join whose other
  // tables are small beside the one that drives it and gathers the rest; "broadcast" and
  // "gather" force one (local/distributed_select.h's JoinStrategy)
  std::string join_strategy = "auto";
};

struct SecurityConfig {
  bool enable_encryption = true;  // enableEncryption: encrypt peer links
  std::string key_path;           // keyPath: "" = <dataPath>/node.key
  // allowedOrigins: origins ("http://host:port") whose pages may call the HTTP API from
  // elsewhere, with CORS; "*" = any. A page served by the node itself needs no entry.
  std::vector<std::string> allowed_origins;
  // allowedHosts (ours): Host names the HTTP API answers to besides localhost, 127.0.0.1, [::1]
  // and its bind address; with none, an API bound to a non-loopback address answers to any.
  std::vector<std::string> allowed_hosts;
  std::string api_token;  // apiToken: bearer token of upload, delete and query; "" = not required
  // writers (ours): node ids (64 hex digits, as `p2plake status` shows them) whose dataset
  // pointers this node keeps for the DHT; empty = for each dataset, whoever signed the first
  // pointer it kept.
  std::vector<std::string> writers;
  // networkKey (ours): the 32-byte secret of a private network, as 64 hex digits; peers without
  // the same key cannot complete the handshake. networkKeyFile (ours): a file holding it (its
  // last non-empty line, so an IPFS-style swarm key file works). At most one of them; "" = none.
  std::string network_key;
  std::string network_key_file;
};

struct LoggingConfig {
  std::string level = "info";  // level: trace, debug, info, warn, error or off
  std::string log_path;        // logPath: "" = <dataPath>/node.log
};

struct NodeConfig {
  NetworkConfig network;
  StorageConfig storage;
  AnalyticsConfig analytics;
  SecurityConfig security;
  LoggingConfig logging;
};

// Parses config.json text on top of the defaults: each key present overrides its default.
// Unknown keys are not errors: each appends "unknown key 'network.foo'" to *warnings (which may
// be null). Malformed JSON, a wrong type or an out-of-range value is InvalidArgument naming the
// dotted key (or the byte offset); the result has passed ValidateNodeConfig.
Result<NodeConfig> ParseNodeConfig(std::string_view json_text, std::vector<std::string>* warnings);

// Reads and parses the config file at `path`: IOError naming the path if it cannot be read, else
// as ParseNodeConfig, with errors prefixed by the path.
Result<NodeConfig> LoadNodeConfig(const std::string& path, std::vector<std::string>* warnings);

// Checks the rules no field type can express (quorum <= replication factor, chunk size, log
// level, bootstrap entries, ...). Run it again after applying CLI flag overrides.
Status ValidateNodeConfig(const NodeConfig& config);

// Splits "host:port" (or "[ipv6]:port", returned without brackets): the host is non-empty and the
// port is 1..65535. Used for bootstrapNodes, --seed and advertiseAddress; the error names the text.
Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text);

// The network key that security.networkKey or security.networkKeyFile gives, nullopt if neither
// does. IOError if the file cannot be read, InvalidArgument (naming the key) if it does not hold
// 64 hex digits.
Result<std::optional<std::array<uint8_t, 32>>> LoadNetworkKey(const SecurityConfig& security);

// Where the data directory keeps the key and the log: security.keyPath and logging.logPath
// ("" = inside storage.dataPath).
DataDirOptions DataDirOptionsOf(const NodeConfig& config);

}  // namespace lake::local
