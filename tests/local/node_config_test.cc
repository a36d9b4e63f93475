#include "local/node_config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

namespace lake::local {
namespace {

using Catch::Matchers::Contains;

// Parses `json`, requires failure, and returns the message.
std::string ParseError(const std::string& json) {
  std::vector<std::string> warnings;
  const Result<NodeConfig> config = ParseNodeConfig(json, &warnings);
  REQUIRE_FALSE(config.ok());
  CHECK(config.status().IsInvalidArgument());
  return config.status().message();
}

TEST_CASE("An empty config object yields every documented default", "[local][config]") {
  std::vector<std::string> warnings;
  const Result<NodeConfig> parsed = ParseNodeConfig("{}", &warnings);
  REQUIRE(parsed.ok());
  CHECK(warnings.empty());
  const NodeConfig& c = *parsed;
  CHECK(c.network.default_port == 3000);
  CHECK(c.network.p2p_port == 4000);
  CHECK(c.network.bootstrap_nodes.empty());
  CHECK(c.network.max_peers == 64);
  CHECK(c.network.discovery_interval_ms == 30000);
  CHECK(c.network.heartbeat_interval_ms == 10000);
  CHECK(c.network.bind_address == "127.0.0.1");
  CHECK(c.network.http_bind_address == "127.0.0.1");
  CHECK(c.network.p2p_bind_address == "127.0.0.1");
  CHECK(c.network.http_threads == 32);
  CHECK(c.network.max_frames_per_second == 2000);
  CHECK(c.storage.data_path == "./data");
  CHECK(c.storage.replication_factor == 3);
  CHECK(c.storage.write_quorum == 2);
  CHECK(c.storage.chunk_size == 1024 * 1024);
  CHECK(c.storage.max_upload_bytes == 10ULL * 1024 * 1024 * 1024);
  CHECK(c.analytics.max_query_time_ms == 30000);
  CHECK(c.analytics.cache_size == 256ULL * 1024 * 1024);
  CHECK(c.analytics.join_strategy == "auto");
  CHECK(c.analytics.fetch_cache_size == 256ULL * 1024 * 1024);
  CHECK(c.security.enable_encryption);
  CHECK(c.security.key_path.empty());
  CHECK(c.security.allowed_origins.empty());  // no page of another origin may call the API
  CHECK(c.security.allowed_hosts.empty());
  CHECK(c.security.api_token.empty());
  CHECK(c.logging.level == "info");
  CHECK(c.logging.log_path.empty());
  CHECK(ValidateNodeConfig(NodeConfig{}).ok());
  CHECK(DataDirOptionsOf(c).key_path.empty());  // inside the data directory
  CHECK(DataDirOptionsOf(c).log_path.empty());
}

TEST_CASE("Every config key overrides its default", "[local][config]") {
  const char* json = R"({
    "network": {"defaultPort": 8080, "p2pPort": 0, "bootstrapNodes": ["a.example:4001", "[::1]:4002"],
                "maxPeers": 8, "discoveryInterval": 1000, "heartbeatInterval": 500,
                "bindAddress": "0.0.0.0", "httpBindAddress": "10.0.0.5",
                "p2pBindAddress": "10.0.0.6", "httpThreads": 4, "maxFramesPerSecond": 50},
    "storage": {"dataPath": "/var/lake", "replicationFactor": 5, "writeQuorum": 5,
                "chunkSize": 4096, "maxUploadBytes": 1000000},
    "analytics": {"maxQueryTime": 1234, "cacheSize": 0, "fetchCacheSize": 0},
    "security": {"enableEncryption": false, "keyPath": "/keys/k",
                 "allowedOrigins": ["http://dash.example:8080"], "allowedHosts": ["node.lan"],
                 "apiToken": "s3cret"},
    "logging": {"level": "debug", "logPath": "/logs/x.log"}
  })";
  std::vector<std::string> warnings;
  const Result<NodeConfig> parsed = ParseNodeConfig(json, &warnings);
  REQUIRE(parsed.ok());
  CHECK(warnings.empty());
  const NodeConfig& c = *parsed;
  CHECK(c.network.default_port == 8080);
  CHECK(c.network.p2p_port == 0);
  CHECK(c.network.bootstrap_nodes == std::vector<std::string>{"a.example:4001", "[::1]:4002"});
  CHECK(c.network.max_peers == 8);
  CHECK(c.network.discovery_interval_ms == 1000);
  CHECK(c.network.heartbeat_interval_ms == 500);
  CHECK(c.network.bind_address == "0.0.0.0");
  CHECK(c.network.http_bind_address == "10.0.0.5");
  CHECK(c.network.p2p_bind_address == "10.0.0.6");
  CHECK(c.network.http_threads == 4);
  CHECK(c.network.max_frames_per_second == 50);
  CHECK(c.storage.data_path == "/var/lake");
  CHECK(c.storage.replication_factor == 5);
  CHECK(c.storage.write_quorum == 5);
  CHECK(c.storage.chunk_size == 4096);
  CHECK(c.storage.max_upload_bytes == 1000000);
  CHECK(c.analytics.max_query_time_ms == 1234);
  CHECK(c.analytics.cache_size == 0);
  CHECK(c.analytics.fetch_cache_size == 0);
  CHECK_FALSE(c.security.enable_encryption);
  CHECK(c.security.key_path == "/keys/k");
  CHECK(c.security.allowed_origins == std::vector<std::string>{"http://dash.example:8080"});
  CHECK(c.security.allowed_hosts == std::vector<std::string>{"node.lan"});
  CHECK(c.security.api_token == "s3cret");
  CHECK(c.logging.level == "debug");
  CHECK(c.logging.log_path == "/logs/x.log");
  CHECK(DataDirOptionsOf(c).key_path == "/keys/k");
  CHECK(DataDirOptionsOf(c).log_path == "/logs/x.log");
}

