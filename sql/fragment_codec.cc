#include "sql/fragment_codec.h"

#include <msgpack.hpp>

#include "common/msgpack_util.h"
#include "common/vector_codec.h"

namespace lake::sql {
namespace {

constexpr uint64_t kFragmentFormatVersion = 1;
// More rows than a partial result may carry (a whole table's rows without LIMIT can be large).
constexpr size_t kMaxPartialRows = size_t{1} << 31;

Status Corrupt(std::string_view what) {
  return Status::Corruption("query fragment: " + std::string(what));
}

Status CheckVersion(const msgpack::object& root) {
  uint64_t version;
  const msgpack::object* v = FindField(root, "v");
  if (v == nullptr || !ReadUint(*v, &version)) return Corrupt("no version");
  if (version != kFragmentFormatVersion) {
    return Corrupt("unsupported version " + std::to_string(version));
  }
  return Status::OK();
}

}  // namespace

Bytes EncodeFragmentRequest(const FragmentRequest& request) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(3 + (request.statement_time ? 1 : 0) + (request.joins.empty() ? 0 : 1));
  pk.pack("v");
  pk.pack(kFragmentFormatVersion);
  pk.pack("sql");
  pk.pack(request.sql);
  pk.pack("chunks");
  pk.pack(request.chunks);
  if (request.statement_time) {
    pk.pack("now");
    pk.pack(*request.statement_time);
  }
  if (!request.joins.empty()) {
    pk.pack("joins");
    pk.pack_array(static_cast<uint32_t>(request.joins.size()));
    for (const Id& id : request.joins) PackId(pk, id);
  }
  return BufferBytes(buffer);
}

Result<FragmentRequest> DecodeFragmentRequest(ByteView bytes) {
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(UnpackUntrusted(bytes, &handle));
  const msgpack::object& root = handle.get();
  LAKE_RETURN_IF_ERROR(CheckVersion(root));
  FragmentRequest request;
  std::string_view sql;
  const msgpack::object* sql_obj = FindField(root, "sql");
  const msgpack::object* chunks_obj = FindField(root, "chunks");
  if (sql_obj == nullptr || !ReadStr(*sql_obj, &sql) || chunks_obj == nullptr ||
      chunks_obj->type != msgpack::type::ARRAY) {
    return Corrupt("request without sql or chunks");
  }
  request.sql = std::string(sql);
  for (uint32_t i = 0; i < chunks_obj->via.array.size; ++i) {
    uint64_t chunk;
    if (!ReadUint(chunks_obj->via.array.ptr[i], &chunk)) return Corrupt("chunk index");
    request.chunks.push_back(chunk);
  }
  if (const msgpack::object* now = FindField(root, "now")) {
    int64_t micros;
    if (!ReadInt(*now, &micros)) return Corrupt("statement time");
    request.statement_time = micros;
  }
  if (const msgpack::object* joins = FindField(root, "joins")) {
    if (joins->type != msgpack::type::ARRAY || joins->via.array.size > kMaxFragmentJoins) {
      return Corrupt("joined versions");
    }
    for (uint32_t i = 0; i < joins->via.array.size; ++i) {
      Id id;
      if (!ReadId(joins->via.array.ptr[i], &id)) return Corrupt("joined version id");
      request.joins.push_back(id);
    }
  }
  return request;
}

Bytes EncodePartialResult(const PartialResult& partial) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(5);
  pk.pack("v");
  pk.pack(kFragmentFormatVersion);
  pk.pack("scanned");
  pk.pack(partial.chunks_scanned);
  pk.pack("pruned");
  pk.pack(partial.chunks_pruned);
  pk.pack("agg");
  if (partial.aggregates) {
    partial.aggregates->Pack(pk);
  } else {
    pk.pack_nil();
  }
  pk.pack("rows");
  pk.pack_array(static_cast<uint32_t>(partial.rows.size()));
  for (const Vector& column : partial.rows) PackVector(pk, column);
  return BufferBytes(buffer);
}

Result<PartialResult> DecodePartialResult(ByteView bytes, const BoundSelect& q) {
  msgpack::object_handle handle;
  LAKE_RETURN_IF_ERROR(UnpackUntrusted(bytes, &handle));
  const msgpack::object& root = handle.get();
  LAKE_RETURN_IF_ERROR(CheckVersion(root));
  PartialResult partial;
  const msgpack::object* scanned = FindField(root, "scanned");
  const msgpack::object* pruned = FindField(root, "pruned");
  const msgpack::object* agg = FindField(root, "agg");
  const msgpack::object* rows = FindField(root, "rows");
  if (scanned == nullptr || !ReadUint(*scanned, &partial.chunks_scanned) || pruned == nullptr ||
      !ReadUint(*pruned, &partial.chunks_pruned) || agg == nullptr || rows == nullptr ||
      rows->type != msgpack::type::ARRAY) {
    return Corrupt("missing fields");
  }
  if (q.aggregated) {
    if (agg->type == msgpack::type::NIL) return Corrupt("aggregate state missing");
    std::vector<LogicalType> key_types;
    for (const BoundExprPtr& k : q.group_keys) key_types.push_back(k->type);
    LAKE_ASSIGN_OR_RETURN(partial.aggregates,
                          GroupedAggregates::Unpack(*agg, std::move(key_types), q.aggregates));
    if (rows->via.array.size != 0) return Corrupt("rows next to an aggregate");
    return partial;
  }
  if (agg->type != msgpack::type::NIL) return Corrupt("aggregate state for a plain query");
  const std::vector<LogicalType> types = FragmentRowTypes(q);
  if (rows->via.array.size != types.size()) return Corrupt("column count");
  for (size_t c = 0; c < types.size(); ++c) {
    LAKE_ASSIGN_OR_RETURN(Vector column, UnpackVector(rows->via.array.ptr[c], kMaxPartialRows));
    if (column.type() != types[c]) return Corrupt("column type");
    if (c > 0 && column.size() != partial.rows[0].size()) return Corrupt("column lengths");
    partial.rows.push_back(std::move(column));
  }
  return partial;
}

}  // namespace lake::sql
