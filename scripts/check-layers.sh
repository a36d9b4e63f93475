#!/usr/bin/env bash
# Enforces the dependency rules of shared/DESIGN.md §3 that the linker cannot: pure modules include
# no CAF, httplib, sockets or RocksDB (RocksDB only in store/rocksdb_chunk_store.cc), and read
# neither the clock nor a global random source; the node's actors leave HTTP to gateway/.
set -euo pipefail
cd "$(dirname "$0")/.."

failed=0
report() { echo "check-layers: $1"; echo "$2" | sed 's/^/  /'; failed=1; }

hits=$(grep -rnE '#include *[<"](caf/|httplib)' common store sql dht sim 2>/dev/null || true)
[ -z "$hits" ] || report "pure modules must not include CAF or httplib:" "$hits"
hits=$(grep -rnE '#include *[<"](sys/socket|netinet/|netdb|arpa/inet)' common store sql dht sim \
       2>/dev/null || true)
[ -z "$hits" ] || report "pure modules must not touch sockets:" "$hits"
# The node's actors reach HTTP only through gateway/; the command-line clients in actors/cli/
# (status, later upload and query) are HTTP clients of a node and may use httplib's client.
hits=$(grep -rnE '#include *[<"]httplib' actors 2>/dev/null | grep -v '^actors/cli/' || true)
[ -z "$hits" ] || report "actors/ must not include httplib (gateway/ serves HTTP):" "$hits"
hits=$(grep -rnE '#include *[<"]rocksdb/' common store sql dht sim actors gateway 2>/dev/null \
       | grep -v '^store/rocksdb_chunk_store.cc:' || true)
[ -z "$hits" ] || report "RocksDB belongs to store/rocksdb_chunk_store.cc only:" "$hits"
hits=$(grep -rnE 'system_clock::now|steady_clock::now|std::random_device|std::rand\(|time\(nullptr\)' \
       common store sql dht sim 2>/dev/null || true)
[ -z "$hits" ] || report "pure modules must take time and randomness as inputs:" "$hits"

[ "$failed" -eq 0 ] && echo "check-layers: ok"
exit "$failed"
