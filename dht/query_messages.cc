#include "dht/query_messages.h"

#include <msgpack.hpp>

#include <algorithm>

#include "common/msgpack_util.h"
#include "dht/envelope.h"

namespace lake::dht {
namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

Status Corrupt(std::string_view what) {
  return Status::Corruption("query message: " + std::string(what));
}

// The codes an ERROR may carry: every failure a fragment can report, never OK.
constexpr uint64_t kFirstErrorCode = static_cast<uint64_t>(Status::Code::kNotFound);
constexpr uint64_t kLastErrorCode = static_cast<uint64_t>(Status::Code::kResourceExhausted);

void PackBody(Packer& pk, const QueryMessage& m) {
  switch (m.kind) {
    case QueryMessageKind::kFragment:
      pk.pack_map(2);
      pk.pack("man");
      PackId(pk, m.manifest_id);
      pk.pack("req");
      PackBin(pk, m.data.data(), m.data.size());
      return;
    case QueryMessageKind::kPartial:
      pk.pack_map(3);
      pk.pack("seq");
      pk.pack(m.piece);
      pk.pack("last");
      pk.pack(m.last);
      pk.pack("data");
      PackBin(pk, m.data.data(), m.data.size());
      return;
    case QueryMessageKind::kError:
      pk.pack_map(3);
      pk.pack("code");
      pk.pack(static_cast<uint8_t>(m.error.code()));
      pk.pack("msg");
      pk.pack(m.error.message());
      pk.pack("pos");
      pk.pack(m.error.position());
      return;
    case QueryMessageKind::kCancel:
      pk.pack_map(0);
      return;
    case QueryMessageKind::kAck:
      pk.pack_map(1);
      pk.pack("seq");
      pk.pack(m.piece);
      return;
  }
}

// A piece number: "seq" of PARTIAL and ACK.
Status ReadPiece(const msgpack::object& body, QueryMessage* m) {
  const msgpack::object* seq = FindField(body, "seq");
  uint64_t piece = 0;
  if (seq == nullptr || !ReadUint(*seq, &piece) || piece > UINT32_MAX) return Corrupt("bad piece");
  m->piece = static_cast<uint32_t>(piece);
  return Status::OK();
}

Status ReadData(const msgpack::object& body, std::string_view key, size_t max, Bytes* out) {
  const msgpack::object* field = FindField(body, key);
  ByteView bytes;
  if (field == nullptr || !ReadBin(*field, &bytes) || bytes.size() > max) {
    return Corrupt("bad " + std::string(key));
  }
  out->assign(bytes.begin(), bytes.end());
  return Status::OK();
}

Status ReadBody(const msgpack::object& body, const QueryMessageLimits& limits, QueryMessage* m) {
  switch (m->kind) {
    case QueryMessageKind::kFragment:
      if (!ReadIdField(body, "man", &m->manifest_id)) return Corrupt("missing manifest id");
      return ReadData(body, "req", limits.max_data_bytes, &m->data);
    case QueryMessageKind::kPartial: {
      LAKE_RETURN_IF_ERROR(ReadPiece(body, m));
      const msgpack::object* last = FindField(body, "last");
      if (last == nullptr || !ReadBool(*last, &m->last)) return Corrupt("bad piece");
      return ReadData(body, "data", limits.max_data_bytes, &m->data);
    }
    case QueryMessageKind::kError: {
      const msgpack::object* code = FindField(body, "code");
      const msgpack::object* msg = FindField(body, "msg");
      const msgpack::object* pos = FindField(body, "pos");
      uint64_t code_value = 0;
      std::string_view text;
      int64_t position = 0;
      if (code == nullptr || !ReadUint(*code, &code_value) || code_value < kFirstErrorCode ||
          code_value > kLastErrorCode || msg == nullptr || !ReadStr(*msg, &text) ||
          text.size() > limits.max_error_bytes || pos == nullptr || !ReadInt(*pos, &position) ||
          position < 0 || position > INT32_MAX) {
        return Corrupt("bad error");
      }
      m->error = Status::FromParts(static_cast<Status::Code>(code_value), text,
                                   static_cast<int>(position));
      return Status::OK();
    }
    case QueryMessageKind::kCancel:
      return Status::OK();
    case QueryMessageKind::kAck:
      return ReadPiece(body, m);
  }
  return Corrupt("unknown kind");
}

}  // namespace

std::vector<QueryMessage> PartialPieces(uint64_t request_id, const Bytes& bytes,
                                        size_t piece_bytes) {
  std::vector<QueryMessage> pieces;
  size_t start = 0;
  do {
    const size_t end = std::min(bytes.size(), start + piece_bytes);
    QueryMessage piece;
    piece.kind = QueryMessageKind::kPartial;
    piece.request_id = request_id;
    piece.piece = static_cast<uint32_t>(pieces.size());
    piece.data.assign(bytes.begin() + start, bytes.begin() + end);
    piece.last = end == bytes.size();
    pieces.push_back(std::move(piece));
    start = end;
  } while (start < bytes.size());
  return pieces;
}

Bytes EncodeQueryMessage(const QueryMessage& m) {
  msgpack::sbuffer buffer;
  Packer pk(buffer);
  PackEnvelopeHead(pk, kQueryProtocol, static_cast<uint8_t>(m.kind), m.request_id);
  PackBody(pk, m);
  return BufferBytes(buffer);
}

Result<QueryMessage> DecodeQueryMessage(ByteView bytes, const QueryMessageLimits& limits) {
  UnpackLimits unpack_limits;
  unpack_limits.max_array = 0;
  unpack_limits.max_map = 8;
  unpack_limits.max_str = std::max<size_t>(limits.max_error_bytes, 64);
  unpack_limits.max_bin = std::max(limits.max_data_bytes, Id::kBytes);  // ids are bins too
  unpack_limits.max_depth = 3;
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(UnpackUntrusted(bytes, &handle, unpack_limits));
  LAKE_ASSIGN_OR_RETURN(
      const Envelope envelope,
      ReadEnvelope(handle.get(), kQueryProtocol, static_cast<uint64_t>(QueryMessageKind::kAck),
                   "query message"));
  QueryMessage m;
  m.kind = static_cast<QueryMessageKind>(envelope.kind);
  m.request_id = envelope.request_id;
  LAKE_RETURN_IF_ERROR(ReadBody(*envelope.body, limits, &m));
  return m;
}

}  // namespace lake::dht