TEST_CASE("bindAddress sets both listening addresses unless one is given on its own",
          "[local][config]") {
  const Result<NodeConfig> both =
      ParseNodeConfig(R"({"network": {"bindAddress": "0.0.0.0"}})", nullptr);
  REQUIRE(both.ok());
  CHECK(both->network.http_bind_address == "0.0.0.0");
  CHECK(both->network.p2p_bind_address == "0.0.0.0");
  // The usual split: peers reach the node on every interface, the API stays on loopback.
  const Result<NodeConfig> split = ParseNodeConfig(
      R"({"network": {"bindAddress": "0.0.0.0", "httpBindAddress": "127.0.0.1"}})", nullptr);
  REQUIRE(split.ok());
  CHECK(split->network.http_bind_address == "127.0.0.1");
  CHECK(split->network.p2p_bind_address == "0.0.0.0");
  const Result<NodeConfig> p2p_only =
      ParseNodeConfig(R"({"network": {"p2pBindAddress": "10.1.2.3"}})", nullptr);
  REQUIRE(p2p_only.ok());
  CHECK(p2p_only->network.http_bind_address == "127.0.0.1");
  CHECK(p2p_only->network.p2p_bind_address == "10.1.2.3");
  CHECK_THAT(ParseError(R"({"network": {"httpBindAddress": ""}})"),
             Contains("config key 'network.httpBindAddress' is empty"));
  CHECK_THAT(ParseError(R"({"network": {"p2pBindAddress": ""}})"),
             Contains("config key 'network.p2pBindAddress' is empty"));
}

TEST_CASE("A partial section keeps the defaults of the keys it omits", "[local][config]") {
  const Result<NodeConfig> parsed = ParseNodeConfig(R"({"network": {"p2pPort": 4100}})", nullptr);
  REQUIRE(parsed.ok());
  CHECK(parsed->network.p2p_port == 4100);
  CHECK(parsed->network.default_port == 3000);
  CHECK(parsed->storage.replication_factor == 3);
}

