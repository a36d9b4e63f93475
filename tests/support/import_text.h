// Test support: CSV text imported into a store as one dataset, on the calling thread with a
// fixed clock, so that a test sets up its tables in one line. Header-only; any test binary that
// links lake_store may include it.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "common/clock.h"
#include "common/task_runner.h"
#include "store/byte_source.h"
#include "store/chunk_store.h"
#include "store/importer.h"

namespace lake::testing {

// `target_chunk_bytes` as store::ImportOptions' (small values cut many chunks).
inline void ImportText(store::ChunkStore& store, const std::string& name, const std::string& csv,
                       size_t target_chunk_bytes = store::ImportOptions{}.target_chunk_bytes) {
  ManualClock clock(FromMicros(1'000'000));
  InlineTaskRunner runner;
  store::ImportOptions options;
  options.name = name;
  options.target_chunk_bytes = target_chunk_bytes;
  store::ImportEnv env;
  env.clock = &clock;
  env.runner = &runner;
  REQUIRE(store::ImportCsv(store, store::MemorySource(csv), options, env).ok());
}

}  // namespace lake::testing
