#include "dht/dataset_pointer.h"

#include <msgpack.hpp>

#include "common/msgpack_util.h"

namespace lake::dht {
namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

constexpr uint64_t kPointerFormatVersion = 1;
constexpr char kSignatureDomain[] = "p2plake/dataset-pointer/1";
constexpr size_t kMaxNameBytes = 128;

// The signed fields, in wire order; the map has room for the signature after them.
void PackSignedFields(Packer& pk, const DatasetPointer& p, uint32_t map_size) {
  pk.pack_map(map_size);
  pk.pack("v");
  pk.pack(kPointerFormatVersion);
  pk.pack("name");
  pk.pack(p.name);
  pk.pack("ver");
  pk.pack(p.version);
  pk.pack("man");
  PackId(pk, p.manifest_id);
  pk.pack("del");
  pk.pack(p.deleted);
  pk.pack("up");
  PackId(pk, p.uploader);
  pk.pack("pk");
  PackBin(pk, p.key.data(), p.key.size());
  pk.pack("at");
  pk.pack(p.created_us);
}

Bytes SignedMessage(const DatasetPointer& p) {
  msgpack::sbuffer buffer;
  buffer.write(kSignatureDomain, sizeof(kSignatureDomain) - 1);
  Packer pk(buffer);
  PackSignedFields(pk, p, 8);
  return BufferBytes(buffer);
}

Status Corrupt(std::string_view what) {
  return Status::Corruption("dataset pointer: " + std::string(what));
}

template <size_t N>
bool ReadFixedBin(const msgpack::object& map, std::string_view key, std::array<uint8_t, N>* out) {
  const msgpack::object* field = FindField(map, key);
  ByteView bytes;
  if (field == nullptr || !ReadBin(*field, &bytes) || bytes.size() != N) return false;
  std::copy(bytes.begin(), bytes.end(), out->begin());
  return true;
}

}  // namespace

DatasetPointer SignDatasetPointer(const Identity& signer, std::string name, uint64_t version,
                                  const Id& manifest_id, bool deleted, int64_t created_us) {
  DatasetPointer p;
  p.name = std::move(name);
  p.version = version;
  p.manifest_id = manifest_id;
  p.deleted = deleted;
  p.uploader = signer.node_id();
  p.created_us = created_us;
  p.key = signer.public_key();
  p.signature = signer.Sign(SignedMessage(p));
  return p;
}

Bytes EncodeDatasetPointer(const DatasetPointer& p) {
  msgpack::sbuffer buffer;
  Packer pk(buffer);
  PackSignedFields(pk, p, 9);
  pk.pack("sig");
  PackBin(pk, p.signature.data(), p.signature.size());
  return BufferBytes(buffer);
}

Result<DatasetPointer> DecodeDatasetPointer(ByteView bytes) {
  UnpackLimits limits;
  limits.max_array = 0;
  limits.max_map = 9;
  limits.max_str = kMaxNameBytes;
  limits.max_bin = Identity::kSignatureBytes;
  limits.max_depth = 2;
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(UnpackUntrusted(bytes, &handle, limits));
  const msgpack::object& root = handle.get();
  DatasetPointer p;
  uint64_t format = 0;
  std::string_view name;
  const msgpack::object* v = FindField(root, "v");
  const msgpack::object* n = FindField(root, "name");
  const msgpack::object* ver = FindField(root, "ver");
  const msgpack::object* del = FindField(root, "del");
  const msgpack::object* at = FindField(root, "at");
  if (v == nullptr || !ReadUint(*v, &format) || n == nullptr || !ReadStr(*n, &name) ||
      ver == nullptr || !ReadUint(*ver, &p.version) || del == nullptr ||
      !ReadBool(*del, &p.deleted) || at == nullptr || !ReadInt(*at, &p.created_us) ||
      !ReadIdField(root, "man", &p.manifest_id) || !ReadIdField(root, "up", &p.uploader) ||
      !ReadFixedBin(root, "pk", &p.key) || !ReadFixedBin(root, "sig", &p.signature)) {
    return Corrupt("malformed");
  }
  if (format != kPointerFormatVersion)
    return Corrupt("unsupported format " + std::to_string(format));
  p.name = std::string(name);
  if (NodeIdOfKey(ByteView(p.key.data(), p.key.size())) != p.uploader) {
    return Corrupt("uploader is not its key's node");
  }
  const Bytes message = SignedMessage(p);
  if (!Identity::Verify(ByteView(p.key.data(), p.key.size()), message,
                        ByteView(p.signature.data(), p.signature.size()))) {
    return Corrupt("bad signature");
  }
  return p;
}

bool Supersedes(const DatasetPointer& a, const DatasetPointer& b) {
  if (a.version != b.version) return a.version > b.version;
  return b.manifest_id < a.manifest_id;
}

}  // namespace lake::dht
