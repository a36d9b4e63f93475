#include "local/node_config.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <concepts>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <system_error>

#include <nlohmann/json.hpp>

#include "common/id.h"
#include "dht/seed.h"

namespace lake::local {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::string_view, 6> kLogLevels = {"trace", "debug", "info",
                                                        "warn",  "error", "off"};

Status KeyError(std::string_view key, std::string_view what) {
  return Status::InvalidArgument("config key '" + std::string(key) + "' " + std::string(what));
}

// "got 70000" for numbers (the value is the problem), "got string" for anything else.
Status TypeError(std::string_view key, std::string_view expected, const Json& got) {
  const std::string seen = got.is_number() ? got.dump() : std::string(got.type_name());
  return KeyError(key, "must be " + std::string(expected) + ", got " + seen);
}

// One overload per field type; each checks the JSON type first, so nothing here throws.
Status ReadValue(const Json& v, const std::string& key, bool* out) {
  if (!v.is_boolean()) return TypeError(key, "a boolean", v);
  *out = v.get<bool>();
  return Status::OK();
}

Status ReadValue(const Json& v, const std::string& key, std::string* out) {
  if (!v.is_string()) return TypeError(key, "a string", v);
  *out = v.get<std::string>();
  return Status::OK();
}

template <class T>
requires(std::unsigned_integral<T> && !std::same_as<T, bool>) Status
    ReadValue(const Json& v, const std::string& key, T* out) {
  constexpr uint64_t kMax = std::numeric_limits<T>::max();
  const bool non_negative =
      v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
  if (!non_negative || v.get<uint64_t>() > kMax) {
    return TypeError(key, "an integer between 0 and " + std::to_string(kMax), v);
  }
  *out = static_cast<T>(v.get<uint64_t>());
  return Status::OK();
}

Status ReadValue(const Json& v, const std::string& key, std::vector<std::string>* out) {
  if (!v.is_array()) return TypeError(key, "an array of strings", v);
  std::vector<std::string> items(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    LAKE_RETURN_IF_ERROR(ReadValue(v[i], key + "[" + std::to_string(i) + "]", &items[i]));
  }
  *out = std::move(items);
  return Status::OK();
}

// An optional member: set only when present.
template <class T>
Status ReadValue(const Json& v, const std::string& key, std::optional<T>* out) {
  T value{};
  LAKE_RETURN_IF_ERROR(ReadValue(v, key, &value));
  *out = std::move(value);
  return Status::OK();
}

// The members of one JSON object. Remembers every key it was asked about, so whatever is left
// over can be reported as unknown.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string prefix)
      : object_(object), prefix_(std::move(prefix)) {}

  // The member `key` (marked as known), or null when absent.
  const Json* Take(const char* key) {
    known_.emplace_back(key);
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }

  std::string Dotted(const char* key) const { return prefix_ + key; }

  // Overwrites *out when `key` is present; a wrong type is an error naming the dotted key.
  template <class T>
  Status Read(const char* key, T* out) {
    const Json* v = Take(key);
    return v == nullptr ? Status::OK() : ReadValue(*v, Dotted(key), out);
  }

  void ReportUnknown(std::vector<std::string>* warnings) const {
    if (warnings == nullptr) return;
    for (const auto& [key, value] : object_.items()) {
      if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
        warnings->push_back("unknown key '" + prefix_ + key + "'");
      }
    }
  }

 private:
  // Immutable after construction
  const Json& object_;
  const std::string prefix_;  // "" at the top, "network." inside a section
  // Mutable state
  std::vector<std::string> known_;
};

