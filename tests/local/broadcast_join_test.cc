// The broadcast join, driven by calls: DistributedSelect::PlanBroadcast decides which joins are
// scattered over their driving table's chunks, each fragment names the versions it joins with,
// a holder gathers the chunks of those it lacks (PlanFragmentGather) and runs its fragment over
// its own chunks and the gathered ones (FragmentHost), and the merged answer is the embedded
// engine's over the whole data.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/hash.h"
#include "common/task_runner.h"
#include "local/distributed_select.h"
#include "local/fragment_host.h"
#include "local/gathered_statement.h"
#include "local/network_catalog.h"
#include "local/store_table_provider.h"
#include "sql/engine.h"
#include "sql/fragment_codec.h"
#include "sql/parser.h"
#include "store/catalog.h"
#include "store/mem_chunk_store.h"
#include "tests/support/import_text.h"

namespace lake::local {
namespace {

// sales (20,000 rows in several chunks) and two tables to join it with: products (40 rows, one
// chunk) and visits (10,000 rows: half as many as sales, too many for kAuto to broadcast).
struct Lake {
  store::MemChunkStore whole;
  std::vector<PinnedVersion> versions;  // sales, products, visits
  InlineTaskRunner runner;

  Lake() {
    std::string sales = "id,product,amount\n";
    for (int i = 0; i < 20000; ++i) {
      sales +=
          std::to_string(i) + "," + std::to_string(i % 50) + "," + std::to_string(i % 97) + "\n";
    }
    std::string products = "id,category\n";
    for (int i = 0; i < 40; ++i)
      products += std::to_string(i) + ",c" + std::to_string(i % 6) + "\n";
    std::string visits = "sale,minutes\n";
    for (int i = 0; i < 10000; ++i) {
      visits += std::to_string(i * 2) + "," + std::to_string(i % 13) + "\n";
    }
    testing::ImportText(whole, "sales", sales, 4096);
    testing::ImportText(whole, "products", products, 4096);
    testing::ImportText(whole, "visits", visits, 4096);
    for (const char* name : {"sales", "products", "visits"}) {
      Result<std::optional<store::Manifest>> manifest = store::LoadManifest(whole, name);
      REQUIRE(manifest.ok());
      REQUIRE(manifest->has_value());
      const Bytes encoded = store::EncodeManifest(**manifest);
      const Id id = Blake2b256(encoded);
      REQUIRE(NetworkCatalog(whole).PutManifestObject(id, encoded).ok());
      versions.push_back({**manifest, id, true});
    }
    REQUIRE(versions[0].manifest.chunks.size() >= 4);
  }

  // A holder's store: every manifest object, and the chunks `keep` says it holds.
  std::unique_ptr<store::MemChunkStore> Holder(
      const std::function<bool(const std::string& table, size_t chunk)>& keep) const {
    auto store = std::make_unique<store::MemChunkStore>();
    for (const PinnedVersion& version : versions) {
      REQUIRE(NetworkCatalog(*store)
                  .PutManifestObject(version.id, store::EncodeManifest(version.manifest))
                  .ok());
      for (size_t i = 0; i < version.manifest.chunks.size(); ++i) {
        if (!keep(version.manifest.name, i)) continue;
        const ChunkId& chunk = version.manifest.chunks[i].id;
        REQUIRE(store->PutChunk(chunk, whole.GetChunk(chunk).value()).ok());
      }
    }
    return store;
  }

