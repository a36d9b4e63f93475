// Manifest: what a dataset is — its name, version, schema, and ordered chunk list with each
// chunk's rows, bytes and per-column zone maps. It is a small msgpack record with an id of its own
// (BLAKE2b-256 of its encoding) and, in the overlay, lives under DatasetKey(name). Re-importing a
// name creates the next version; the highest version wins.
//
//   {"v": 1, "name": str, "version": u, "schema": [{"name": str, "type": code}], "rows": u,
//    "bytes": u, "created": i (µs since epoch), "uploader": bin32,
//    "chunks": [{"id": bin32, "rows": u, "bytes": u, "zones": [zone map per column]}]}
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/id.h"
#include "common/logical_type.h"
#include "common/result.h"
#include "store/zone_map.h"

namespace lake::store {

inline constexpr uint64_t kManifestFormatVersion = 1;

struct ChunkRef {
  ChunkId id;
  uint64_t rows = 0;
  uint64_t bytes = 0;          // encoded size
  std::vector<ZoneMap> zones;  // one per schema column
  friend bool operator==(const ChunkRef&, const ChunkRef&) = default;
};

struct Manifest {
  std::string name;
  uint64_t version = 1;
  Schema schema;
  uint64_t total_rows = 0;
  uint64_t total_bytes = 0;   // sum of chunk bytes
  int64_t created_at_us = 0;  // from the importer's Clock
  NodeId uploader;            // zero for a local import
  std::vector<ChunkRef> chunks;
  friend bool operator==(const Manifest&, const Manifest&) = default;
};

Bytes EncodeManifest(const Manifest& manifest);
// Untrusted bytes: Corruption for anything malformed or inconsistent (zone count, row totals).
Result<Manifest> DecodeManifest(ByteView bytes);

// The overlay key of a dataset's manifest: BLAKE2b-256("dataset/" + name).
Id DatasetKey(const std::string& name);

inline constexpr size_t kMaxDatasetNameLength = 128;

// A dataset name is 1-128 characters of [A-Za-z0-9_], starting with a letter or '_', so it is
// a valid SQL identifier and a safe key. InvalidArgument explains what is wrong.
Status ValidateDatasetName(const std::string& name);

// The dataset name a file is stored under when none is given (`p2plake import`, uploads):
// its base name (after the last '/' or '\') without the extension, every character outside
// [A-Za-z0-9_] replaced by '_', prefixed with '_' if it would start with a digit or be empty, and
// cut to kMaxDatasetNameLength. "data/sales-2024.csv" -> "sales_2024". Always valid.
std::string DatasetNameFromFileName(std::string_view file_name);

}  // namespace lake::store
