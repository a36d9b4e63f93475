#include "dht/secure_session.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <string>
#include <utility>

#include <sodium.h>
#include <msgpack.hpp>

#include "common/hash.h"
#include "common/msgpack_util.h"

namespace lake::dht {
namespace {

static_assert(crypto_kx_PUBLICKEYBYTES == 32 && crypto_kx_SECRETKEYBYTES == 32);
static_assert(crypto_kx_SEEDBYTES == 32 && crypto_kx_SESSIONKEYBYTES == 32);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == 24);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == SecureSession::kTagBytes);

constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 24;

// Handshake frames are tiny; these limits keep a hostile one from making msgpack build anything
// large (the frame length limit already bounds the total).
const UnpackLimits kHandshakeLimits = [] {
  UnpackLimits limits;
  limits.max_array = 16;
  limits.max_map = 16;
  limits.max_str = 256;
  limits.max_bin = 256;
  limits.max_depth = 4;
  return limits;
}();

void PutLength(uint8_t* out, uint32_t length) {
  out[0] = static_cast<uint8_t>(length >> 24);
  out[1] = static_cast<uint8_t>(length >> 16);
  out[2] = static_cast<uint8_t>(length >> 8);
  out[3] = static_cast<uint8_t>(length);
}

uint32_t GetLength(const uint8_t* in) {
  return uint32_t{in[0]} << 24 | uint32_t{in[1]} << 16 | uint32_t{in[2]} << 8 | uint32_t{in[3]};
}

void PackKey(msgpack::packer<msgpack::sbuffer>& pk, std::string_view key) {
  pk.pack_str(static_cast<uint32_t>(key.size()));
  pk.pack_str_body(key.data(), static_cast<uint32_t>(key.size()));
}

// Reads field `key` of `map` as a bin of exactly `size` bytes.
bool ReadFixedBin(const msgpack::object& map, std::string_view key, size_t size, ByteView* out) {
  const msgpack::object* field = FindField(map, key);
  return field != nullptr && ReadBin(*field, out) && out->size() == size;
}

std::array<uint8_t, kNonceBytes> CounterNonce(uint64_t counter) {
  std::array<uint8_t, kNonceBytes> nonce{};
  for (size_t i = 0; i < 8; ++i) nonce[i] = static_cast<uint8_t>(counter >> (8 * i));
  return nonce;
}

// Replaces a session key by BLAKE2b-256 keyed with the network key, so that only holders of the
// network key can derive the session's keys.
void MixNetworkKey(const std::array<uint8_t, 32>& network_key, std::array<uint8_t, 32>* key) {
  std::array<uint8_t, 32> mixed;
  crypto_generichash(mixed.data(), mixed.size(), key->data(), key->size(), network_key.data(),
                     network_key.size());
  *key = mixed;
  sodium_memzero(mixed.data(), mixed.size());
}

}  // namespace

SecureSession::SecureSession(Role role, const Identity& self,
                             const std::array<uint8_t, 32>& ephemeral_seed,
                             std::optional<NodeId> expected_peer, Options options)
    : role_(role), self_(self), expected_peer_(expected_peer), options_(options) {
  // libsodium is initialised by Identity's constructor, which `self` has been through.
  crypto_kx_seed_keypair(eph_public_.data(), eph_secret_.data(), ephemeral_seed.data());

  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(3);
  PackKey(pk, "v");
  pk.pack_uint64(kVersion);
  PackKey(pk, "eph");
  PackBin(pk, eph_public_.data(), eph_public_.size());
  PackKey(pk, "pk");
  PackBin(pk, self_.public_key().data(), self_.public_key().size());
  const Bytes body = BufferBytes(buffer);
  QueueFrame(body);
  own_hello_ = output_;  // the whole frame, prefix included, for the transcript
}

SecureSession::~SecureSession() {
  sodium_memzero(eph_secret_.data(), eph_secret_.size());
  sodium_memzero(rx_key_.data(), rx_key_.size());
  sodium_memzero(tx_key_.data(), tx_key_.size());
}

Status SecureSession::OnBytes(ByteView received) {
  if (failed()) return status_;
  if (rx_buffer_.empty()) {
    // Fast path: parse straight from `received`, keeping only an incomplete tail.
    size_t consumed = 0;
    Status status = ConsumeFrames(received, &consumed);
    if (!status.ok()) return Fail(std::move(status));
    rx_buffer_.assign(received.begin() + consumed, received.end());
    return Status::OK();
  }
  rx_buffer_.insert(rx_buffer_.end(), received.begin(), received.end());
  size_t consumed = 0;
  Status status = ConsumeFrames(rx_buffer_, &consumed);
  if (!status.ok()) return Fail(std::move(status));
  rx_buffer_.erase(rx_buffer_.begin(), rx_buffer_.begin() + consumed);
  return Status::OK();
}

