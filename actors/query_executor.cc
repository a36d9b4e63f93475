#include "actors/query_executor.h"

#include <spdlog/spdlog.h>

#include "actors/actor_clock.h"
#include "actors/errors.h"

namespace lake::actors {

QueryExecutorActor::behavior_type QueryExecutor(
    QueryExecutorActor::stateful_pointer<QueryExecutorState> self,
    std::shared_ptr<store::ChunkStore> store, size_t threads, size_t cache_bytes) {
  auto& st = self->state;
  st.store = std::move(store);
  local::LocalEngineOptions options;
  options.threads = threads;
  options.cache_bytes = cache_bytes;
  st.engine = std::make_unique<local::LocalEngine>(options);
  if (Status attached = st.engine->AttachStore(*st.store); !attached.ok()) {
    spdlog::error("executor: cannot read the store's datasets: {}", attached.ToString());
  }
  st.host =
      std::make_unique<local::FragmentHost>(*st.store, &st.engine->cache(), &st.engine->runner());
  return {
      [=](run_atom, const FragmentJob& job) -> caf::result<Bytes> {
        auto& st = self->state;
        Result<Bytes> partial =
            job.manifest
                ? st.host->Run(*job.manifest, job.request, job.cancel.get(), job.gathered.get())
                : st.host->Run(job.manifest_id, job.request, job.cancel.get(), job.gathered.get());
        if (!partial.ok()) return ToCafError(partial.status());
        return std::move(partial).value();
      },
      [=](scan_atom, const FragmentJob& job) -> caf::result<std::shared_ptr<sql::PartialResult>> {
        Result<sql::PartialResult> partial = self->state.host->RunPartial(
            *job.manifest, job.request, job.cancel.get(), job.gathered.get());
        if (!partial.ok()) return ToCafError(partial.status());
        return std::make_shared<sql::PartialResult>(std::move(partial).value());
      },
      [=](merge_atom, const std::shared_ptr<local::DistributedSelect>& select)
          -> caf::result<local::DistributedSelect::Answer> {
        Result<local::DistributedSelect::Answer> answer =
            select->Finish(&self->state.engine->runner());
        if (!answer.ok()) return ToCafError(answer.status());
        return std::move(answer).value();
      },
      [=](query_atom,
          const std::shared_ptr<const sql::Statement>& statement) -> caf::result<sql::QueryResult> {
        auto& st = self->state;
        // Datasets may have changed since the last statement (imports, uploads, deletes).
        if (Status refreshed = st.engine->Refresh(); !refreshed.ok()) {
          return ToCafError(refreshed);
        }
        st.engine->engine().SetStatementTime(ToMicros(ActorNow(self)));
        Result<sql::QueryResult> result = st.engine->engine().Execute(*statement);
        if (!result.ok()) return ToCafError(result.status());
        return std::move(result).value();
      },
      [=](query_atom, const GatheredStatement& gathered) -> caf::result<sql::QueryResult> {
        auto& st = self->state;
        Result<sql::QueryResult> result =
            local::RunGathered(*gathered.statement, *gathered.plan, *gathered.chunks, *st.store,
                               &st.engine->cache(), &st.engine->runner(), ToMicros(ActorNow(self)));
        if (!result.ok()) return ToCafError(result.status());
        return std::move(result).value();
      },
  };
}

}  // namespace lake::actors
