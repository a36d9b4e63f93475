// Radix partitioning of the hash tables behind GROUP BY and DISTINCT (GroupTable, PairSet). A
// table starts as one open-addressing slot array; once it holds PartitionThreshold() entries it
// splits into kRadixPartitions arrays, an entry going to the one numbered by the top kRadixBits
// bits of its 64-bit hash. Hashes depend on key values only, so partition p of every worker's
// table holds the same keys, and tables merge partition by partition in parallel
// (GroupedAggregates::Merge). A partial sent to another node carries no partitions: the receiver
// rebuilds its tables from the keys, which puts every entry back in the same partition.
// Thread-safety: the constants and RadixPartition are pure; the threshold is an atomic.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lake::sql {

// 64 partitions: enough for a balanced merge on many cores, and a partition of a table of a
// million entries fits a core's cache while it is merged.
inline constexpr unsigned kRadixBits = 6;
inline constexpr size_t kRadixPartitions = size_t{1} << kRadixBits;
// Entries (groups, DISTINCT pairs) a table holds before it splits. Below it a table is exactly
// the unpartitioned one and partials merge serially: that merge costs well under a millisecond.
inline constexpr size_t kDefaultPartitionThreshold = size_t{1} << 15;

// The partition of an entry whose hash is `hash`.
inline size_t RadixPartition(uint64_t hash) {
  return static_cast<size_t>(hash >> (64 - kRadixBits));
}

// The threshold tables created from now on split at: kDefaultPartitionThreshold unless a test
// lowered it.
size_t PartitionThreshold();
// Tests only: makes tables created from now on split once they hold `entries` (>= 1) entries,
// so that small inputs take the partitioned paths; 0 restores the default.
void SetPartitionThresholdForTesting(size_t entries);

}  // namespace lake::sql