size_t SecureSession::FrameRemainder() const {
  if (rx_buffer_.size() < kLengthPrefixBytes) return 0;
  const size_t frame = kLengthPrefixBytes + GetLength(rx_buffer_.data());
  return frame > rx_buffer_.size() ? frame - rx_buffer_.size() : 0;
}

Status SecureSession::ConsumeFrames(ByteView data, size_t* consumed) {
  size_t pos = 0;
  while (data.size() - pos >= kLengthPrefixBytes) {
    const uint32_t length = GetLength(data.data() + pos);
    // Checked frame by frame: the frames after the peer's AUTH in the same bytes are DATA.
    const size_t limit = state_ == State::kEstablished
                             ? options_.max_frame_bytes
                             : std::min(options_.max_frame_bytes, kMaxHandshakeFrameBytes);
    if (length > limit) {
      return Status::ResourceExhausted(
          "secure session: frame of " + std::to_string(length) + " bytes exceeds the limit of " +
          std::to_string(limit) + (state_ == State::kEstablished ? "" : " before the handshake"));
    }
    if (data.size() - pos - kLengthPrefixBytes < length) break;  // wait for the rest
    LAKE_RETURN_IF_ERROR(HandleFrame(data.subspan(pos + kLengthPrefixBytes, length)));
    ++frames_received_;
    pos += kLengthPrefixBytes + length;
  }
  *consumed = pos;
  return Status::OK();
}

Status SecureSession::HandleFrame(ByteView body) {
  switch (state_) {
    case State::kAwaitHello:
      return HandleHello(body);
    case State::kAwaitAuth:
      return HandleAuth(body);
    case State::kEstablished:
      return HandleData(body);
    case State::kFailed:
      break;
  }
  return status_;
}

Status SecureSession::HandleHello(ByteView body) {
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(
      UnpackUntrusted(body, &handle, kHandshakeLimits).WithContext("secure session: HELLO"));
  const msgpack::object& map = handle.get();
  if (map.type != msgpack::type::MAP) return Status::Corruption("secure session: HELLO not a map");
  const msgpack::object* version = FindField(map, "v");
  uint64_t v = 0;
  if (version == nullptr || !ReadUint(*version, &v)) {
    return Status::Corruption("secure session: HELLO without a version");
  }
  if (v != kVersion) {
    return Status::InvalidArgument("secure session: peer speaks handshake version " +
                                   std::to_string(v) + ", we speak " + std::to_string(kVersion));
  }
  ByteView peer_eph;
  ByteView peer_pk;
  if (!ReadFixedBin(map, "eph", kKeyBytes, &peer_eph) ||
      !ReadFixedBin(map, "pk", Identity::kPublicKeyBytes, &peer_pk)) {
    return Status::Corruption("secure session: HELLO needs 32-byte 'eph' and 'pk' keys");
  }
  std::copy(peer_pk.begin(), peer_pk.end(), peer_public_key_.begin());
  if (peer_public_key_ == self_.public_key()) {
    return Status::InvalidArgument("secure session: peer presents our own identity key");
  }
  peer_id_ = NodeIdOfKey(peer_pk);
  if (expected_peer_ && *expected_peer_ != peer_id_) {
    return Status::InvalidArgument("secure session: dialed node " + expected_peer_->ShortHex() +
                                   " but the peer is " + peer_id_.ShortHex());
  }

  // The peer's HELLO frame as it was on the wire: our parser saw exactly these bytes.
  uint8_t prefix[kLengthPrefixBytes];
  PutLength(prefix, static_cast<uint32_t>(body.size()));
  Blake2bHasher hasher;
  hasher.Update(kTranscriptLabel);
  if (options_.network_key) hasher.Update(ByteView(*options_.network_key));
  if (role_ == Role::kInitiator) hasher.Update(own_hello_);
  hasher.Update(ByteView(prefix, sizeof prefix));
  hasher.Update(body);
  if (role_ == Role::kResponder) hasher.Update(own_hello_);
  transcript_ = hasher.Finish();
  own_hello_.clear();
  own_hello_.shrink_to_fit();

  int rc;
  if (role_ == Role::kInitiator) {
    rc = crypto_kx_client_session_keys(rx_key_.data(), tx_key_.data(), eph_public_.data(),
                                       eph_secret_.data(), peer_eph.data());
  } else {
    rc = crypto_kx_server_session_keys(rx_key_.data(), tx_key_.data(), eph_public_.data(),
                                       eph_secret_.data(), peer_eph.data());
  }
  sodium_memzero(eph_secret_.data(), eph_secret_.size());
  if (rc != 0) return Status::Corruption("secure session: unusable ephemeral key in HELLO");
  if (options_.network_key) {
    MixNetworkKey(*options_.network_key, &rx_key_);
    MixNetworkKey(*options_.network_key, &tx_key_);
  }

  Bytes signed_message(transcript_.bytes().begin(), transcript_.bytes().end());
  signed_message.push_back(role_ == Role::kInitiator ? kInitiatorRoleByte : kResponderRoleByte);
  const Identity::Signature signature = self_.Sign(signed_message);
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(1);
  PackKey(pk, "sig");
  PackBin(pk, signature.data(), signature.size());
  QueueFrame(BufferBytes(buffer));
  state_ = State::kAwaitAuth;
  return Status::OK();
}

