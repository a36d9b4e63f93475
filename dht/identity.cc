#include "dht/identity.h"

#include <cstdlib>

#include <sodium.h>

#include "common/hash.h"

namespace lake::dht {
namespace {

static_assert(crypto_sign_SEEDBYTES == Identity::kSeedBytes);
static_assert(crypto_sign_PUBLICKEYBYTES == Identity::kPublicKeyBytes);
static_assert(crypto_sign_SECRETKEYBYTES == 64);
static_assert(crypto_sign_BYTES == Identity::kSignatureBytes);

// sodium_init() selects the fastest implementations; it is idempotent and thread-safe. Nothing
// here uses libsodium's randomness: every key comes from a caller-supplied seed.
void EnsureSodium() {
  static const bool initialised = [] {
    if (sodium_init() < 0) std::abort();
    return true;
  }();
  (void)initialised;
}

}  // namespace

Identity::Identity(const Seed& seed) : seed_(seed) {
  EnsureSodium();
  crypto_sign_seed_keypair(public_key_.data(), secret_key_.data(), seed_.data());
  node_id_ = NodeIdOfKey(ByteView(public_key_.data(), public_key_.size()));
}

Identity::~Identity() {
  sodium_memzero(seed_.data(), seed_.size());
  sodium_memzero(secret_key_.data(), secret_key_.size());
}

Identity::Signature Identity::Sign(ByteView message) const {
  Signature signature;
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                       secret_key_.data());
  return signature;
}

bool Identity::Verify(ByteView public_key, ByteView message, ByteView signature) {
  if (public_key.size() != kPublicKeyBytes || signature.size() != kSignatureBytes) return false;
  EnsureSodium();
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

std::string Identity::ToKeyFile() const {
  std::string text(kKeyFileHeader);
  text += '\n';
  text += ToHex(ByteView(seed_.data(), seed_.size()));
  text += '\n';
  return text;
}

Result<Identity> Identity::FromKeyFile(std::string_view text) {
  const size_t header_end = text.find('\n');
  if (header_end == std::string_view::npos || text.substr(0, header_end) != kKeyFileHeader) {
    return Status::InvalidArgument("not a p2plake node key file (expected header line '" +
                                   std::string(kKeyFileHeader) + "')");
  }
  std::string_view body = text.substr(header_end + 1);
  if (body.size() != 2 * kSeedBytes + 1 || body.back() != '\n') {
    return Status::Corruption(
        "node key file: expected 64 hex digits and a newline after the "
        "header");
  }
  Seed seed;
  size_t seed_len = 0;
  const char* hex_end = nullptr;
  const int rc = sodium_hex2bin(seed.data(), seed.size(), body.data(), 2 * kSeedBytes, nullptr,
                                &seed_len, &hex_end);
  if (rc != 0 || seed_len != kSeedBytes || hex_end != body.data() + 2 * kSeedBytes) {
    sodium_memzero(seed.data(), seed.size());
    return Status::Corruption("node key file: seed is not 64 hex digits");
  }
  Identity identity(seed);
  sodium_memzero(seed.data(), seed.size());
  return identity;
}

NodeId NodeIdOfKey(ByteView public_key) { return Blake2b256(public_key); }

}  // namespace lake::dht
