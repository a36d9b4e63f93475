// NOW(), CURRENT_TIMESTAMP and CURRENT_DATE: the statement time the caller gives the engine,
// the same value embedded and in fragments (whose requests carry the root's), and an error when
// no time was given.
#include <catch2/catch.hpp>

#include <string>

#include "common/clock.h"
#include "common/value_parse.h"
#include "local/local_engine.h"
#include "sql/fragment_codec.h"
#include "common/msgpack_util.h"
#include "tests/support/run_in_fragments.h"

namespace lake {
namespace {

int64_t Micros(const char* text) {
  int64_t micros = 0;
  REQUIRE(ParseTimestamp(text, &micros));
  return micros;
}

std::vector<std::vector<std::string>> Texts(const sql::QueryResult& result) {
  std::vector<std::vector<std::string>> rows;
  for (const std::vector<sql::Value>& row : result.rows) {
    rows.emplace_back();
    for (const sql::Value& v : row) rows.back().push_back(v.ToString());
  }
  return rows;
}

TEST_CASE("NOW, CURRENT_TIMESTAMP and CURRENT_DATE are the statement time the caller gives",
          "[sql][functions]") {
  local::LocalEngineOptions options;
  options.csv_chunk_bytes = 256;  // several chunks, so that fragments are several
  local::LocalEngine engine(options);
  ManualClock clock;
  REQUIRE(engine.AttachCsv("nulls", LAKE_SOURCE_DIR "/tests/sql/data/nulls.csv", clock).ok());

  Result<std::vector<sql::QueryResult>> refused = engine.engine().Run("SELECT NOW()");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("statement's start time") != std::string::npos);

  const int64_t t = Micros("2024-01-02 03:04:05.678");
  engine.engine().SetStatementTime(t);
  Result<std::vector<sql::QueryResult>> now = engine.engine().Run(
      "SELECT NOW(), CURRENT_TIMESTAMP, CURRENT_DATE, now() = current_timestamp");
  REQUIRE(now.ok());
  CHECK(now->at(0).names == std::vector<std::string>{"now", "current_timestamp", "current_date",
                                                     "?column?"});
  CHECK(Texts(now->at(0)) == std::vector<std::vector<std::string>>{
                                 {FormatTimestamp(t), FormatTimestamp(t), "2024-01-02", "true"}});

  // Over a table, embedded and in fragments: rows before and after the statement time.
  const std::string sql =
      "SELECT id, ts < NOW(), d = CURRENT_DATE, DATE_TRUNC('day', NOW()) FROM nulls ORDER BY id";
  Result<std::vector<sql::QueryResult>> embedded = engine.engine().Run(sql);
  REQUIRE(embedded.ok());
  std::optional<Result<sql::QueryResult>> spread = testing::RunInFragments(engine, sql, t);
  REQUIRE(spread);
  REQUIRE(spread->ok());
  CHECK(Texts(**spread) == Texts(embedded->at(0)));
  size_t before = 0, today = 0;
  for (const std::vector<sql::Value>& row : embedded->at(0).rows) {
    before += !row[1].is_null && row[1].boolean;
    today += !row[2].is_null && row[2].boolean;
    CHECK(row[3].ToString() == "2024-01-02 00:00:00");
  }
  CHECK(before == 4);  // nulls.csv has four timestamps before it
  CHECK(today == 0);

  // Fragments bound at another time answer for that time, whatever the holder's engine holds.
  const int64_t later = Micros("2024-03-01 00:00:00");
  std::optional<Result<sql::QueryResult>> at_later = testing::RunInFragments(
      engine, "SELECT COUNT(*) FILTER (WHERE ts < NOW()) FROM nulls", later);
  REQUIRE(at_later);
  REQUIRE(at_later->ok());
  CHECK((*at_later)->rows.at(0).at(0).integer == 6);
}

TEST_CASE("A fragment request carries the statement time, and refuses a forged one",
          "[sql][functions]") {
  sql::FragmentRequest request{"SELECT NOW() FROM t", {1, 2}, int64_t{-86'400'000'000}};
  Result<sql::FragmentRequest> back = sql::DecodeFragmentRequest(EncodeFragmentRequest(request));
  REQUIRE(back.ok());
  CHECK(back->statement_time == request.statement_time);
  request.statement_time.reset();
  back = sql::DecodeFragmentRequest(EncodeFragmentRequest(request));
  REQUIRE(back.ok());
  CHECK_FALSE(back->statement_time);

  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(4);
  pk.pack("v");
  pk.pack(1);
  pk.pack("sql");
  pk.pack("SELECT 1");
  pk.pack("chunks");
  pk.pack_array(0);
  pk.pack("now");
  pk.pack("yesterday");
  CHECK(sql::DecodeFragmentRequest(BufferBytes(buffer)).status().IsCorruption());
}

}  // namespace
}  // namespace lake