Status SecureSession::HandleAuth(ByteView body) {
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(
      UnpackUntrusted(body, &handle, kHandshakeLimits).WithContext("secure session: AUTH"));
  ByteView signature;
  if (!ReadFixedBin(handle.get(), "sig", Identity::kSignatureBytes, &signature)) {
    return Status::Corruption("secure session: AUTH needs a 64-byte 'sig'");
  }
  Bytes signed_message(transcript_.bytes().begin(), transcript_.bytes().end());
  signed_message.push_back(role_ == Role::kInitiator ? kResponderRoleByte : kInitiatorRoleByte);
  const ByteView peer_pk(peer_public_key_.data(), peer_public_key_.size());
  if (!Identity::Verify(peer_pk, signed_message, signature)) {
    // With a network key the likely cause is a peer of another network (or of none); without
    // one, a peer that has a key.
    return Status::Corruption(
        "secure session: peer's handshake signature does not verify (a forged AUTH, or the peer " +
        std::string(options_.network_key ? "lacks this network's key"
                                         : "belongs to a private network: it has a network key") +
        ")");
  }
  state_ = State::kEstablished;
  return Status::OK();
}

Status SecureSession::HandleData(ByteView body) {
  if (body.size() < kTagBytes) return Status::Corruption("secure session: DATA frame too short");
  const std::array<uint8_t, kNonceBytes> nonce = CounterNonce(rx_counter_);
  Bytes payload(body.size() - kTagBytes);
  unsigned long long payload_size = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(payload.data(), &payload_size, nullptr,
                                                 body.data(), body.size(), nullptr, 0, nonce.data(),
                                                 rx_key_.data()) != 0) {
    return Status::Corruption("secure session: DATA frame " + std::to_string(rx_counter_) +
                              " fails authentication");
  }
  assert(payload_size == payload.size());
  ++rx_counter_;
  received_.push_back(std::move(payload));
  return Status::OK();
}

Status SecureSession::Send(ByteView payload) {
  if (failed()) return status_;
  if (!established()) {
    return Status::InvalidArgument("secure session: Send before the handshake completed");
  }
  if (options_.max_frame_bytes < kTagBytes ||
      payload.size() > options_.max_frame_bytes - kTagBytes) {
    return Status::InvalidArgument("secure session: payload of " + std::to_string(payload.size()) +
                                   " bytes over the frame limit");
  }
  if (tx_counter_ == std::numeric_limits<uint64_t>::max()) {
    return Fail(Status::ResourceExhausted("secure session: nonce space exhausted"));
  }
  const std::array<uint8_t, kNonceBytes> nonce = CounterNonce(tx_counter_++);
  const size_t body_size = payload.size() + kTagBytes;
  const size_t start = output_.size();
  output_.resize(start + kLengthPrefixBytes + body_size);
  PutLength(output_.data() + start, static_cast<uint32_t>(body_size));
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(output_.data() + start + kLengthPrefixBytes, &written,
                                             payload.data(), payload.size(), nullptr, 0, nullptr,
                                             nonce.data(), tx_key_.data());
  assert(written == body_size);
  return Status::OK();
}

void SecureSession::QueueFrame(ByteView body) {
  const size_t start = output_.size();
  output_.resize(start + kLengthPrefixBytes);
  PutLength(output_.data() + start, static_cast<uint32_t>(body.size()));
  output_.insert(output_.end(), body.begin(), body.end());
}

Status SecureSession::Fail(Status status) {
  assert(!status.ok());
  state_ = State::kFailed;
  status_ = std::move(status);
  rx_buffer_.clear();
  rx_buffer_.shrink_to_fit();
  output_.clear();
  sodium_memzero(rx_key_.data(), rx_key_.size());
  sodium_memzero(tx_key_.data(), tx_key_.size());
  return status_;
}

Bytes SecureSession::TakeOutput() { return std::exchange(output_, Bytes()); }

std::vector<Bytes> SecureSession::TakeReceived() {
  return std::exchange(received_, std::vector<Bytes>());
}

}  // namespace lake::dht