Status ReadMembers(ObjectReader& r, NetworkConfig* c) {
  LAKE_RETURN_IF_ERROR(r.Read("defaultPort", &c->default_port));
  LAKE_RETURN_IF_ERROR(r.Read("p2pPort", &c->p2p_port));
  LAKE_RETURN_IF_ERROR(r.Read("bootstrapNodes", &c->bootstrap_nodes));
  LAKE_RETURN_IF_ERROR(r.Read("maxPeers", &c->max_peers));
  LAKE_RETURN_IF_ERROR(r.Read("discoveryInterval", &c->discovery_interval_ms));
  LAKE_RETURN_IF_ERROR(r.Read("heartbeatInterval", &c->heartbeat_interval_ms));
  LAKE_RETURN_IF_ERROR(r.Read("bindAddress", &c->bind_address));
  std::optional<std::string> http_bind;
  std::optional<std::string> p2p_bind;
  LAKE_RETURN_IF_ERROR(r.Read("httpBindAddress", &http_bind));
  LAKE_RETURN_IF_ERROR(r.Read("p2pBindAddress", &p2p_bind));
  c->http_bind_address = http_bind.value_or(c->bind_address);
  c->p2p_bind_address = p2p_bind.value_or(c->bind_address);
  LAKE_RETURN_IF_ERROR(r.Read("httpThreads", &c->http_threads));
  LAKE_RETURN_IF_ERROR(r.Read("advertiseAddress", &c->advertise_address));
  std::optional<uint32_t> max_inbound;
  std::optional<uint32_t> max_outbound;
  LAKE_RETURN_IF_ERROR(r.Read("maxInboundPeers", &max_inbound));
  LAKE_RETURN_IF_ERROR(r.Read("maxOutboundPeers", &max_outbound));
  c->max_inbound_peers = max_inbound.value_or(c->max_peers);
  c->max_outbound_peers = max_outbound.value_or(c->max_peers);
  LAKE_RETURN_IF_ERROR(r.Read("maxBytesPerSecond", &c->max_bytes_per_second));
  LAKE_RETURN_IF_ERROR(r.Read("frameTimeout", &c->frame_timeout_ms));
  return r.Read("maxFramesPerSecond", &c->max_frames_per_second);
}

Status ReadMembers(ObjectReader& r, StorageConfig* c) {
  LAKE_RETURN_IF_ERROR(r.Read("dataPath", &c->data_path));
  LAKE_RETURN_IF_ERROR(r.Read("replicationFactor", &c->replication_factor));
  std::optional<uint32_t> write_quorum;
  LAKE_RETURN_IF_ERROR(r.Read("writeQuorum", &write_quorum));
  c->write_quorum = write_quorum.value_or(std::min<uint32_t>(2, c->replication_factor));
  LAKE_RETURN_IF_ERROR(r.Read("chunkSize", &c->chunk_size));
  LAKE_RETURN_IF_ERROR(r.Read("maxUploadBytes", &c->max_upload_bytes));
  LAKE_RETURN_IF_ERROR(r.Read("repairInterval", &c->repair_interval_ms));
  LAKE_RETURN_IF_ERROR(r.Read("repairBandwidth", &c->repair_bandwidth));
  return r.Read("orphanGrace", &c->orphan_grace_ms);
}

Status ReadMembers(ObjectReader& r, AnalyticsConfig* c) {
  LAKE_RETURN_IF_ERROR(r.Read("maxQueryTime", &c->max_query_time_ms));
  LAKE_RETURN_IF_ERROR(r.Read("cacheSize", &c->cache_size));
  LAKE_RETURN_IF_ERROR(r.Read("maxConcurrentQueries", &c->max_concurrent_queries));
  LAKE_RETURN_IF_ERROR(r.Read("maxQueuedQueries", &c->max_queued_queries));
  LAKE_RETURN_IF_ERROR(r.Read("maxResultRows", &c->max_result_rows));
  LAKE_RETURN_IF_ERROR(r.Read("maxGatherBytes", &c->max_gather_bytes));
  LAKE_RETURN_IF_ERROR(r.Read("fetchCacheSize", &c->fetch_cache_size));
  LAKE_RETURN_IF_ERROR(r.Read("joinStrategy", &c->join_strategy));
  return r.Read("resultCacheSize", &c->result_cache_size);
}

Status ReadMembers(ObjectReader& r, SecurityConfig* c) {
  LAKE_RETURN_IF_ERROR(r.Read("enableEncryption", &c->enable_encryption));
  LAKE_RETURN_IF_ERROR(r.Read("keyPath", &c->key_path));
  LAKE_RETURN_IF_ERROR(r.Read("allowedOrigins", &c->allowed_origins));
  LAKE_RETURN_IF_ERROR(r.Read("allowedHosts", &c->allowed_hosts));
  LAKE_RETURN_IF_ERROR(r.Read("writers", &c->writers));
  LAKE_RETURN_IF_ERROR(r.Read("networkKey", &c->network_key));
  LAKE_RETURN_IF_ERROR(r.Read("networkKeyFile", &c->network_key_file));
  return r.Read("apiToken", &c->api_token);
}

Status ReadMembers(ObjectReader& r, LoggingConfig* c) {
  LAKE_RETURN_IF_ERROR(r.Read("level", &c->level));
  return r.Read("logPath", &c->log_path);
}

// Reads the object `parent.key` into *out, then reports its unknown members.
template <class Section>
Status ReadSection(ObjectReader& parent, const char* key, Section* out,
                   std::vector<std::string>* warnings) {
  const Json* v = parent.Take(key);
  if (v == nullptr) return Status::OK();
  if (!v->is_object()) return TypeError(parent.Dotted(key), "an object", *v);
  ObjectReader reader(*v, parent.Dotted(key) + ".");
  LAKE_RETURN_IF_ERROR(ReadMembers(reader, out));
  reader.ReportUnknown(warnings);
  return Status::OK();
}