TEST_CASE("Unknown config keys become warnings with dotted names", "[local][config]") {
  std::vector<std::string> warnings;
  const Result<NodeConfig> parsed = ParseNodeConfig(
      R"({"network": {"foo": 1, "p2pPort": 4001}, "bar": {"x": 1},
          "logging": {"colour": true}})",
      &warnings);
  REQUIRE(parsed.ok());
  CHECK(parsed->network.p2p_port == 4001);
  CHECK_THAT(warnings, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
                           "unknown key 'network.foo'", "unknown key 'logging.colour'",
                           "unknown key 'bar'"}));

  SECTION("and a null warnings sink is allowed") {
    CHECK(ParseNodeConfig(R"({"bar": 1})", nullptr).ok());
  }
}

TEST_CASE("A config value of the wrong type is an error naming the key", "[local][config]") {
  CHECK_THAT(ParseError(R"({"network": {"p2pPort": "4000"}})"),
             Contains("config key 'network.p2pPort' must be an integer") && Contains("string"));
  CHECK_THAT(ParseError(R"({"network": {"maxPeers": 1.5}})"),
             Contains("config key 'network.maxPeers' must be an integer"));
  CHECK_THAT(ParseError(R"({"security": {"enableEncryption": "yes"}})"),
             Contains("config key 'security.enableEncryption' must be a boolean"));
  CHECK_THAT(ParseError(R"({"storage": {"dataPath": 7}})"),
             Contains("config key 'storage.dataPath' must be a string"));
  CHECK_THAT(ParseError(R"({"security": {"allowedOrigins": "*"}})"),
             Contains("config key 'security.allowedOrigins' must be an array of strings"));
  CHECK_THAT(ParseError(R"({"network": {"bootstrapNodes": ["a:1", 2]}})"),
             Contains("config key 'network.bootstrapNodes[1]' must be a string"));
  CHECK_THAT(ParseError(R"({"network": 5})"), Contains("config key 'network' must be an object"));
  CHECK_THAT(ParseError(R"({"analytics": {"cacheSize": -1}})"),
             Contains("config key 'analytics.cacheSize' must be an integer") && Contains("-1"));
  CHECK_THAT(ParseError("[1, 2]"), Contains("must be a JSON object"));
}

