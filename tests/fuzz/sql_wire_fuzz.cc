// Fuzz target: the wire forms a distributed query exchanges, as a hostile peer would send them.
// The first byte picks the side:
//   even  a leaf receiving a FragmentRequest: Engine::RunFragment on the tiny tables (decode,
//         parse, bind, check the chunk indexes, run); its answer must decode as the query's
//         partial result;
//   odd   a root receiving a PartialResult for one of kQueries (the second byte picks it):
//         DecodePartialResult, which must round-trip what it accepts, then MergeFragments of an
//         honest leaf's partial and this one.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/task_runner.h"
#include "sql/binder.h"
#include "sql/engine.h"
#include "sql/fragment_codec.h"
#include "sql/parser.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/tiny_tables.h"

namespace lake::sql {
namespace {

// Queries whose partial results cover every aggregate state, DISTINCT, grouping and plain rows.
constexpr const char* kQueries[] = {
    "SELECT count(*), sum(id), avg(amount), min(name), max(day), count(DISTINCT name) FROM t",
    "SELECT name, count(*), sum(amount), max(ts) FROM t GROUP BY name",
    "SELECT id, name, amount, ok, day, ts FROM t",
    "SELECT DISTINCT name FROM t ORDER BY name LIMIT 3",
    "SELECT ok, day, sum(DISTINCT id), min(amount) FROM t GROUP BY ok, day HAVING count(*) > 0",
    "SELECT id % 7, upper(name) FROM t WHERE amount > 0 ORDER BY 1 DESC LIMIT 2 OFFSET 1",
    "SELECT var_samp(amount), stddev_pop(id), approx_count_distinct(name), "
    "count(*) FILTER (WHERE ok) FROM t",
    "SELECT name, approx_count_distinct(day), variance(amount) FROM t GROUP BY name",
};
constexpr size_t kQueryCount = sizeof(kQueries) / sizeof(kQueries[0]);

BoundSelect BindQuery(const std::string& sql, std::optional<int64_t> statement_time) {
  Result<std::vector<Statement>> parsed = Parse(sql);
  FUZZ_CHECK(parsed.ok() && parsed->size() == 1);
  Result<BoundStatement> bound =
      Bind(parsed->front(), fuzz::TinyTableProvider(), nullptr, statement_time);
  FUZZ_CHECK(bound.ok() && bound->kind == BoundStatement::Kind::kSelect);
  return std::move(bound->select);
}

void CheckLeaf(Engine& engine, ByteView request_bytes) {
  Result<Bytes> partial = engine.RunFragment(request_bytes);
  if (!partial.ok()) return;
  Result<FragmentRequest> request = DecodeFragmentRequest(request_bytes);
  FUZZ_CHECK(request.ok());
  const BoundSelect q = BindQuery(request->sql, request->statement_time);
  FUZZ_CHECK(DecodePartialResult(*partial, q).ok());
}

void CheckRoot(Engine& engine, size_t query, ByteView partial_bytes) {
  const std::string sql = kQueries[query];
  const BoundSelect q = BindQuery(sql, std::nullopt);
  Result<PartialResult> partial = DecodePartialResult(partial_bytes, q);
  if (partial.ok()) {
    const Bytes encoded = EncodePartialResult(*partial);
    Result<PartialResult> again = DecodePartialResult(encoded, q);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(EncodePartialResult(*again) == encoded);
  }
  Result<Bytes> honest = engine.RunFragment(EncodeFragmentRequest(FragmentRequest{sql, {0}}));
  FUZZ_CHECK(honest.ok());
  // Whatever the forged partial holds, merging it with an honest one is an answer or an error.
  (void)engine.MergeFragments(sql, {*honest, Bytes(partial_bytes.begin(), partial_bytes.end())});
}

}  // namespace
}  // namespace lake::sql

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lake;
  static InlineTaskRunner runner;
  sql::Engine engine(fuzz::TinyTableProvider(), &runner);
  fuzz::FuzzInput input(data, size);
  if (input.Byte() % 2 == 0) {
    sql::CheckLeaf(engine, input.Rest());
  } else {
    const size_t query = input.Byte() % sql::kQueryCount;
    sql::CheckRoot(engine, query, input.Rest());
  }
  return 0;
}