// Where nlohmann may throw: a parse_error carries the byte offset we report; a number too large
// for a double ("1e999") is an out_of_range error instead, and must not escape either.
Result<Json> ParseJson(std::string_view text) {
  const auto reason = [](const Json::exception& e) {
    std::string what = e.what();  // "[json.exception.parse_error.101] parse error at line ..."
    const size_t tag_end = what.find("] ");
    if (tag_end != std::string::npos) what.erase(0, tag_end + 2);
    return what;
  };
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return Status::InvalidArgument("config is not valid JSON at byte " + std::to_string(e.byte) +
                                   ": " + reason(e));
  } catch (const Json::exception& e) {
    return Status::InvalidArgument("config is not valid JSON: " + reason(e));
  }
}

}  // namespace

Result<NodeConfig> ParseNodeConfig(std::string_view json_text, std::vector<std::string>* warnings) {
  LAKE_ASSIGN_OR_RETURN(const Json root, ParseJson(json_text));
  if (!root.is_object()) {
    return Status::InvalidArgument(std::string("config must be a JSON object, got ") +
                                   root.type_name());
  }
  NodeConfig config;
  ObjectReader top(root, "");
  LAKE_RETURN_IF_ERROR(ReadSection(top, "network", &config.network, warnings));
  LAKE_RETURN_IF_ERROR(ReadSection(top, "storage", &config.storage, warnings));
  LAKE_RETURN_IF_ERROR(ReadSection(top, "analytics", &config.analytics, warnings));
  LAKE_RETURN_IF_ERROR(ReadSection(top, "security", &config.security, warnings));
  LAKE_RETURN_IF_ERROR(ReadSection(top, "logging", &config.logging, warnings));
  top.ReportUnknown(warnings);
  LAKE_RETURN_IF_ERROR(ValidateNodeConfig(config));
  return config;
}

