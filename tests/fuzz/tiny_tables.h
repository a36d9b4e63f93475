// Two small tables in an in-memory store, for the fuzz targets of the SQL engine: "t" with a
// column of every type and a few NULLs, cut into several chunks (so fragments have chunks to
// name), and "u", one row with a NULL. Built once per process; read-only afterwards.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/task_runner.h"
#include "local/store_table_provider.h"
#include "store/byte_source.h"
#include "store/importer.h"
#include "store/mem_chunk_store.h"
#include "tests/fuzz/fuzz_check.h"

namespace lake::fuzz {

inline constexpr char kTinyTableCsv[] =
    "id,name,amount,ok,day,ts\n"
    "1,alpha,1.5,true,2024-01-01,2024-01-01 10:00:00\n"
    "2,beta,-2.25,false,2024-02-29,2024-02-29 23:59:59\n"
    "3,,0,,2023-12-31,\n"
    "-9223372036854775808,gamma,1e300,true,1970-01-01,1970-01-01 00:00:00\n"
    "9223372036854775807,Delta,-0.0,false,2000-06-15,2000-06-15 12:30:00\n"
    ",epsilon,,true,,2038-01-19 03:14:08\n"
    "7,alpha,3.25,false,2024-01-01,2024-01-01 10:00:00\n";

struct TinyTables {
  store::MemChunkStore store;
  local::StoreTableProvider provider{store};

  TinyTables() {
    Import("t", kTinyTableCsv);
    Import("u", "a,b\n,x\n");
    FUZZ_CHECK(provider.Refresh().ok());
  }

  void Import(const std::string& name, const std::string& csv) {
    ManualClock clock(FromMicros(1'000'000));
    InlineTaskRunner runner;
    store::ImportOptions options;
    options.name = name;
    options.target_chunk_bytes = 64;  // a few rows per chunk
    store::ImportEnv env;
    env.clock = &clock;
    env.runner = &runner;
    FUZZ_CHECK(store::ImportCsv(store, store::MemorySource(csv), options, env).ok());
  }
};

inline const local::StoreTableProvider& TinyTableProvider() {
  static const TinyTables* tables = new TinyTables();
  return tables->provider;
}

}  // namespace lake::fuzz
