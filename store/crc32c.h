// CRC-32C (Castagnoli), the checksum of column parts at rest (store/rocksdb_chunk_store.cc). On
// x86-64 with SSE4.2 it runs on the CPU's crc32 instruction, 8 bytes a step, an order of
// magnitude faster than the table-driven CRC in Debian's RocksDB build, which is why the store
// checks its scan reads with this one instead. Other CPUs use a table.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

#include "common/bytes.h"

namespace lake::store {

uint32_t Crc32c(ByteView data);
// The table-driven form, whatever the CPU (for tests: both forms must agree).
uint32_t Crc32cPortable(ByteView data);

}  // namespace lake::store
