// SecureSession: the authenticated, encrypted channel over one TCP connection, as a pure
// "bytes in, bytes out" state machine (no sockets, no clock, no randomness of its own: the
// ephemeral key comes from a caller-supplied seed). Feed received bytes to OnBytes, write
// TakeOutput() to the socket, read plaintexts from TakeReceived().
// Thread-safety: not thread-safe; owned by exactly one actor or one sim node.
//
// WIRE PROTOCOL, version 1. This is a wire contract: every constant below is marked "never change".
//
// Framing. Every frame is a 4-byte big-endian unsigned length N, then N body bytes. A length above
//   Options::max_frame_bytes (both sides must agree; default 4 MiB) breaks the session before any
//   buffer for the body is allocated; so does, until the peer's AUTH is accepted, a length above
//   kMaxHandshakeFrameBytes (512): a peer that has proved nothing yet cannot make us buffer more.
//   The two directions of the connection are independent streams; on each, a side sends exactly:
//   HELLO, AUTH, then any number of DATA frames.
// HELLO (plaintext). Body = msgpack map, keys in this order:
//     {"v": 1, "eph": bin(32) X25519 ephemeral public key, "pk": bin(32) Ed25519 identity key}
//   The ephemeral key pair is crypto_kx_seed_keypair(ephemeral_seed). Both sides send HELLO at
//   once, without waiting for the peer's. A receiver ignores unknown keys and rejects v != 1.
// Transcript. T = BLAKE2b-256("p2plake/handshake/1" || [K] || initiator HELLO frame ||
//   responder HELLO frame), where a "HELLO frame" is the exact bytes on the wire, 4-byte length
//   prefix included, and K is the 32-byte network key when one is configured (absent otherwise).
//   A peer without the same K signs a different T, so its AUTH fails: nodes of different
//   networks never complete a handshake, and never exchange a DATA frame.
// AUTH (plaintext). Sent as soon as the peer's HELLO has been accepted. Body = msgpack map
//     {"sig": bin(64) Ed25519 signature over T || role byte}
//   with role byte 'I' (0x49) in the initiator's AUTH and 'R' (0x52) in the responder's. The
//   receiver verifies it against the pk of the peer's HELLO. A peer's NodeId is
//   BLAKE2b-256(peer pk); it must equal the expected NodeId when one was given, and the peer's pk
//   must differ from our own (this rejects a reflected HELLO).
// Keys. The initiator derives (rx, tx) with crypto_kx_client_session_keys, the responder with
//   crypto_kx_server_session_keys, both from the two ephemeral keys; the initiator's tx key is the
//   responder's rx key and vice versa. With a network key K, each key is then replaced by
//   BLAKE2b-256 keyed with K of that key.
// DATA. Body = crypto_aead_xchacha20poly1305_ietf ciphertext of the payload (payload + 16-byte
//   tag), no associated data, no nonce on the wire: the nonce is the 0-based count of DATA frames
//   sent so far in that direction, as uint64 little-endian in the first 8 of its 24 bytes, the
//   other 16 bytes zero. So a replayed, reordered, dropped, truncated or altered frame fails
//   authentication (the AEAD tag also covers the body length, so the prefix needs no AD).
// Any failure (oversized length, malformed HELLO/AUTH, bad signature, wrong identity, failed
// decryption) breaks the session for good: the connection must be closed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/id.h"
#include "common/status.h"
#include "dht/identity.h"

namespace lake::dht {

// Tuning of a SecureSession (declared outside the class so that it can be a default argument).
struct SecureSessionOptions {
  // Largest frame body accepted or sent, handshake frames included (DATA payloads may be up to
  // max_frame_bytes - SecureSession::kTagBytes). Both sides must use the same value.
  size_t max_frame_bytes = 4 << 20;
  // The secret shared by the nodes of one private network (see "Transcript" and "Keys"); both
  // sides must have the same one, or both none.
  std::optional<std::array<uint8_t, 32>> network_key;
};

class SecureSession {
 public:
  enum class Role : uint8_t { kInitiator, kResponder };

  using Options = SecureSessionOptions;

  // Never change: the wire contract documented above.
  static constexpr uint64_t kVersion = 1;
  static constexpr std::string_view kTranscriptLabel = "p2plake/handshake/1";
  static constexpr uint8_t kInitiatorRoleByte = 'I';
  static constexpr uint8_t kResponderRoleByte = 'R';
  static constexpr size_t kLengthPrefixBytes = 4;
  static constexpr size_t kTagBytes = 16;  // crypto_aead_xchacha20poly1305_ietf_ABYTES
  // HELLO and AUTH bodies are under 100 bytes; the rest leaves room for keys a later version adds.
  static constexpr size_t kMaxHandshakeFrameBytes = 512;  // never change

