// Test support: a stored dataset cut again into tiny chunks of 1 to `max_rows` rows (sizes drawn
// from an Rng), each encoded and zone-mapped as the importer does, as the dataset's next
// version. The importer never cuts fewer than 1,024 rows, so small test tables would otherwise be
// one chunk, and nothing would be merged across chunks or pruned by zone maps.
// Header-only; any test binary that links lake_store may include it.
#pragma once

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <utility>

#include "common/rng.h"
#include "store/catalog.h"
#include "store/chunk_codec.h"
#include "store/chunk_store.h"
#include "store/manifest.h"
#include "store/zone_map.h"

namespace lake::testing {

inline void Rechunk(store::ChunkStore& store, const std::string& name, uint64_t max_rows,
                    Rng& rng) {
  Result<std::optional<store::Manifest>> loaded = store::LoadManifest(store, name);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  store::Manifest manifest = std::move(**loaded);
  store::StoreBatch batch;
  std::vector<store::ChunkRef> chunks;
  for (const store::ChunkRef& old : manifest.chunks) {
    Result<Bytes> bytes = store.GetChunk(old.id);
    REQUIRE(bytes.ok());
    Result<store::RowGroup> group = store::DecodeChunk(*bytes);
    REQUIRE(group.ok());
    for (size_t start = 0; start < group->rows();) {
      const size_t rows = std::min<size_t>(group->rows() - start, 1 + rng.Uniform(max_rows));
      store::RowGroup piece;
      piece.schema = group->schema;
      for (const Vector& column : group->columns) {
        piece.columns.emplace_back(column.type());
        piece.columns.back().AppendRange(column, start, rows);
      }
      Bytes encoded = store::EncodeChunk(piece);
      store::ChunkRef ref;
      ref.id = store::ChunkIdOf(encoded);
      ref.rows = rows;
      ref.bytes = encoded.size();
      for (const Vector& column : piece.columns) ref.zones.push_back(store::ComputeZoneMap(column));
      batch.PutChunk(ref.id, std::move(encoded));
      chunks.push_back(std::move(ref));
      start += rows;
    }
  }
  manifest.chunks = std::move(chunks);
  manifest.total_bytes = 0;
  for (const store::ChunkRef& ref : manifest.chunks) manifest.total_bytes += ref.bytes;
  ++manifest.version;
  const Bytes encoded = store::EncodeManifest(manifest);
  REQUIRE(store::ReplaceDataset(store, name, &manifest, &encoded, {}, std::move(batch)).ok());
}

}  // namespace lake::testing