  sql::QueryResult Embedded(const std::string& sql) {
    StoreTableProvider tables(whole);
    REQUIRE(tables.Refresh().ok());
    sql::Engine engine(tables, &runner);
    Result<std::vector<sql::QueryResult>> results = engine.Run(sql);
    INFO(results.status().ToString());
    REQUIRE(results.ok());
    return results->back();
  }
};

sql::Statement ParseOne(const std::string& sql) {
  Result<std::vector<sql::Statement>> parsed = sql::Parse(sql);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 1);
  return std::move(parsed->front());
}

const NodeId kPlanner = Id::FromHex(std::string(64, '1')).value();
const NodeId kOther = Id::FromHex(std::string(64, '2')).value();

// PlanBroadcast's answer for `sql` over the lake's versions, planned at kPlanner, which is the
// one replica of every chunk.
Result<std::unique_ptr<DistributedSelect>> Plan(const Lake& lake, const std::string& sql,
                                                JoinStrategy strategy) {
  return DistributedSelect::PlanBroadcast(
      sql, ParseOne(sql), lake.versions, lake.whole, kPlanner,
      [](const ChunkId&) { return std::vector<NodeId>{kPlanner}; }, {}, 0, strategy);
}

const char kByCategory[] =
    "SELECT p.category, COUNT(*), SUM(s.amount) FROM sales s JOIN products p ON s.product = p.id "
    "WHERE s.amount > 10 GROUP BY p.category ORDER BY p.category";

TEST_CASE("A join is broadcast when its other tables are small beside its driving table",
          "[local][broadcast]") {
  Lake lake;
  Result<std::unique_ptr<DistributedSelect>> small = Plan(lake, kByCategory, JoinStrategy::kAuto);
  REQUIRE(small.ok());
  REQUIRE(*small);
  CHECK((*small)->manifest().name == "sales");
  CHECK((*small)->joins() == std::vector<Id>{lake.versions[1].id});
  // Written the other way round, sales still drives it.
  Result<std::unique_ptr<DistributedSelect>> swapped =
      Plan(lake, "SELECT COUNT(*) FROM products p JOIN sales s ON s.product = p.id",
           JoinStrategy::kAuto);
  REQUIRE(swapped.ok());
  REQUIRE(*swapped);
  CHECK((*swapped)->manifest().name == "sales");

  // visits has half as many rows as sales: not worth broadcasting unless forced.
  const std::string visits =
      "SELECT SUM(v.minutes) FROM sales s JOIN visits v ON v.sale = s.id WHERE s.amount < 5";
  Result<std::unique_ptr<DistributedSelect>> large = Plan(lake, visits, JoinStrategy::kAuto);
  REQUIRE(large.ok());
  CHECK(!*large);
  Result<std::unique_ptr<DistributedSelect>> forced = Plan(lake, visits, JoinStrategy::kBroadcast);
  REQUIRE(forced.ok());
  CHECK(*forced);
  Result<std::unique_ptr<DistributedSelect>> gathered =
      Plan(lake, kByCategory, JoinStrategy::kGather);
  REQUIRE(gathered.ok());
  CHECK(!*gathered);
}

TEST_CASE("Joins that need a table whole at one place are never broadcast", "[local][broadcast]") {
  Lake lake;
  for (const char* sql : {
           // A FULL join's unmatched rows are known only after every driving row was seen.
           "SELECT COUNT(*) FROM sales s FULL JOIN products p ON s.product = p.id",
           // A self-join reads its driving table whole as the other side too.
           "SELECT COUNT(*) FROM sales a JOIN sales b ON a.id = b.product",
           // A subquery is answered while binding, over whole tables.
           "SELECT COUNT(*) FROM sales s JOIN products p ON s.product = p.id "
           "WHERE s.amount > (SELECT AVG(amount) FROM sales)",
           // Not a join at all.
           "SELECT COUNT(*) FROM (SELECT * FROM sales) AS s",
       }) {
    INFO(sql);
    Result<std::unique_ptr<DistributedSelect>> plan = Plan(lake, sql, JoinStrategy::kBroadcast);
    REQUIRE(plan.ok());
    CHECK(!*plan);
  }
  // The statement's own errors are errors, with their position.
  Result<std::unique_ptr<DistributedSelect>> bad =
      Plan(lake, "SELECT nope FROM sales s JOIN products p ON s.product = p.id",
           JoinStrategy::kBroadcast);
  CHECK(bad.status().IsInvalidArgument());
  CHECK(bad.status().position() == 8);
}

TEST_CASE("Holders that gather the joined tables' chunks they lack answer a broadcast join exactly",
          "[local][broadcast]") {
  Lake lake;
  // Two holders, each with half of sales' chunks and a third of the joined tables' chunks
  // (products has one: neither holds it).
  auto holds = [](int holder) {
    return [holder](const std::string& table, size_t chunk) {
      return table == "sales" ? static_cast<int>(chunk % 2) == holder
                              : static_cast<int>(chunk % 3) == holder + 1;
    };
  };
  std::map<NodeId, std::unique_ptr<store::MemChunkStore>> holders;
  holders[kPlanner] = lake.Holder(holds(0));
  holders[kOther] = lake.Holder(holds(1));
  const std::vector<PinnedVersion>& versions = lake.versions;
  auto replicas = [&](const ChunkId& chunk) {
    std::vector<NodeId> holding;
    for (const auto& [node, store] : holders) {
      if (store->HasChunk(chunk).value()) holding.push_back(node);
    }
    return holding;
  };

  for (const std::string& sql :
       {std::string(kByCategory),
        std::string("SELECT s.id, p.category, v.minutes FROM sales s JOIN products p ON "
                    "s.product = p.id LEFT JOIN visits v ON v.sale = s.id WHERE s.id % 1000 = 7 "
                    "ORDER BY s.id"),
        std::string("SELECT p.category, s.amount, RANK() OVER (PARTITION BY p.category ORDER BY "
                    "s.amount DESC) FROM sales s JOIN products p ON s.product = p.id WHERE s.id "
                    "< 60 ORDER BY 1, 2, 3")}) {
    INFO(sql);
    Result<std::unique_ptr<DistributedSelect>> planned =
        DistributedSelect::PlanBroadcast(sql, ParseOne(sql), versions, *holders[kPlanner], kPlanner,
                                         replicas, {}, 0, JoinStrategy::kBroadcast);
    REQUIRE(planned.ok());
    REQUIRE(*planned);
    DistributedSelect& select = **planned;
    const std::vector<DistributedSelect::Send> sends = select.Start(TimePoint());
    REQUIRE(sends.size() == 2);
    for (const DistributedSelect::Send& send : sends) {
      const store::MemChunkStore& held = *holders.at(send.holder);
      FragmentHost host(held, nullptr, &lake.runner);
      // Without the joined chunks it lacks, the holder refuses before scanning anything.
      Result<Bytes> unprepared = host.Run(send.manifest_id, send.request, nullptr);
      CHECK(unprepared.status().IsNotFound());
      // What it must gather: the joined tables' chunks it lacks, and no chunk of sales.
      Result<GatherPlan> plan = PlanFragmentGather(held, send.request);
      REQUIRE(plan.ok());
      REQUIRE(!plan->missing.empty());
      store::MemChunkStore gathered;
      for (const store::ChunkRef& chunk : plan->missing) {
        CHECK(!held.HasChunk(chunk.id).value());
        for (const store::ChunkRef& own : versions[0].manifest.chunks) CHECK(own.id != chunk.id);
        REQUIRE(gathered.PutChunk(chunk.id, lake.whole.GetChunk(chunk.id).value()).ok());
      }
      Result<Bytes> partial = host.Run(send.manifest_id, send.request, nullptr, &gathered);
      INFO(partial.status().ToString());
      REQUIRE(partial.ok());
      CHECK(select.OnPartial(send.request_id, send.holder, *partial, TimePoint()).empty());
    }
    REQUIRE(select.done());
    Result<DistributedSelect::Answer> answer = select.Finish(&lake.runner);
    INFO(answer.status().ToString());
    REQUIRE(answer.ok());
    const sql::QueryResult expected = lake.Embedded(sql);
    CHECK(answer->result.names == expected.names);
    CHECK(answer->result.types == expected.types);
    CHECK(answer->result.rows == expected.rows);
    CHECK(answer->result.chunks_scanned + answer->chunks_pruned ==
          versions[0].manifest.chunks.size());
  }
}

TEST_CASE("A fragment of one table gathers nothing, and a joined version not held is NotFound",
          "[local][broadcast]") {
  Lake lake;
  sql::FragmentRequest request{"SELECT COUNT(*) FROM sales", {0}};
  Result<GatherPlan> single = PlanFragmentGather(lake.whole, sql::EncodeFragmentRequest(request));
  REQUIRE(single.ok());
  CHECK(single->versions.empty());
  CHECK(single->missing.empty());
  // Bytes that do not decode gather nothing: running them reports the damage.
  Result<GatherPlan> damaged = PlanFragmentGather(lake.whole, Bytes{0xc1});
  REQUIRE(damaged.ok());
  CHECK(damaged->missing.empty());
  request.joins = {Blake2b256(AsBytes("no such manifest"))};
  CHECK(PlanFragmentGather(lake.whole, sql::EncodeFragmentRequest(request)).status().IsNotFound());
}

}  // namespace
}  // namespace lake::local