TEST_CASE("Out-of-range config values are errors naming the key", "[local][config]") {
  SECTION("ports") {
    CHECK_THAT(ParseError(R"({"network": {"defaultPort": 65536}})"),
               Contains("config key 'network.defaultPort' must be an integer between 0 and 65535"));
    CHECK_THAT(ParseError(R"({"network": {"p2pPort": -1}})"),
               Contains("config key 'network.p2pPort' must be an integer between 0 and 65535"));
    CHECK(ParseNodeConfig(R"({"network": {"defaultPort": 65535}})", nullptr).ok());
  }
  SECTION("replication and quorum") {
    CHECK_THAT(ParseError(R"({"storage": {"replicationFactor": 0, "writeQuorum": 0}})"),
               Contains("config key 'storage.replicationFactor' must be at least 1"));
    CHECK_THAT(ParseError(R"({"storage": {"writeQuorum": 0}})"),
               Contains("config key 'storage.writeQuorum' must be at least 1"));
    CHECK_THAT(ParseError(R"({"storage": {"writeQuorum": 4}})"),
               Contains("config key 'storage.writeQuorum' must be between 1 and "
                        "storage.replicationFactor (3), got 4"));
    CHECK(ParseNodeConfig(R"({"storage": {"replicationFactor": 1, "writeQuorum": 1}})", nullptr)
              .ok());
  }
  SECTION("chunk size and intervals") {
    CHECK_THAT(ParseError(R"({"storage": {"chunkSize": 4095}})"),
               Contains("config key 'storage.chunkSize' must be at least 4096, got 4095"));
    CHECK_THAT(ParseError(R"({"network": {"heartbeatInterval": 0}})"),
               Contains("config key 'network.heartbeatInterval' must be at least 1"));
    CHECK_THAT(ParseError(R"({"network": {"maxPeers": 0}})"),
               Contains("config key 'network.maxPeers' must be at least 1"));
    CHECK_THAT(ParseError(R"({"network": {"httpThreads": 0}})"),
               Contains("config key 'network.httpThreads' must be at least 1"));
  }
  SECTION("log level") {
    CHECK_THAT(ParseError(R"({"logging": {"level": "verbose"}})"),
               Contains("config key 'logging.level' must be one of") && Contains("'verbose'"));
    CHECK_THAT(ParseError(R"({"logging": {"level": "INFO"}})"), Contains("logging.level"));
    for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
      const std::string json = std::string(R"({"logging": {"level": ")") + level + "\"}}";
      CHECK(ParseNodeConfig(json, nullptr).ok());
    }
  }
  SECTION("join strategy") {
    CHECK_THAT(ParseError(R"({"analytics": {"joinStrategy": "hash"}})"),
               Contains("config key 'analytics.joinStrategy' must be one of auto, broadcast, "
                        "gather") &&
                   Contains("'hash'"));
    for (const char* strategy : {"auto", "broadcast", "gather"}) {
      const std::string json =
          std::string(R"({"analytics": {"joinStrategy": ")") + strategy + "\"}}";
      Result<NodeConfig> parsed = ParseNodeConfig(json, nullptr);
      REQUIRE(parsed.ok());
      CHECK(parsed->analytics.join_strategy == strategy);
    }
  }
  SECTION("bootstrap entries") {
    CHECK_THAT(ParseError(R"({"network": {"bootstrapNodes": ["a:1", "nohost"]}})"),
               Contains("config key 'network.bootstrapNodes[1]'") && Contains("'nohost'"));
    CHECK_THAT(ParseError(R"({"network": {"bootstrapNodes": ["a:70000"]}})"),
               Contains("config key 'network.bootstrapNodes[0]'") && Contains("'a:70000'"));
  }
}

TEST_CASE("ValidateNodeConfig checks a config changed after parsing", "[local][config]") {
  NodeConfig config;
  config.storage.replication_factor = 1;  // as a --replication 1 flag would
  const Status st = ValidateNodeConfig(config);
  CHECK(st.IsInvalidArgument());
  CHECK_THAT(st.message(), Contains("storage.writeQuorum"));
  config.storage.write_quorum = 1;
  CHECK(ValidateNodeConfig(config).ok());
  config.network.bootstrap_nodes = {"seed:0"};
  CHECK_THAT(ValidateNodeConfig(config).message(), Contains("network.bootstrapNodes[0]"));
}

TEST_CASE("Seeds may pin a node id, and advertiseAddress and writers are checked",
          "[local][config]") {
  const std::string id(64, 'a');
  std::vector<std::string> warnings;
  const Result<NodeConfig> parsed = ParseNodeConfig(R"({"network": {"bootstrapNodes": [")" + id +
                                                        R"(@seed.example:4000", "b:1"],
                      "advertiseAddress": "203.0.113.5:4000"},
          "security": {"writers": [")" + id + R"("]}})",
                                                    &warnings);
  REQUIRE(parsed.ok());
  CHECK(warnings.empty());
  CHECK(parsed->network.bootstrap_nodes ==
        std::vector<std::string>{id + "@seed.example:4000", "b:1"});
  CHECK(parsed->network.advertise_address == "203.0.113.5:4000");
  CHECK(parsed->security.writers == std::vector<std::string>{id});
  CHECK(NodeConfig{}.network.advertise_address.empty());
  CHECK(NodeConfig{}.security.writers.empty());

  CHECK_THAT(ParseError(R"({"network": {"bootstrapNodes": ["abc@seed:4000"]}})"),
             Contains("network.bootstrapNodes[0]") && Contains("node id"));
  CHECK_THAT(ParseError(R"({"network": {"bootstrapNodes": [")" + id + R"(@seed"]}})"),
             Contains("network.bootstrapNodes[0]") && Contains("port"));
  CHECK_THAT(ParseError(R"({"network": {"advertiseAddress": "nohost"}})"),
             Contains("network.advertiseAddress") && Contains("'nohost'"));
  CHECK_THAT(ParseError(R"({"security": {"writers": ["xyz"]}})"),
             Contains("security.writers[0]") && Contains("'xyz'"));
}

