// ByteSource: random-access reads of an input (a CSV file on disk, or bytes in memory), so the
// importer can read a file twice (infer, then encode) and several workers can read at once.
// Thread-safety: ReadAt is safe to call concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"

namespace lake::store {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes at `offset`; returns how many were read (0 only at or past the end).
  virtual Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const = 0;
  virtual uint64_t size() const = 0;
};

// Opens `path` for reading (the file must not change while it is read).
Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path);

// Serves bytes held in memory; for tests and small inputs.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string bytes) : bytes_(std::move(bytes)) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override;
  uint64_t size() const override { return bytes_.size(); }

 private:
  const std::string bytes_;
};

}  // namespace lake::store
