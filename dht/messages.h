// The Kademlia protocol's messages and their msgpack wire form. Every message is an
// envelope {"p": protocol id, "k": kind, "r": request id, "b": body}; the body's fields depend on
// the kind. Requests carry the sender's listen address ("src"), since the transport only proves
// the sender's NodeId. Decoding treats bytes as untrusted: bounded, never throws, Corruption on
// anything malformed.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/id.h"
#include "common/result.h"
#include "dht/contact.h"

namespace lake::dht {

inline constexpr char kKadProtocol[] = "/lake/kad/1";

// Wire values: never renumber.
enum class MessageKind : uint8_t {
  kPing = 1,       // request: are you alive?
  kPong = 2,       // response to kPing
  kFindNode = 3,   // request: the k closest contacts you know to `target`
  kNodes = 4,      // response: `nodes`
  kFindValue = 5,  // request: records under `target`, else closer contacts
  kValue = 6,      // response: `values` (may be empty) and `nodes`
  kStore = 7,      // request: keep `values[0]` under `target` for `ttl_s` seconds
  kStoreAck = 8,   // response to kStore; `ok` says whether it was kept
};

bool IsRequest(MessageKind kind);

struct Message {
  std::string protocol = kKadProtocol;
  MessageKind kind = MessageKind::kPing;
  uint64_t request_id = 0;
  std::string source_address;  // requests: where the sender listens
  Id target;                   // kFindNode, kFindValue, kStore
  std::vector<Contact> nodes;  // kNodes, kValue
  std::vector<Bytes> values;   // kValue; kStore holds exactly one
  uint32_t ttl_s = 0;          // kStore
  bool ok = true;              // kStoreAck
  friend bool operator==(const Message&, const Message&) = default;
};

struct MessageLimits {
  size_t max_nodes = 64;              // contacts in one reply
  size_t max_values = 64;             // records in one reply
  size_t max_value_bytes = 64 << 10;  // one record
  size_t max_address_bytes = 256;
};

Bytes EncodeMessage(const Message& message);
Result<Message> DecodeMessage(ByteView bytes, const MessageLimits& limits = MessageLimits());

}  // namespace lake::dht