TEST_CASE("Malformed config JSON is an error naming the byte offset", "[local][config]") {
  CHECK_THAT(ParseError(R"({"network": {"p2pPort": 4000,}})"),
             Contains("config is not valid JSON at byte"));
  CHECK_THAT(ParseError(""), Contains("config is not valid JSON at byte"));
  CHECK_THAT(ParseError("{} ]"), Contains("config is not valid JSON at byte 4"));
}

TEST_CASE("A config number too large for a double is an error, not an exception",
          "[local][config]") {
  CHECK_THAT(ParseError(R"({"network": {"p2pPort": 1e999}})"),
             Contains("config is not valid JSON: number overflow"));
}

TEST_CASE("ParseHostPort splits host:port and rejects anything else", "[local][config]") {
  SECTION("good") {
    using HostPort = std::pair<std::string, uint16_t>;
    const auto parse = [](std::string_view text) {
      const auto r = ParseHostPort(text);
      REQUIRE(r.ok());
      return *r;
    };
    CHECK(parse("localhost:4000") == HostPort{"localhost", 4000});
    CHECK(parse("10.0.0.2:1") == HostPort{"10.0.0.2", 1});
    CHECK(parse("node.example.com:65535") == HostPort{"node.example.com", 65535});
    CHECK(parse("[::1]:4001") == HostPort{"::1", 4001});
  }
  SECTION("bad") {
    for (const char* text :
         {"", "host", "host:", ":4000", "host:0", "host:65536", "host:-1", "host:+80", "host:80x",
          "host: 80", "::1:4000", "[]:80", "http://host:80", "host:99999999999999999999"}) {
      const auto r = ParseHostPort(text);
      INFO(text);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().IsInvalidArgument());
      CHECK_THAT(r.status().message(), Contains("'" + std::string(text) + "'"));
    }
  }
}

TEST_CASE("LoadNodeConfig reads a file and reports an unreadable path", "[local][config]") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "lake_node_config_test";
  std::filesystem::create_directories(dir);

  SECTION("a missing file is an IOError naming the path") {
    const std::string path = (dir / "missing.json").string();
    const Result<NodeConfig> r = LoadNodeConfig(path, nullptr);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().IsIOError());
    CHECK_THAT(r.status().message(), Contains(path));
  }
  SECTION("a directory is an IOError") {
    CHECK(LoadNodeConfig(dir.string(), nullptr).status().IsIOError());
  }
  SECTION("a file is parsed, with errors prefixed by its path") {
    const std::string path = (dir / "config.json").string();
    std::ofstream(path) << R"({"network": {"p2pPort": 4555, "extra": 1}})";
    std::vector<std::string> warnings;
    const Result<NodeConfig> r = LoadNodeConfig(path, &warnings);
    REQUIRE(r.ok());
    CHECK(r->network.p2p_port == 4555);
    CHECK(warnings == std::vector<std::string>{"unknown key 'network.extra'"});

    std::ofstream(path) << R"({"network": {"p2pPort": true}})";
    const Result<NodeConfig> bad = LoadNodeConfig(path, nullptr);
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.status().message(), Contains(path) && Contains("network.p2pPort"));
  }
  std::filesystem::remove_all(dir);
}

