#include "actors/query_planner.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "actors/errors.h"

namespace lake::actors {

QueryPlannerActor::behavior_type QueryPlanner(
    QueryPlannerActor::stateful_pointer<QueryPlannerState> self,
    std::shared_ptr<store::ChunkStore> store, size_t threads, size_t cache_bytes) {
  auto& st = self->state;
  st.store = std::move(store);
  local::LocalEngineOptions options;
  options.threads = threads;
  options.cache_bytes = cache_bytes;
  st.engine = std::make_unique<local::LocalEngine>(options);
  if (Status attached = st.engine->AttachStore(*st.store); !attached.ok()) {
    spdlog::error("planner: cannot read the store's datasets: {}", attached.ToString());
  }
  return {
      [=](query_atom, const QueryRequest& request) -> caf::result<QueryAnswer> {
        const std::string& sql = request.sql;
        auto& st = self->state;
        // Datasets may have changed since the last query (imports, later uploads).
        if (Status refreshed = st.engine->Refresh(); !refreshed.ok()) {
          return ToCafError(refreshed);
        }
        const auto start = std::chrono::steady_clock::now();
        Result<std::vector<sql::QueryResult>> results = st.engine->engine().Run(sql);
        QueryAnswer answer;
        answer.execution_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        if (!results.ok()) return ToCafError(results.status());
        if (!results->empty()) answer.result = std::move(results->back());
        spdlog::info("query done in {:.1f} ms, {} rows", answer.execution_ms,
                     answer.result.rows.size());
        return answer;
      },
  };
}

}  // namespace lake::actors
