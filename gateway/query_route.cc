#include "gateway/query_route.h"

#include <httplib.h>

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "gateway/http_reply.h"
#include "gateway/query_csv.h"
#include "gateway/query_json.h"

namespace lake::gateway {
namespace {

using nlohmann::json;

// Rows are rendered into pieces of about this many bytes, each one chunk of a streamed answer.
constexpr size_t kStreamPieceBytes = size_t{64} << 10;

enum class AnswerForm { kWhole, kNdjson, kCsv };

// What a request asks: its SQL text, whether a partial answer will do, and the answer's form.
struct QueryCall {
  std::string sql;
  bool allow_partial = false;
  bool use_cache = true;
  RowMode row_mode = RowMode::kObject;
  AnswerForm form = AnswerForm::kWhole;
};

Result<QueryCall> ParseCall(const httplib::Request& req) {
  const json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  // {"sql": ...} or, as the original app sent it, {"query": ...}.
  const char* const key = body.is_object() && body.contains("sql") ? "sql" : "query";
  if (!body.is_object() || !body.contains(key) || !body[key].is_string()) {
    return Status::InvalidArgument("body must be JSON {\"sql\": \"SELECT ...\"}");
  }
  QueryCall call;
  call.sql = body[key].get<std::string>();
  // "allowPartial": answer from the chunks reachable; "cache": false runs it even if cached.
  for (auto [field, value] :
       {std::pair{"allowPartial", &call.allow_partial}, std::pair{"cache", &call.use_cache}}) {
    if (!body.contains(field)) continue;
    if (!body[field].is_boolean()) {
      return Status::InvalidArgument(std::string(field) + " must be true or false");
    }
    *value = body[field].get<bool>();
  }
  if (body.contains("rowMode")) {
    const json& mode = body["rowMode"];
    if (mode != "object" && mode != "array") {
      return Status::InvalidArgument("rowMode must be \"object\" or \"array\"");
    }
    call.row_mode = mode == "array" ? RowMode::kArray : RowMode::kObject;
  }

  const std::string stream = req.get_param_value("stream");
  const std::string format = req.get_param_value("format");
  if (!stream.empty() && stream != "0" && stream != "1") {
    return Status::InvalidArgument("stream must be 0 or 1");
  }
  if (stream != "1") {
    if (!format.empty()) return Status::InvalidArgument("format=" + format + " needs stream=1");
    return call;
  }
  if (format.empty() || format == "ndjson") {
    call.form = AnswerForm::kNdjson;
  } else if (format == "csv") {
    call.form = AnswerForm::kCsv;
  } else {
    return Status::InvalidArgument("format must be ndjson or csv");
  }
  return call;
}

json StatsJson(const actors::QueryStats& stats, bool allow_partial) {
  json out{{"chunksTotal", stats.chunks_total},
           {"chunksScanned", stats.chunks_scanned},
           {"chunksPruned", stats.chunks_pruned},
           {"nodesContacted", stats.nodes_contacted},
           {"retries", stats.retries},
           {"bytesTransferred", stats.bytes_transferred},
           {"cached", stats.cached}};
  if (allow_partial) {
    out["rowsCovered"] = stats.rows_covered;
    out["rowsTotal"] = stats.rows_total;
  }
  return out;
}

// One JSON line of a stream. Invalid UTF-8 is replaced rather than thrown about: an exception
// must not reach httplib's writer.
std::string JsonLine(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

// A streamed answer: rendered piece by piece as httplib asks for more.
struct AnswerStream {
  actors::QueryAnswer answer;
  QueryCall call;
  bool started = false;
  size_t next_row = 0;
  bool finished = false;  // the last line is written too

  // The next piece: the opening line, rows up to about kStreamPieceBytes, and after the last row
  // the closing line (NDJSON only). Empty once everything was returned.
  std::string NextPiece() {
    const sql::QueryResult& result = answer.result;
    const bool csv = call.form == AnswerForm::kCsv;
    std::string piece;
    if (!started) {
      piece = csv ? CsvHeader(result) : JsonLine(json{{"columns", ColumnsToJson(result)}});
      started = true;
    }
    for (; next_row < result.rows.size() && piece.size() < kStreamPieceBytes; ++next_row) {
      piece +=
          csv ? CsvRow(result, next_row) : JsonLine(RowToJson(result, next_row, call.row_mode));
    }
    if (next_row == result.rows.size() && !finished) {
      finished = true;
      if (!csv) {
        piece += JsonLine(json{{"rowCount", result.rows.size()},
                               {"executionTime", answer.execution_ms},
                               {"stats", StatsJson(answer.stats, call.allow_partial)}});
      }
    }
    return piece;
  }
};

void StreamAnswer(actors::QueryAnswer answer, QueryCall call, httplib::Response& res) {
  const char* const type =
      call.form == AnswerForm::kCsv ? "text/csv; charset=utf-8" : "application/x-ndjson";
  auto stream = std::make_shared<AnswerStream>(AnswerStream{std::move(answer), std::move(call)});
  res.status = 200;
  res.set_chunked_content_provider(type, [stream](size_t, httplib::DataSink& sink) {
    const std::string piece = stream->NextPiece();
    if (piece.empty()) {
      sink.done();
      return true;
    }
    return sink.write(piece.data(), piece.size());  // false: the client went away
  });
}

}  // namespace

void ServeQuery(caf::actor_system& system, const actors::QueryPlannerActor& planner,
                const QueryLimits& limits, const httplib::Request& req, httplib::Response& res) {
  Result<QueryCall> call = ParseCall(req);
  if (!call.ok()) return ReplyError(res, call.status());
  // cpp-httplib 0.11 shows a handler nothing of its connection, so the gateway cannot see its
  // client leave while the planner works; the one abandonment it sees is its own deadline.
  auto abandoned = std::make_shared<std::atomic<bool>>(false);
  actors::QueryRequest request;
  request.sql = call->sql;
  request.allow_partial = call->allow_partial;
  request.use_cache = call->use_cache;
  request.abandoned = abandoned;
  Result<actors::QueryAnswer> answer =
      Ask<actors::QueryAnswer>(system, planner, limits.max_query_time + kQueryWaitMargin,
                               actors::query_atom::value, std::move(request));
  if (!answer.ok()) {
    // Past the deadline nobody reads the answer: the planner may stop working on it.
    if (answer.status().code() == Status::Code::kTimeout) abandoned->store(true);
    ReplyError(res, answer.status());
    if (res.status == 503) res.set_header("Retry-After", "1");
    return;
  }
  if (call->form != AnswerForm::kWhole) {
    return StreamAnswer(std::move(answer).value(), std::move(call).value(), res);
  }
  const sql::QueryResult& result = answer->result;
  if (result.rows.size() > limits.max_result_rows) {
    return ReplyError(
        res, Status::InvalidArgument(
                 "the answer has " + std::to_string(result.rows.size()) +
                 " rows, more than this node's limit of " + std::to_string(limits.max_result_rows) +
                 " (analytics.maxResultRows): add LIMIT, or use /api/query?stream=1"));
  }
  Reply(res, 200,
        json{{"success", true},
             {"columns", ColumnsToJson(result)},
             {"data", RowsToJson(result, call->row_mode)},
             {"rowCount", result.rows.size()},
             {"executionTime", answer->execution_ms},
             {"stats", StatsJson(answer->stats, call->allow_partial)}});
}

}  // namespace lake::gateway