  // Starts a session and queues our HELLO in TakeOutput(). `ephemeral_seed` must be fresh,
  // unpredictable bytes for every session (reusing one gives the same session keys).
  // `expected_peer`: the NodeId an initiator dialed; a peer proving another key is rejected.
  SecureSession(Role role, const Identity& self, const std::array<uint8_t, 32>& ephemeral_seed,
                std::optional<NodeId> expected_peer, Options options = {});
  SecureSession(const SecureSession&) = delete;
  SecureSession& operator=(const SecureSession&) = delete;
  SecureSession(SecureSession&&) noexcept = default;
  SecureSession& operator=(SecureSession&&) noexcept = default;
  ~SecureSession();  // wipes key material

  // Consumes bytes read from the connection, in any split (a partial frame, several frames).
  // Returns OK while the session is healthy (possibly waiting for more bytes). Once it is broken
  // returns Corruption (malformed frame, bad signature, failed decryption), InvalidArgument
  // (wrong peer identity or protocol version) or ResourceExhausted (frame over the limit), and
  // every later call returns that same Status. Buffers at most max_frame_bytes + 4 + one read.
  Status OnBytes(ByteView received);

  // Bytes still to come of the frame being received (0 at a frame boundary), so that a reader
  // can read large frames in large pieces and small ones in small pieces.
  size_t FrameRemainder() const;
  // True while part of a frame (even of its length prefix) is buffered, waiting for the rest.
  bool MidFrame() const { return !rx_buffer_.empty(); }
  // Whole frames received so far (handshake frames included): a reader sees progress by it.
  uint64_t frames_received() const { return frames_received_; }

  // Encrypts `payload` into a DATA frame queued for TakeOutput(). REQUIRES: established().
  // Returns the session's error if it failed, InvalidArgument before the handshake completes or
  // for a payload over max_frame_bytes - kTagBytes.
  Status Send(ByteView payload);

  // Returns (and clears) the bytes to write to the connection, in order. Nothing new is queued
  // once the session has failed.
  Bytes TakeOutput();

  // Returns (and clears) the payloads decrypted so far, in the order sent. Payloads decrypted
  // before a failure are authentic and are still returned.
  std::vector<Bytes> TakeReceived();

  // True once both AUTHs verified and the session has not failed since.
  bool established() const { return state_ == State::kEstablished; }
  // True once the session is broken (see OnBytes).
  bool failed() const { return state_ == State::kFailed; }
  // The error that broke the session; OK while it is healthy.
  const Status& status() const { return status_; }
  // The peer's NodeId, BLAKE2b-256 of the key it proved. Valid once established().
  const NodeId& peer_id() const { return peer_id_; }
  // The role this side plays, as given to the constructor.
  Role role() const { return role_; }

 private:
  enum class State : uint8_t { kAwaitHello, kAwaitAuth, kEstablished, kFailed };
  using Key = std::array<uint8_t, 32>;

  Status HandleFrame(ByteView body);
  Status HandleHello(ByteView body);
  Status HandleAuth(ByteView body);
  Status HandleData(ByteView body);
  // Parses as many whole frames from `data` as possible; sets *consumed to the bytes used.
  Status ConsumeFrames(ByteView data, size_t* consumed);
  void QueueFrame(ByteView body);
  Status Fail(Status status);

  // Immutable after construction
  Role role_;
  Identity self_;
  std::optional<NodeId> expected_peer_;
  Options options_;

  // Mutable state
  State state_ = State::kAwaitHello;
  Status status_;
  Key eph_public_{};
  Key eph_secret_{};  // wiped once the session keys are derived
  Bytes own_hello_;   // our HELLO frame, prefix included, until the transcript is computed
  Id transcript_;
  Identity::PublicKey peer_public_key_{};
  NodeId peer_id_;
  Key rx_key_{};
  Key tx_key_{};
  uint64_t rx_counter_ = 0;
  uint64_t tx_counter_ = 0;
  uint64_t frames_received_ = 0;
  Bytes rx_buffer_;  // an incomplete frame carried over to the next OnBytes
  Bytes output_;
  std::vector<Bytes> received_;
};

}  // namespace lake::dht