// --- Peer transport defences and the network key ---

TEST_CASE("Connection budgets default to maxPeers and can be set apart", "[local][config]") {
  const Result<NodeConfig> defaults = ParseNodeConfig("{}", nullptr);
  REQUIRE(defaults.ok());
  CHECK(defaults->network.max_inbound_peers == 64);
  CHECK(defaults->network.max_outbound_peers == 64);
  CHECK(defaults->network.max_bytes_per_second == 64ULL << 20);
  CHECK(defaults->network.frame_timeout_ms == 30000);
  CHECK(defaults->security.network_key.empty());
  CHECK(defaults->security.network_key_file.empty());

  const Result<NodeConfig> only_max = ParseNodeConfig(R"({"network": {"maxPeers": 10}})", nullptr);
  REQUIRE(only_max.ok());
  CHECK(only_max->network.max_inbound_peers == 10);
  CHECK(only_max->network.max_outbound_peers == 10);

  std::vector<std::string> warnings;
  const Result<NodeConfig> apart = ParseNodeConfig(
      R"({"network": {"maxPeers": 10, "maxInboundPeers": 40, "maxOutboundPeers": 12,
                      "maxBytesPerSecond": 1000, "frameTimeout": 2500}})",
      &warnings);
  REQUIRE(apart.ok());
  CHECK(warnings.empty());
  CHECK(apart->network.max_inbound_peers == 40);
  CHECK(apart->network.max_outbound_peers == 12);
  CHECK(apart->network.max_bytes_per_second == 1000);
  CHECK(apart->network.frame_timeout_ms == 2500);

  CHECK_THAT(ParseError(R"({"network": {"maxInboundPeers": 0}})"),
             Contains("network.maxInboundPeers"));
  CHECK_THAT(ParseError(R"({"network": {"frameTimeout": 0}})"), Contains("network.frameTimeout"));
}

TEST_CASE("The network key is 64 hex digits, given inline or in a file", "[local][config]") {
  const std::string hex(64, 'c');
  SECTION("inline") {
    const Result<NodeConfig> c =
        ParseNodeConfig(R"({"security": {"networkKey": ")" + hex + R"("}})", nullptr);
    REQUIRE(c.ok());
    const auto key = LoadNetworkKey(c->security);
    REQUIRE(key.ok());
    REQUIRE(key->has_value());
    CHECK((**key)[0] == 0xcc);
    CHECK((**key)[31] == 0xcc);
  }
  SECTION("none") {
    const auto key = LoadNetworkKey(SecurityConfig{});
    REQUIRE(key.ok());
    CHECK_FALSE(key->has_value());
  }
  SECTION("malformed or doubly given") {
    CHECK_THAT(ParseError(R"({"security": {"networkKey": "abc"}})"),
               Contains("security.networkKey"));
    CHECK_THAT(
        ParseError(R"({"security": {"networkKey": ")" + hex + R"(", "networkKeyFile": "/k"}})"),
        Contains("security.networkKeyFile"));
  }
  SECTION("from a file: its last non-empty line, as in an IPFS swarm key") {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("lake-netkey-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "swarm.key").string();
    std::ofstream(path) << "/key/swarm/psk/1.0.0/\n/base16/\n" << std::string(64, 'd') << "\n\n";
    SecurityConfig security;
    security.network_key_file = path;
    const auto key = LoadNetworkKey(security);
    REQUIRE(key.ok());
    REQUIRE(key->has_value());
    CHECK((**key)[7] == 0xdd);

    std::ofstream(path) << "not a key\n";
    const auto bad = LoadNetworkKey(security);
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.status().message(), Contains("security.networkKeyFile"));
    security.network_key_file = (dir / "missing.key").string();
    CHECK(LoadNetworkKey(security).status().IsIOError());
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace lake::local
