// Fuzz target: the store's decoders of untrusted bytes, a chunk (whole, by columns, in pieces,
// split into column parts) or a manifest, picked by the first byte. Whatever decodes must
// re-encode to bytes that decode again and encode the same (chunks and manifests are
// deterministic), and a chunk's column parts must decode as the chunk did.
#include <cstdint>
#include <numeric>
#include <vector>

#include "store/chunk_codec.h"
#include "store/manifest.h"
#include "tests/fuzz/fuzz_check.h"

namespace lake::store {
namespace {

void CheckChunk(ByteView bytes) {
  Result<RowGroup> group = DecodeChunk(bytes);
  Result<ChunkParts> parts = SplitChunkColumns(bytes);
  if (parts.ok()) {
    Result<ChunkHeader> header = DecodeChunkPrefix(parts->prefix);
    FUZZ_CHECK(header.ok());
    FUZZ_CHECK(header->columns == parts->columns.size());
    bool all_columns = true;
    for (ByteView part : parts->columns) {
      Result<DecodedColumn> column = DecodeColumnPart(part, header->rows);
      Result<DecodedPieces> pieces = DecodeColumnPartPieces(part, header->rows, 64);
      FUZZ_CHECK(column.ok() == pieces.ok());
      all_columns = all_columns && column.ok();
    }
    // The whole chunk decodes exactly when each of its parts does.
    FUZZ_CHECK(group.ok() == all_columns);
  }
  if (!group.ok()) return;
  std::vector<size_t> all(group->schema.size());
  std::iota(all.begin(), all.end(), size_t{0});
  FUZZ_CHECK(DecodeChunkColumns(bytes, all).ok());
  FUZZ_CHECK(DecodeChunkColumnPieces(bytes, all, 128).ok());
  const Bytes encoded = EncodeChunk(*group);
  Result<RowGroup> again = DecodeChunk(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->rows() == group->rows());
  FUZZ_CHECK(EncodeChunk(*again) == encoded);
}

void CheckManifest(ByteView bytes) {
  Result<Manifest> manifest = DecodeManifest(bytes);
  if (!manifest.ok()) return;
  const Bytes encoded = EncodeManifest(*manifest);
  Result<Manifest> again = DecodeManifest(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(EncodeManifest(*again) == encoded);
}

}  // namespace
}  // namespace lake::store

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lake::fuzz::FuzzInput input(data, size);
  const uint8_t which = input.Byte();
  if (which % 2 == 0) {
    lake::store::CheckChunk(input.Rest());
  } else {
    lake::store::CheckManifest(input.Rest());
  }
  return 0;
}
