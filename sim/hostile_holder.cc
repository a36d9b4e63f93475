#include "sim/hostile_holder.h"

#include <algorithm>
#include <string_view>

#include "common/msgpack_util.h"
#include "sql/fragment_codec.h"

namespace lake::sim {
namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

Bytes RandomBytes(Rng& rng, size_t size) {
  Bytes out(size);
  for (uint8_t& b : out) b = static_cast<uint8_t>(rng.Next());
  return out;
}

bool KeyIs(const msgpack::object& key, std::string_view name) {
  std::string_view text;
  return ReadStr(key, &text) && text == name;
}

// Packs `array` with its first element once more at the end (unchanged if empty).
void PackExtended(Packer& pk, const msgpack::object& array) {
  const msgpack::object_array& a = array.via.array;
  if (a.size == 0) {
    pk.pack(array);
    return;
  }
  pk.pack_array(a.size + 1);
  for (uint32_t i = 0; i < a.size; ++i) pk.pack(a.ptr[i]);
  pk.pack(a.ptr[0]);
}

// Packs map `map` with the array under `key` extended (PackExtended), the rest as it is.
void PackWithExtendedField(Packer& pk, const msgpack::object& map, std::string_view key) {
  const msgpack::object_map& m = map.via.map;
  pk.pack_map(m.size);
  for (uint32_t i = 0; i < m.size; ++i) {
    pk.pack(m.ptr[i].key);
    if (KeyIs(m.ptr[i].key, key) && m.ptr[i].val.type == msgpack::type::ARRAY) {
      PackExtended(pk, m.ptr[i].val);
    } else {
      pk.pack(m.ptr[i].val);
    }
  }
}

}  // namespace

Bytes WithExtraColumn(const Bytes& partial) {
  msgpack::object_handle handle;
  if (!UnpackUntrusted(partial, &handle).ok() || handle.get().type != msgpack::type::MAP) {
    return partial;
  }
  const msgpack::object& root = handle.get();
  msgpack::sbuffer buffer;
  Packer pk(buffer);
  const msgpack::object_map& m = root.via.map;
  pk.pack_map(m.size);
  for (uint32_t i = 0; i < m.size; ++i) {
    const msgpack::object& value = m.ptr[i].val;
    pk.pack(m.ptr[i].key);
    if (KeyIs(m.ptr[i].key, "rows") && value.type == msgpack::type::ARRAY) {
      PackExtended(pk, value);
    } else if (KeyIs(m.ptr[i].key, "agg") && value.type == msgpack::type::MAP) {
      // A query with no aggregate (GROUP BY keys only) gets a key column more instead.
      const msgpack::object* states = FindField(value, "states");
      const bool has_states =
          states != nullptr && states->type == msgpack::type::ARRAY && states->via.array.size > 0;
      PackWithExtendedField(pk, value, has_states ? "states" : "keys");
    } else {
      pk.pack(value);
    }
  }
  return BufferBytes(buffer);
}

Bytes RequestRun(HolderBehaviour behaviour, const Bytes& request) {
  if (behaviour != HolderBehaviour::kSkipsChunks) return request;
  Result<sql::FragmentRequest> decoded = sql::DecodeFragmentRequest(request);
  if (!decoded.ok()) return request;
  decoded->chunks.clear();
  return sql::EncodeFragmentRequest(*decoded);
}

std::vector<dht::QueryMessage> HolderPieces(HolderBehaviour behaviour, uint64_t request_id,
                                            const Bytes& honest, size_t piece_bytes,
                                            size_t oversize_bytes, Rng& rng) {
  switch (behaviour) {
    case HolderBehaviour::kHonest:
    case HolderBehaviour::kSkipsChunks:  // honest pieces of a dishonest answer (RequestRun)
      break;
    case HolderBehaviour::kGarbage:
      return dht::PartialPieces(request_id, RandomBytes(rng, 1 + rng.Uniform(2 * piece_bytes)),
                                piece_bytes);
    case HolderBehaviour::kTruncated: {
      const size_t kept = honest.empty() ? 0 : rng.Uniform(honest.size());
      return dht::PartialPieces(request_id, Bytes(honest.begin(), honest.begin() + kept),
                                piece_bytes);
    }
    case HolderBehaviour::kWrongSequence: {
      std::vector<dht::QueryMessage> pieces = dht::PartialPieces(request_id, honest, piece_bytes);
      if (pieces.size() > 1) {
        std::reverse(pieces.begin(), pieces.end());
      } else {
        pieces[0].piece = 1;
      }
      return pieces;
    }
    case HolderBehaviour::kExtraColumn:
      return dht::PartialPieces(request_id, WithExtraColumn(honest), piece_bytes);
    case HolderBehaviour::kOversized: {
      Bytes padded = honest;
      if (padded.size() < oversize_bytes) {
        const Bytes tail = RandomBytes(rng, oversize_bytes - padded.size());
        padded.insert(padded.end(), tail.begin(), tail.end());
      }
      return dht::PartialPieces(request_id, padded, piece_bytes);
    }
  }
  return dht::PartialPieces(request_id, honest, piece_bytes);
}

}  // namespace lake::sim
