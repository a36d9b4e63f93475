#!/usr/bin/env bash
# Installs, from Debian's archive, exactly the packages that building and testing p2plake need.
# Idempotent: when everything is already present it only checks (a second or so) and says so.
set -euo pipefail

packages=(
  build-essential cmake pkg-config   # toolchain
  libsodium-dev                      # identity, BLAKE2b hashing, sessions
  libmsgpack-cxx-dev                 # chunk, manifest and wire encoding
  librocksdb-dev                     # chunk and metadata storage
  liblz4-dev                         # compression of chunk columns where it pays
  libpg-query-dev                    # SQL parser (the PostgreSQL 15 grammar)
  libprotobuf-c-dev                  # the header of the parser's exact (protobuf) parse tree
  libcli11-dev                       # the p2plake command line
  nlohmann-json3-dev                 # JSON: CLI output, config.json, the HTTP API
  libcaf-dev                         # actors and the peer transport (CAF 0.17)
  libcpp-httplib-dev                 # the HTTP gateway
  libspdlog-dev                      # node logs
  catch2                             # tests (v2)
  python3                            # the differential tester's oracle (its sqlite3 module)
  chromium                           # the dashboard's browser test (headless)
)
# Node.js runs the browser test (tests/browser). Debian's nodejs and npm only when no node is
# installed: a node from elsewhere brings its own npm, which Debian's npm package conflicts with.
command -v node >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
