// Identity: a node's long-term Ed25519 key pair, derived deterministically from a 32-byte seed
// (the caller supplies the seed: this module never draws randomness). The NodeId is the
// BLAKE2b-256 of the public key. The seed round-trips through a small text key file kept in the
// data directory. Thread-safety: a value type; const methods may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/id.h"
#include "common/result.h"

namespace lake::dht {

class Identity {
 public:
  static constexpr size_t kSeedBytes = 32;
  static constexpr size_t kPublicKeyBytes = 32;
  static constexpr size_t kSignatureBytes = 64;
  // First line of a key file. Never change: existing data directories carry it.
  static constexpr std::string_view kKeyFileHeader = "p2plake-node-key-v1";

  using Seed = std::array<uint8_t, kSeedBytes>;
  using PublicKey = std::array<uint8_t, kPublicKeyBytes>;
  using Signature = std::array<uint8_t, kSignatureBytes>;

  // Derives the key pair from `seed` (crypto_sign_seed_keypair).
  explicit Identity(const Seed& seed);
  Identity(const Identity&) = default;
  Identity& operator=(const Identity&) = default;
  Identity(Identity&&) noexcept = default;
  Identity& operator=(Identity&&) noexcept = default;
  ~Identity();  // wipes the secret key material

  // BLAKE2b-256 of public_key().
  const NodeId& node_id() const { return node_id_; }
  // The Ed25519 public key.
  const PublicKey& public_key() const { return public_key_; }
  // Detached Ed25519 signature of `message`.
  Signature Sign(ByteView message) const;
  // True iff `signature` is a valid Ed25519 signature of `message` under `public_key`; false for
  // wrong sizes or invalid keys (safe on untrusted input).
  static bool Verify(ByteView public_key, ByteView message, ByteView signature);

  // Key-file text: kKeyFileHeader + "\n" + 64 lower-case hex digits of the seed + "\n".
  std::string ToKeyFile() const;
  // Parses ToKeyFile()'s format exactly (hex digits in either case). InvalidArgument if the
  // header line is missing or names another format; Corruption if the rest is malformed.
  static Result<Identity> FromKeyFile(std::string_view text);

 private:
  // Immutable after construction
  Seed seed_;
  std::array<uint8_t, 64> secret_key_;  // libsodium's seed || public key form
  PublicKey public_key_;
  NodeId node_id_;
};

// The NodeId proved by an Ed25519 public key: BLAKE2b-256 of its bytes.
NodeId NodeIdOfKey(ByteView public_key);

}  // namespace lake::dht
