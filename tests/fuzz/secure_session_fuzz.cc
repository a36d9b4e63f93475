// Fuzz target: the secure session's handshake and frame decoder, fed bytes as the peer would send
// them. The first byte picks what the fuzzer controls:
//   0, 1  the whole stream into a responder / into an initiator (HELLO, AUTH, frames);
//   2     an honest peer's HELLO first, then the fuzzer's bytes (a forged AUTH);
//   3     an honest handshake first, then the fuzzer's bytes (forged DATA frames);
//   4     an honest handshake, then DATA the honest peer encrypts from the fuzzer's payloads,
//         delivered with one byte flipped where the fuzzer says: every payload decrypted before
//         the damage must be one that was sent, in order.
// The second byte sets the frame limit and the size of the pieces bytes arrive in.
#include <array>
#include <cstdint>
#include <vector>

#include "dht/secure_session.h"
#include "tests/fuzz/fuzz_check.h"

namespace lake::dht {
namespace {

using Role = SecureSession::Role;
using Seed = std::array<uint8_t, 32>;

Seed Filled(uint8_t fill) {
  Seed seed;
  seed.fill(fill);
  return seed;
}

const Identity& Self() {
  static const Identity identity(Filled(1));
  return identity;
}
const Identity& Peer() {
  static const Identity identity(Filled(2));
  return identity;
}

// Feeds `bytes` to `to` in pieces of `piece` bytes; stops at the first error.
Status Deliver(SecureSession& to, ByteView bytes, size_t piece) {
  for (size_t pos = 0; pos < bytes.size(); pos += piece) {
    const size_t n = std::min(piece, bytes.size() - pos);
    LAKE_RETURN_IF_ERROR(to.OnBytes(bytes.subspan(pos, n)));
    FUZZ_CHECK(!to.failed());
  }
  return Status::OK();
}

// Whatever the session did with the bytes, its state must be consistent.
void CheckState(SecureSession& session, const Status& delivered) {
  FUZZ_CHECK(delivered.ok() == !session.failed());
  if (session.failed()) {
    FUZZ_CHECK(!session.status().ok());
    FUZZ_CHECK(session.OnBytes(AsBytes("x")).code() == session.status().code());
    FUZZ_CHECK(session.TakeOutput().empty());
  }
}

// Exchanges output between `a` and `b` until both are quiet; the handshake must succeed.
void Handshake(SecureSession& a, SecureSession& b) {
  for (int round = 0; round < 4; ++round) {
    const Bytes a_out = a.TakeOutput();
    const Bytes b_out = b.TakeOutput();
    FUZZ_CHECK(b.OnBytes(a_out).ok());
    FUZZ_CHECK(a.OnBytes(b_out).ok());
  }
  FUZZ_CHECK(a.established() && b.established());
}

}  // namespace
}  // namespace lake::dht

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lake::dht;
  lake::fuzz::FuzzInput input(data, size);
  const uint8_t mode = input.Byte() % 5;
  const uint8_t shape = input.Byte();
  SecureSessionOptions options;
  if (shape & 1) options.max_frame_bytes = 1024;
  const size_t piece = 1 + (shape >> 1);
  const Role role = mode == 1 ? Role::kInitiator : Role::kResponder;
  const Role peer_role = role == Role::kInitiator ? Role::kResponder : Role::kInitiator;
  std::optional<lake::NodeId> expected;
  if (role == Role::kInitiator) expected = Peer().node_id();

  SecureSession target(role, Self(), Filled(3), expected, options);
  SecureSession peer(peer_role, Peer(), Filled(4),
                     peer_role == Role::kInitiator ? std::optional(Self().node_id()) : std::nullopt,
                     options);
  if (mode <= 1) {
    CheckState(target, Deliver(target, input.Rest(), piece));
    return 0;
  }
  if (mode == 2) {
    const lake::Bytes hello = peer.TakeOutput();
    FUZZ_CHECK(target.OnBytes(hello).ok());
    CheckState(target, Deliver(target, input.Rest(), piece));
    return 0;
  }
  Handshake(target, peer);
  if (mode == 3) {
    CheckState(target, Deliver(target, input.Rest(), piece));
    return 0;
  }
  // Mode 4: payloads of the lengths the input gives; the last two bytes say which bit of the stream
  // to flip, if any.
  std::vector<lake::Bytes> sent;
  while (!input.empty()) {
    const size_t length = input.Byte();
    const lake::ByteView payload = input.Take(length);
    if (!peer.Send(payload).ok()) break;
    sent.emplace_back(payload.begin(), payload.end());
  }
  lake::Bytes stream = peer.TakeOutput();
  bool damaged = false;
  if (!stream.empty() && size > 2) {
    const size_t at = (size_t{data[size - 1]} * 7919 + size) % (stream.size() + 1);
    damaged = at < stream.size();
    if (damaged) stream[at] ^= uint8_t{1} << (data[size - 2] & 7);
  }
  CheckState(target, Deliver(target, stream, piece));
  const std::vector<lake::Bytes> received = target.TakeReceived();
  FUZZ_CHECK(damaged ? received.size() <= sent.size() : received.size() == sent.size());
  for (size_t i = 0; i < received.size(); ++i) FUZZ_CHECK(received[i] == sent[i]);
  return 0;
}
