#include "actors/query_planner.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "sql/engine.h"

namespace lake::actors {

QueryPlannerActor::behavior_type QueryPlanner(
    QueryPlannerActor::stateful_pointer<QueryPlannerState> self,
    std::shared_ptr<store::ChunkStore> store, size_t threads, size_t cache_bytes) {
  auto& st = self->state;
  st.store = std::move(store);
  st.cache = std::make_unique<store::ColumnCache>(cache_bytes);
  st.tables = std::make_unique<StoreTableProvider>(*st.store, st.cache.get());
  st.pool = std::make_unique<ThreadPool>(threads);
  return {
      [=](query_atom, const std::string& sql) {
        auto& st = self->state;
        QueryAnswer answer;
        // Datasets may have changed since the last query (imports, later uploads).
        if (Status refreshed = st.tables->Refresh(); !refreshed.ok()) {
          answer.error = refreshed.ToString();
          return answer;
        }
        const auto start = std::chrono::steady_clock::now();
        sql::Engine engine(*st.tables, st.pool.get());
        int position = 0;
        Result<std::vector<sql::QueryResult>> results = engine.Run(sql, &position);
        answer.execution_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        if (!results.ok()) {
          answer.error = results.status().message();
          answer.error_position = position;
          return answer;
        }
        if (!results->empty()) answer.result = std::move(results->back());
        spdlog::info("query done in {:.1f} ms, {} rows", answer.execution_ms,
                     answer.result.rows.size());
        return answer;
      },
  };
}

}  // namespace lake::actors
