// Datasets, uploads and replication as the HTTP API shows them (the original app's field names):
// ids as hex, times as ISO-8601 UTC, schemas as [{name, type}].
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "actors/interfaces.h"

namespace lake::gateway {

// "2024-05-01T12:34:56.789Z" (millisecond precision, like JavaScript's toISOString).
std::string IsoTime(int64_t micros_since_epoch);

// [{name, type}, ...]
nlohmann::json SchemaJson(const Schema& schema);

// 201's body: {success, datasetId, name, version, rows, columns, chunks, bytes,
// replicas: {min, target}, replicationStatus: "complete" | "degraded", executionTime}.
nlohmann::json UploadReceiptJson(const actors::UploadReceipt& receipt, double execution_ms);

// One entry of GET /api/datasets: {name, datasetId, version, rowCount, columnCount, chunks,
// bytes, createdAt, uploader} (uploader null for a local import).
nlohmann::json DatasetSummaryJson(const actors::DatasetSummary& summary);

// GET /api/datasets/{name}: {success, name, datasetId, version, rowCount, columns, bytes,
// createdAt, uploader, replicas: {target}, chunks: [{id, rows, bytes, holders: [nodeId...]}]}.
nlohmann::json DatasetDetailJson(const actors::DatasetDetail& detail);

// /api/status's replication counters.
nlohmann::json ReplicationJson(const actors::StorageStatus& status);

}  // namespace lake::gateway
