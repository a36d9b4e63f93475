#include "gateway/dataset_json.h"

#include <algorithm>

#include "common/value_parse.h"

namespace lake::gateway {
namespace {

using nlohmann::json;

// A local import has no uploader (the zero id).
json UploaderJson(const NodeId& uploader) {
  return uploader.IsZero() ? json(nullptr) : json(uploader.ToHex());
}

}  // namespace

std::string IsoTime(int64_t micros_since_epoch) {
  // A manifest's time comes from the network: keep it within years 0001-9999.
  constexpr int64_t kFirst = -62135596800LL * 1000000;          // 0001-01-01T00:00:00Z
  constexpr int64_t kLast = 253402300799LL * 1000000 + 999999;  // 9999-12-31T23:59:59.999999Z
  const int64_t micros = std::clamp(micros_since_epoch, kFirst, kLast);
  // FormatTimestamp of the time cut to whole milliseconds is "YYYY-MM-DD HH:MM:SS" plus at most
  // three fraction digits (trailing zeros trimmed), which only need a 'T', padding and a 'Z'.
  std::string text = FormatTimestamp(micros - (micros % 1000 + 1000) % 1000);
  text[10] = 'T';
  if (text.size() == 19) text += '.';
  text.append(23 - text.size(), '0');
  return text + "Z";
}

json SchemaJson(const Schema& schema) {
  json columns = json::array();
  for (const Column& column : schema) {
    columns.push_back({{"name", column.name}, {"type", std::string(TypeName(column.type))}});
  }
  return columns;
}

json UploadReceiptJson(const actors::UploadReceipt& receipt, double execution_ms) {
  return json{{"success", true},
              {"datasetId", receipt.dataset_id.ToHex()},
              {"name", receipt.name},
              {"version", receipt.version},
              {"rows", receipt.rows},
              {"columns", SchemaJson(receipt.columns)},
              {"chunks", receipt.chunks},
              {"bytes", receipt.bytes},
              {"replicas", {{"min", receipt.replicas_min}, {"target", receipt.replicas_target}}},
              {"replicationStatus",
               receipt.replicas_min < receipt.replicas_target ? "degraded" : "complete"},
              {"executionTime", execution_ms}};
}

json DatasetSummaryJson(const actors::DatasetSummary& summary) {
  const store::Manifest& m = summary.manifest;
  return json{{"name", m.name},
              {"datasetId", summary.manifest_id.ToHex()},
              {"version", m.version},
              {"rowCount", m.total_rows},
              {"columnCount", m.schema.size()},
              {"chunks", m.chunks.size()},
              {"bytes", m.total_bytes},
              {"createdAt", IsoTime(m.created_at_us)},
              {"uploader", UploaderJson(m.uploader)}};
}

json DatasetDetailJson(const actors::DatasetDetail& detail) {
  const store::Manifest& m = detail.manifest;
  json chunks = json::array();
  for (size_t i = 0; i < m.chunks.size(); ++i) {
    json holders = json::array();
    if (i < detail.holders.size()) {
      for (const NodeId& holder : detail.holders[i]) holders.push_back(holder.ToHex());
    }
    chunks.push_back({{"id", m.chunks[i].id.ToHex()},
                      {"rows", m.chunks[i].rows},
                      {"bytes", m.chunks[i].bytes},
                      {"holders", holders}});
  }
  return json{{"success", true},
              {"name", m.name},
              {"datasetId", detail.manifest_id.ToHex()},
              {"version", m.version},
              {"rowCount", m.total_rows},
              {"columns", SchemaJson(m.schema)},
              {"bytes", m.total_bytes},
              {"createdAt", IsoTime(m.created_at_us)},
              {"uploader", UploaderJson(m.uploader)},
              {"replicas", {{"target", detail.replicas_target}}},
              {"chunks", chunks}};
}

json ReplicationJson(const actors::StorageStatus& s) {
  json out;
  out["pushesSent"] = s.pushes_sent;
  out["pushesFailed"] = s.pushes_failed;
  out["pushesReceived"] = s.pushes_received;
  out["pushesRefused"] = s.pushes_refused;
  out["repairRounds"] = s.repair_rounds;
  out["repairCopies"] = s.repair_copies;
  out["repairHandoffs"] = s.repair_handoffs;
  out["repairPending"] = s.repair_pending;
  out["chunksCollected"] = s.chunks_collected;
  return out;
}

}  // namespace lake::gateway
