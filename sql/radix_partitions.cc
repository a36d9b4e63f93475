#include "sql/radix_partitions.h"

#include <atomic>

namespace lake::sql {
namespace {

std::atomic<size_t> threshold{kDefaultPartitionThreshold};

}  // namespace

size_t PartitionThreshold() { return threshold.load(std::memory_order_relaxed); }

void SetPartitionThresholdForTesting(size_t entries) {
  threshold.store(entries == 0 ? kDefaultPartitionThreshold : entries, std::memory_order_relaxed);
}

}  // namespace lake::sql