Result<NodeConfig> LoadNodeConfig(const std::string& path, std::vector<std::string>* warnings) {
  const std::string what = "cannot read config file " + path + ": ";
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Status::IOError(what + "is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(what + std::generic_category().message(errno));
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return Status::IOError(what + "read failed");
  Result<NodeConfig> config = ParseNodeConfig(text, warnings);
  if (!config.ok()) return config.status().WithContext(path);
  return config;
}

Status ValidateNodeConfig(const NodeConfig& config) {
  struct AtLeast {
    const char* key;
    uint64_t value;
    uint64_t min;
  };
  const AtLeast minimums[] = {
      {"network.maxPeers", config.network.max_peers, 1},
      {"network.discoveryInterval", config.network.discovery_interval_ms, 1},
      {"network.heartbeatInterval", config.network.heartbeat_interval_ms, 1},
      {"network.maxFramesPerSecond", config.network.max_frames_per_second, 1},
      {"network.httpThreads", config.network.http_threads, 1},
      {"network.maxInboundPeers", config.network.max_inbound_peers, 1},
      {"network.maxOutboundPeers", config.network.max_outbound_peers, 1},
      {"network.maxBytesPerSecond", config.network.max_bytes_per_second, 1},
      {"network.frameTimeout", config.network.frame_timeout_ms, 1},
      {"storage.replicationFactor", config.storage.replication_factor, 1},
      {"storage.writeQuorum", config.storage.write_quorum, 1},
      {"storage.chunkSize", config.storage.chunk_size, 4096},
      {"storage.maxUploadBytes", config.storage.max_upload_bytes, 1},
      {"storage.repairInterval", config.storage.repair_interval_ms, 1},
      {"storage.repairBandwidth", config.storage.repair_bandwidth, 1},
      {"analytics.maxQueryTime", config.analytics.max_query_time_ms, 1},
      {"analytics.maxConcurrentQueries", config.analytics.max_concurrent_queries, 1},
      {"analytics.maxResultRows", config.analytics.max_result_rows, 1},
      {"analytics.maxGatherBytes", config.analytics.max_gather_bytes, 1},
  };
  for (const AtLeast& m : minimums) {
    if (m.value < m.min) {
      return KeyError(
          m.key, "must be at least " + std::to_string(m.min) + ", got " + std::to_string(m.value));
    }
  }
  if (config.storage.write_quorum > config.storage.replication_factor) {
    return KeyError("storage.writeQuorum", "must be between 1 and storage.replicationFactor (" +
                                               std::to_string(config.storage.replication_factor) +
                                               "), got " +
                                               std::to_string(config.storage.write_quorum));
  }
  if (config.network.bind_address.empty()) return KeyError("network.bindAddress", "is empty");
  if (config.network.http_bind_address.empty()) {
    return KeyError("network.httpBindAddress", "is empty");
  }
  if (config.network.p2p_bind_address.empty()) {
    return KeyError("network.p2pBindAddress", "is empty");
  }
  if (config.storage.data_path.empty()) return KeyError("storage.dataPath", "is empty");
  if (!config.security.network_key.empty() && !config.security.network_key_file.empty()) {
    return KeyError("security.networkKeyFile", "and security.networkKey are both set: give one");
  }
  if (!config.security.network_key.empty() && !Id::FromHex(config.security.network_key)) {
    return KeyError("security.networkKey", "must be 64 hex digits (32 bytes)");
  }
  const std::string& strategy = config.analytics.join_strategy;
  if (strategy != "auto" && strategy != "broadcast" && strategy != "gather") {
    return KeyError("analytics.joinStrategy",
                    "must be one of auto, broadcast, gather, got '" + strategy + "'");
  }
  const std::string& level = config.logging.level;
  if (std::find(kLogLevels.begin(), kLogLevels.end(), level) == kLogLevels.end()) {
    return KeyError("logging.level",
                    "must be one of trace, debug, info, warn, error, off, got '" + level + "'");
  }
  const std::vector<std::string>& seeds = config.network.bootstrap_nodes;
  for (size_t i = 0; i < seeds.size(); ++i) {
    Result<dht::Seed> seed = dht::ParseSeed(seeds[i]);
    const Status st = seed.ok() ? ParseHostPort(seed->address).status() : seed.status();
    if (!st.ok()) {
      return st.WithContext("config key 'network.bootstrapNodes[" + std::to_string(i) + "]'");
    }
  }
  if (!config.network.advertise_address.empty()) {
    const Status st = ParseHostPort(config.network.advertise_address).status();
    if (!st.ok()) return st.WithContext("config key 'network.advertiseAddress'");
  }
  const std::vector<std::string>& writers = config.security.writers;
  for (size_t i = 0; i < writers.size(); ++i) {
    if (!NodeId::FromHex(writers[i])) {
      return KeyError("security.writers[" + std::to_string(i) + "]",
                      "must be a node id of 64 hex digits, got '" + writers[i] + "'");
    }
  }
  return Status::OK();
}

Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text) {
  const auto bad = [text](std::string_view why) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not host:port (" +
                                   std::string(why) + ")");
  };
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("missing ':port'");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // "[::1]:4000"
  } else if (host.find_first_of(":/[] \t") != std::string_view::npos) {
    return bad("invalid host; an IPv6 host needs brackets");
  }
  if (host.empty()) return bad("empty host");
  uint32_t port = 0;
  const char* end = port_text.data() + port_text.size();
  const auto [parsed_end, ec] = std::from_chars(port_text.data(), end, port);
  if (port_text.empty() || ec != std::errc() || parsed_end != end || port < 1 || port > 65535) {
    return bad("port must be 1..65535");
  }
  return std::make_pair(std::string(host), static_cast<uint16_t>(port));
}

Result<std::optional<std::array<uint8_t, 32>>> LoadNetworkKey(const SecurityConfig& security) {
  std::string hex = security.network_key;
  std::string_view key = "security.networkKey";
  if (!security.network_key_file.empty()) {
    key = "security.networkKeyFile";
    std::ifstream in(security.network_key_file, std::ios::binary);
    if (!in) {
      return Status::IOError("cannot read the network key file " + security.network_key_file);
    }
    std::string line;
    while (std::getline(in, line)) {
      const size_t begin = line.find_first_not_of(" \t\r");
      if (begin == std::string::npos) continue;
      const size_t end = line.find_last_not_of(" \t\r");
      hex = line.substr(begin, end - begin + 1);
    }
  }
  if (hex.empty() && security.network_key_file.empty()) {
    return std::optional<std::array<uint8_t, 32>>();
  }
  const std::optional<Id> parsed = Id::FromHex(hex);
  if (!parsed) return KeyError(key, "must give 64 hex digits (32 bytes)");
  std::array<uint8_t, 32> out;
  std::copy(parsed->bytes().begin(), parsed->bytes().end(), out.begin());
  return std::optional<std::array<uint8_t, 32>>(out);
}

DataDirOptions DataDirOptionsOf(const NodeConfig& config) {
  return DataDirOptions{config.security.key_path, config.logging.log_path};
}

}  // namespace lake::local
