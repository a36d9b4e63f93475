#include "store/body_compression.h"

#include <lz4.h>

namespace lake::store {
namespace {

// Bodies below this size are left alone: nothing worth the call is saved.
constexpr size_t kMinCompressedBody = 256;
// LZ4 expands at most 255-fold: a larger claimed size is malformed, and refusing it bounds
// the allocation an untrusted size can cause.
constexpr uint64_t kMaxExpansion = 255;

}  // namespace

std::optional<Bytes> CompressBody(ByteView body) {
  if (body.size() < kMinCompressedBody || body.size() > LZ4_MAX_INPUT_SIZE) return std::nullopt;
  const int limit = static_cast<int>(body.size() - body.size() / 8);
  Bytes out(static_cast<size_t>(limit));
  const int size = LZ4_compress_default(reinterpret_cast<const char*>(body.data()),
                                        reinterpret_cast<char*>(out.data()),
                                        static_cast<int>(body.size()), limit);
  if (size <= 0) return std::nullopt;  // did not fit in 7/8
  out.resize(static_cast<size_t>(size));
  return out;
}

Result<Bytes> DecompressBody(ByteView compressed, uint64_t raw_size) {
  if (raw_size > LZ4_MAX_INPUT_SIZE || raw_size > compressed.size() * kMaxExpansion + 16) {
    return Status::Corruption("chunk: compressed column claims an impossible size");
  }
  Bytes out(static_cast<size_t>(raw_size));
  const int size = LZ4_decompress_safe(reinterpret_cast<const char*>(compressed.data()),
                                       reinterpret_cast<char*>(out.data()),
                                       static_cast<int>(compressed.size()),
                                       static_cast<int>(raw_size));
  if (size < 0 || static_cast<uint64_t>(size) != raw_size) {
    return Status::Corruption("chunk: compressed column is damaged");
  }
  return out;
}

}  // namespace lake::store
