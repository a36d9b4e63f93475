// DatasetPointer: the small signed record that names a dataset's current version. A manifest is
// content-addressed like a chunk (too big for a DHT value once a dataset has hundreds of
// chunks), so the catalog is a set of pointers {name, version, manifest id, uploader, created},
// one per name, stored in the DHT under DatasetKey(name) and gossiped between keepers. A pointer
// with `deleted` set is a tombstone: the dataset is gone as of that version. The highest
// (version, manifest id) wins everywhere, so every node converges on the same pointer.
//
// Wire form: msgpack {"v": 1, "name", "ver", "man": bin32, "del", "up": bin32 NodeId, "pk":
// bin32 Ed25519 key, "at": µs since epoch, "sig": bin64}; the signature covers
// "p2plake/dataset-pointer/1" followed by every other field. Decoding verifies it and that the
// uploader's NodeId is the hash of the key, so a forged or altered pointer never decodes.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "common/bytes.h"
#include "common/id.h"
#include "common/result.h"
#include "dht/identity.h"

namespace lake::dht {

struct DatasetPointer {
  std::string name;
  uint64_t version = 0;
  Id manifest_id;  // zero in a tombstone
  bool deleted = false;
  NodeId uploader;
  int64_t created_us = 0;
  Identity::PublicKey key{};
  Identity::Signature signature{};
  friend bool operator==(const DatasetPointer&, const DatasetPointer&) = default;
};

// A pointer signed by `signer` (who becomes its uploader).
DatasetPointer SignDatasetPointer(const Identity& signer, std::string name, uint64_t version,
                                  const Id& manifest_id, bool deleted, int64_t created_us);

Bytes EncodeDatasetPointer(const DatasetPointer& pointer);
// Untrusted bytes: Corruption if malformed, if the signature does not verify, or if the
// uploader is not the key's NodeId.
Result<DatasetPointer> DecodeDatasetPointer(ByteView bytes);

// Whether `a` replaces `b`: a higher version, or the same version with a higher manifest id (two
// nodes that published one version at once agree on one of them).
bool Supersedes(const DatasetPointer& a, const DatasetPointer& b);

}  // namespace lake::dht
