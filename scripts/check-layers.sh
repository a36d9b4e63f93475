#!/usr/bin/env bash
# Enforces the module rules the linker cannot (docs/ARCHITECTURE.md, "Modules"):
#  1. each module includes only its own headers and those of the modules below it;
#  2. the pure modules (common, store, sql, dht) and the simulator touch no CAF, httplib or
#     sockets, and read neither the clock nor a global random source;
#  3. local/ (CAF-free by design) touches no CAF, httplib or sockets either;
#  4. RocksDB stays inside store/, and HTTP inside gateway/ and cli/.
# No file is exempt from any rule.
set -euo pipefail
cd "$(dirname "$0")/.."

failed=0
report() { echo "check-layers: $1"; echo "$2" | sed 's/^/  /'; failed=1; }

# 1. The include graph only points down.
declare -A allowed=(
  [common]="common"
  [store]="common store"
  [sql]="common sql"
  [dht]="common dht"
  [local]="common store sql dht local"
  [sim]="common store sql dht local sim"
  [actors]="common store sql dht local actors"
  [gateway]="common store sql dht local actors gateway"
)
project_dirs="common store sql dht local sim actors gateway cli tests bench"
for module in "${!allowed[@]}"; do
  for dir in $project_dirs; do
    case " ${allowed[$module]} " in *" $dir "*) continue ;; esac
    hits=$(grep -rnE "#include *\"$dir/" "$module" 2>/dev/null || true)
    [ -z "$hits" ] || report "$module/ must not include $dir/ (it sits above or beside it):" "$hits"
  done
done

pure="common store sql dht sim"
hits=$(grep -rnE '#include *[<"](caf/|httplib)' $pure local 2>/dev/null || true)
[ -z "$hits" ] || report "pure modules and local/ must not include CAF or httplib:" "$hits"
hits=$(grep -rnE '#include *[<"](sys/socket|netinet/|netdb|arpa/inet)' $pure local 2>/dev/null || true)
[ -z "$hits" ] || report "pure modules and local/ must not touch sockets:" "$hits"
hits=$(grep -rnE 'system_clock::now|steady_clock::now|std::random_device|std::rand\(|time\(nullptr\)' \
       $pure 2>/dev/null || true)
[ -z "$hits" ] || report "pure modules must take time and randomness as inputs:" "$hits"
hits=$(grep -rnE '#include *[<"]rocksdb/' common sql dht local sim actors gateway cli 2>/dev/null || true)
[ -z "$hits" ] || report "RocksDB belongs to store/ only:" "$hits"
hits=$(grep -rnE '#include *[<"]httplib' common store sql dht local sim actors 2>/dev/null || true)
[ -z "$hits" ] || report "HTTP belongs to gateway/ (and the command-line clients in cli/):" "$hits"

[ "$failed" -eq 0 ] && echo "check-layers: ok"
exit "$failed"
