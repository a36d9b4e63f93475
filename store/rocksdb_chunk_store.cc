#include "store/rocksdb_chunk_store.h"
#include "store/crc32c.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/snapshot.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include "common/hash.h"
#include "store/crc32c.h"

namespace lake::store {
namespace {

constexpr char kChunksFamily[] = "chunks";
constexpr char kMetaFamily[] = "chunk_meta";
constexpr char kRecordsFamily[] = "records";

rocksdb::Slice IdSlice(const ChunkId& id) {
  return rocksdb::Slice(reinterpret_cast<const char*>(id.bytes().data()), Id::kBytes);
}

rocksdb::Slice ViewSlice(ByteView bytes) {
  return rocksdb::Slice(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

ByteView SliceView(const rocksdb::Slice& slice) {
  return ByteView(reinterpret_cast<const uint8_t*>(slice.data()), slice.size());
}

// The key of column part `column` of chunk `id`: the id, then the index big-endian, so a chunk's
// parts sort together and in column order.
std::string PartKey(const ChunkId& id, uint32_t column) {
  std::string key(reinterpret_cast<const char*>(id.bytes().data()), Id::kBytes);
  for (int shift = 24; shift >= 0; shift -= 8) key.push_back(static_cast<char>(column >> shift));
  return key;
}

// A chunk_meta value: the encoded size (8 bytes LE), then the prefix of a chunk kept in column
// parts (never empty: a prefix holds at least the header's map tag).
struct ChunkMeta {
  uint64_t size = 0;
  ByteView prefix;  // empty: the chunk is kept whole
};

std::string EncodeMeta(uint64_t size, ByteView prefix) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &size, 8);
  out.append(AsChars(prefix));
  return out;
}

// REQUIRES: `value` outlives the result (its prefix points into it).
Result<ChunkMeta> DecodeMeta(const rocksdb::Slice& value) {
  if (value.size() < 8) return Status::Corruption("chunk metadata shorter than 8 bytes");
  ChunkMeta meta;
  std::memcpy(&meta.size, value.data(), 8);
  meta.prefix = SliceView(value).subspan(8);
  return meta;
}

// How many column parts a chunk with this meta has (0 when kept whole).
Result<size_t> PartCount(const ChunkMeta& meta) {
  if (meta.prefix.empty()) return size_t{0};
  LAKE_ASSIGN_OR_RETURN(const ChunkHeader header, DecodeChunkPrefix(meta.prefix));
  return header.columns;
}

// RocksDB statuses map one to one onto ours.
Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  const std::string message = std::string(context) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(message);
  if (s.IsCorruption()) return Status::Corruption(message);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(message);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return Status::Unavailable(message);
  return Status::IOError(message);
}

// A column part at rest: its bytes, then their CRC-32C (4 bytes LE). Scans check this instead
// of RocksDB's own checksums, which Debian's build computes in software at a third of the speed
// of reading (see ReadParts).
std::string PartValue(ByteView part) {
  const uint32_t crc = Crc32c(part);
  std::string value(AsChars(part));
  value.append(reinterpret_cast<const char*>(&crc), sizeof crc);
  return value;
}

// The part inside a stored value, or Corruption naming `what` if its CRC does not match.
Result<ByteView> CheckedPart(ByteView value, const std::string& what) {
  if (value.size() < sizeof(uint32_t)) return Status::Corruption(what + ": shorter than its CRC");
  const ByteView part = value.first(value.size() - sizeof(uint32_t));
  uint32_t crc;
  std::memcpy(&crc, value.data() + part.size(), sizeof crc);
  if (Crc32c(part) != crc) return Status::Corruption(what + ": CRC mismatch");
  return part;
}

// Adds to `wb` the writes that keep `bytes` as chunk `id`, in column parts if SplitChunkColumns
// cuts them, else whole. Returns the chunk_meta value to write with them.
Result<std::string> AddChunkValues(rocksdb::WriteBatch* wb, rocksdb::ColumnFamilyHandle* chunks,
                                   const ChunkId& id, const Bytes& bytes) {
  Result<ChunkParts> parts = SplitChunkColumns(bytes);
  if (!parts.ok()) {
    LAKE_RETURN_IF_ERROR(FromRocks(wb->Put(chunks, IdSlice(id), ViewSlice(bytes)), "batch"));
    return EncodeMeta(bytes.size(), ByteView());
  }
  for (size_t c = 0; c < parts->columns.size(); ++c) {
    LAKE_RETURN_IF_ERROR(FromRocks(
        wb->Put(chunks, PartKey(id, static_cast<uint32_t>(c)), PartValue(parts->columns[c])),
        "batch"));
  }
  return EncodeMeta(bytes.size(), parts->prefix);
}

// Adds to `wb` the deletes of every value of chunk `id`, kept as `meta` says (not the meta).
Status DeleteChunkValues(rocksdb::WriteBatch* wb, rocksdb::ColumnFamilyHandle* chunks,
                         const ChunkId& id, const ChunkMeta& meta) {
  if (meta.prefix.empty()) return FromRocks(wb->Delete(chunks, IdSlice(id)), "batch");
  LAKE_ASSIGN_OR_RETURN(const size_t parts, PartCount(meta));
  for (size_t c = 0; c < parts; ++c) {
    LAKE_RETURN_IF_ERROR(
        FromRocks(wb->Delete(chunks, PartKey(id, static_cast<uint32_t>(c))), "batch"));
  }
  return Status::OK();
}

rocksdb::ReadOptions VerifiedRead(const rocksdb::Snapshot* snapshot = nullptr) {
  rocksdb::ReadOptions options;
  options.verify_checksums = true;  // table blocks and blob records alike
  options.snapshot = snapshot;
  return options;
}

rocksdb::ColumnFamilyOptions ChunkFamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  // Column parts are ~10-200 KiB, written once and read many times: keep them out of the LSM
  // tree so compaction never rewrites them. Small ones (tiny chunks) stay in table files. Each
  // part carries its own CRC-32C (PartValue).
  options.enable_blob_files = true;
  options.min_blob_size = 4096;
  // Parts come encoded and, where it pays, LZ4-compressed (chunk_codec.h): compressing them
  // again would cost every read a second pass for nothing.
  options.blob_compression_type = rocksdb::kNoCompression;
  options.compression = rocksdb::kNoCompression;
  options.enable_blob_garbage_collection = true;
  options.write_buffer_size = 32 << 20;  // chunk values sit here until flushed: bounds RSS
  return options;
}

}  // namespace

Result<std::unique_ptr<RocksDbChunkStore>> RocksDbChunkStore::Open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IOError("cannot create " + path + ": " + ec.message());
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  // kBuffered writes skip the write-ahead log; a flush makes them durable. Flushing all column
  // families atomically keeps a chunk and its import-journal record together across a crash.
  db_options.atomic_flush = true;

  rocksdb::ColumnFamilyOptions small_options;
  small_options.compression = rocksdb::kLZ4Compression;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, small_options},
      {kChunksFamily, ChunkFamilyOptions()},
      {kMetaFamily, small_options},
      {kRecordsFamily, small_options},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  LAKE_RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::Open(db_options, path, families, &handles, &raw), "open " + path));
  std::unique_ptr<RocksDbChunkStore> store(new RocksDbChunkStore());
  store->db_.reset(raw);
  store->default_cf_ = handles[0];
  store->chunks_cf_ = handles[1];
  store->meta_cf_ = handles[2];
  store->records_cf_ = handles[3];
  LAKE_RETURN_IF_ERROR(store->LoadStats());
  return store;
}

RocksDbChunkStore::~RocksDbChunkStore() {
  if (!db_) return;
  for (auto* handle : {default_cf_, chunks_cf_, meta_cf_, records_cf_})
    db_->DestroyColumnFamilyHandle(handle);
  db_->Close().PermitUncheckedError();
}

Status RocksDbChunkStore::LoadStats() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(VerifiedRead(), meta_cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    LAKE_ASSIGN_OR_RETURN(const ChunkMeta meta, DecodeMeta(it->value()));
    ++stats_.chunks;
    stats_.chunk_bytes += meta.size;
  }
  LAKE_RETURN_IF_ERROR(FromRocks(it->status(), "scan chunk metadata"));
  std::unique_ptr<rocksdb::Iterator> records(db_->NewIterator(rocksdb::ReadOptions(), records_cf_));
  for (records->SeekToFirst(); records->Valid(); records->Next()) ++stats_.records;
  return FromRocks(records->status(), "scan records");
}

Status RocksDbChunkStore::Write(const StoreBatch& batch, Durability durability) {
  std::lock_guard<std::mutex> lock(write_mu_);
  rocksdb::WriteBatch wb;
  StoreStats next = stats_;
  // What is stored as of the changes batched so far: the database overlaid with this batch, so a
  // batch that repeats a key keeps the counters exact. Chunk meta values; nullopt = absent.
  std::map<ChunkId, std::optional<std::string>> chunk_metas;
  std::map<std::string, bool> records_present;
  auto stored_meta = [&](const ChunkId& id) -> Result<std::optional<std::string>> {
    if (auto it = chunk_metas.find(id); it != chunk_metas.end()) return it->second;
    std::string meta;
    const rocksdb::Status s = db_->Get(VerifiedRead(), meta_cf_, IdSlice(id), &meta);
    if (s.IsNotFound()) return std::optional<std::string>();
    LAKE_RETURN_IF_ERROR(FromRocks(s, "chunk metadata"));
    return std::optional<std::string>(std::move(meta));
  };
  auto record_stored = [&](const std::string& key) {
    if (auto it = records_present.find(key); it != records_present.end()) return it->second;
    std::string ignored;
    return db_->Get(rocksdb::ReadOptions(), records_cf_, key, &ignored).ok();
  };

  for (const auto& [id, bytes] : batch.chunk_puts()) {
    LAKE_ASSIGN_OR_RETURN(const std::optional<std::string> stored, stored_meta(id));
    if (stored) continue;  // same id, same bytes: nothing to do
    LAKE_ASSIGN_OR_RETURN(std::string meta, AddChunkValues(&wb, chunks_cf_, id, bytes));
    LAKE_RETURN_IF_ERROR(FromRocks(wb.Put(meta_cf_, IdSlice(id), meta), "batch"));
    chunk_metas[id] = std::move(meta);
    ++next.chunks;
    next.chunk_bytes += bytes.size();
  }
  for (const ChunkId& id : batch.chunk_deletes()) {
    LAKE_ASSIGN_OR_RETURN(const std::optional<std::string> stored, stored_meta(id));
    if (!stored) continue;
    LAKE_ASSIGN_OR_RETURN(const ChunkMeta meta, DecodeMeta(*stored));
    LAKE_RETURN_IF_ERROR(DeleteChunkValues(&wb, chunks_cf_, id, meta));
    LAKE_RETURN_IF_ERROR(FromRocks(wb.Delete(meta_cf_, IdSlice(id)), "batch"));
    --next.chunks;
    next.chunk_bytes -= meta.size;
    chunk_metas[id] = std::nullopt;
  }
  for (const auto& [key, value] : batch.record_puts()) {
    if (!record_stored(key)) ++next.records;
    records_present[key] = true;
    LAKE_RETURN_IF_ERROR(FromRocks(wb.Put(records_cf_, key, ViewSlice(value)), "batch"));
  }
  for (const std::string& key : batch.record_deletes()) {
    if (!record_stored(key)) continue;
    records_present[key] = false;
    --next.records;
    LAKE_RETURN_IF_ERROR(FromRocks(wb.Delete(records_cf_, key), "batch"));
  }
  rocksdb::WriteOptions options;
  if (durability == Durability::kSync) {
    // Buffered writes never reached the log: flush them to table and blob files first, so the
    // synced write below cannot outlive them in a crash.
    if (unflushed_buffered_writes_) {
      LAKE_RETURN_IF_ERROR(FromRocks(
          db_->Flush(rocksdb::FlushOptions(), {chunks_cf_, meta_cf_, records_cf_}), "flush"));
      unflushed_buffered_writes_ = false;
    }
    options.sync = true;
  } else {
    // Bulk chunk data is written once to blob files instead of twice (log, then blob).
    options.disableWAL = true;
  }
  LAKE_RETURN_IF_ERROR(FromRocks(db_->Write(options, &wb), "write"));
  if (durability == Durability::kBuffered) unflushed_buffered_writes_ = true;
  stats_ = next;
  return Status::OK();
}

Status RocksDbChunkStore::ReadMeta(const rocksdb::ReadOptions& options, const ChunkId& id,
                                   rocksdb::PinnableSlice* meta) const {
  const rocksdb::Status s = db_->Get(options, meta_cf_, IdSlice(id), meta);
  if (s.IsNotFound()) return Status::NotFound("chunk " + id.ShortHex() + " not stored");
  return FromRocks(s, "chunk metadata " + id.ShortHex());
}

Status RocksDbChunkStore::ReadWhole(const rocksdb::ReadOptions& options, const ChunkId& id,
                                    rocksdb::PinnableSlice* value) const {
  const rocksdb::Status s = db_->Get(options, chunks_cf_, IdSlice(id), value);
  if (s.IsNotFound()) return Status::Corruption("chunk " + id.ShortHex() + " has no value");
  return FromRocks(s, "chunk " + id.ShortHex());
}

Status RocksDbChunkStore::ReadParts(const rocksdb::ReadOptions& options, const ChunkId& id,
                                    const std::vector<size_t>& columns,
                                    std::vector<rocksdb::PinnableSlice>* values,
                                    std::vector<ByteView>* parts) const {
  std::vector<std::string> keys;
  keys.reserve(columns.size());
  for (size_t c : columns) keys.push_back(PartKey(id, static_cast<uint32_t>(c)));
  std::vector<rocksdb::Slice> key_slices(keys.begin(), keys.end());
  std::vector<rocksdb::Status> statuses(keys.size());
  *values = std::vector<rocksdb::PinnableSlice>(keys.size());
  // Each part's own CRC-32C (hardware) stands in for RocksDB's checksums (software) here.
  rocksdb::ReadOptions part_options = options;
  part_options.verify_checksums = false;
  db_->MultiGet(part_options, chunks_cf_, keys.size(), key_slices.data(), values->data(),
                statuses.data(), /*sorted_input=*/true);
  parts->clear();
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string part = "chunk " + id.ShortHex() + " column " + std::to_string(columns[i]);
    if (statuses[i].IsNotFound()) return Status::Corruption(part + " has no value");
    LAKE_RETURN_IF_ERROR(FromRocks(statuses[i], part));
    LAKE_ASSIGN_OR_RETURN(ByteView checked, CheckedPart(SliceView((*values)[i]), part));
    parts->push_back(checked);
  }
  return Status::OK();
}

Result<Bytes> RocksDbChunkStore::GetChunk(const ChunkId& id) const {
  rocksdb::ManagedSnapshot snapshot(db_.get());
  const rocksdb::ReadOptions options = VerifiedRead(snapshot.snapshot());
  rocksdb::PinnableSlice meta_value;
  LAKE_RETURN_IF_ERROR(ReadMeta(options, id, &meta_value));
  LAKE_ASSIGN_OR_RETURN(const ChunkMeta meta, DecodeMeta(meta_value));
  Bytes bytes;
  if (meta.prefix.empty()) {
    rocksdb::PinnableSlice value;
    LAKE_RETURN_IF_ERROR(ReadWhole(options, id, &value));
    const ByteView view = SliceView(value);
    bytes.assign(view.begin(), view.end());
  } else {
    LAKE_ASSIGN_OR_RETURN(const size_t part_count, PartCount(meta));
    std::vector<size_t> columns(part_count);
    for (size_t c = 0; c < part_count; ++c) columns[c] = c;
    std::vector<rocksdb::PinnableSlice> values;
    std::vector<ByteView> parts;
    LAKE_RETURN_IF_ERROR(ReadParts(options, id, columns, &values, &parts));
    bytes.reserve(meta.size);
    bytes.insert(bytes.end(), meta.prefix.begin(), meta.prefix.end());
    for (const ByteView view : parts) {
      bytes.insert(bytes.end(), view.begin(), view.end());
    }
  }
  if (Blake2b256(bytes) != id) {
    return Status::Corruption("chunk " + id.ShortHex() + " does not match its id");
  }
  return bytes;
}

Result<std::vector<DecodedPieces>> RocksDbChunkStore::GetChunkColumnPieces(
    const ChunkId& id, const std::vector<size_t>& columns, size_t piece_rows) const {
  rocksdb::ManagedSnapshot snapshot(db_.get());
  const rocksdb::ReadOptions options = VerifiedRead(snapshot.snapshot());
  rocksdb::PinnableSlice meta_value;
  LAKE_RETURN_IF_ERROR(ReadMeta(options, id, &meta_value));
  LAKE_ASSIGN_OR_RETURN(const ChunkMeta meta, DecodeMeta(meta_value));
  if (meta.prefix.empty()) {
    rocksdb::PinnableSlice value;
    LAKE_RETURN_IF_ERROR(ReadWhole(options, id, &value));
    return DecodeChunkColumnPieces(SliceView(value), columns, piece_rows);
  }
  LAKE_ASSIGN_OR_RETURN(const ChunkHeader header, DecodeChunkPrefix(meta.prefix));
  for (size_t c : columns) {
    if (c >= header.columns) {
      return Status::Corruption("chunk " + id.ShortHex() + ": column index out of range");
    }
  }
  // Each part is read once, even if asked for twice.
  std::vector<size_t> wanted = columns;
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<rocksdb::PinnableSlice> values;
  std::vector<ByteView> parts;
  LAKE_RETURN_IF_ERROR(ReadParts(options, id, wanted, &values, &parts));
  std::vector<DecodedPieces> decoded;
  decoded.reserve(columns.size());
  for (size_t c : columns) {
    const size_t i = std::lower_bound(wanted.begin(), wanted.end(), c) - wanted.begin();
    LAKE_ASSIGN_OR_RETURN(DecodedPieces column,
                          DecodeColumnPartPieces(parts[i], header.rows, piece_rows));
    decoded.push_back(std::move(column));
  }
  return decoded;
}

Result<bool> RocksDbChunkStore::HasChunk(const ChunkId& id) const {
  std::string meta;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_cf_, IdSlice(id), &meta);
  if (s.IsNotFound()) return false;
  LAKE_RETURN_IF_ERROR(FromRocks(s, "chunk metadata"));
  return true;
}

Result<std::vector<ChunkId>> RocksDbChunkStore::ListChunks() const {
  std::vector<ChunkId> ids;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    auto id = Id::FromBytes(ByteView(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
    if (!id) return Status::Corruption("chunk metadata key of the wrong size");
    ids.push_back(*id);
  }
  LAKE_RETURN_IF_ERROR(FromRocks(it->status(), "list chunks"));
  return ids;
}

Result<Bytes> RocksDbChunkStore::GetRecord(const std::string& key) const {
  rocksdb::PinnableSlice value;
  LAKE_RETURN_IF_ERROR(
      FromRocks(db_->Get(rocksdb::ReadOptions(), records_cf_, key, &value), "record " + key));
  return Bytes(value.data(), value.data() + value.size());
}

Result<std::vector<std::pair<std::string, Bytes>>> RocksDbChunkStore::ScanRecords(
    const std::string& prefix) const {
  std::vector<std::pair<std::string, Bytes>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), records_cf_));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const rocksdb::Slice value = it->value();
    out.emplace_back(it->key().ToString(), Bytes(value.data(), value.data() + value.size()));
  }
  LAKE_RETURN_IF_ERROR(FromRocks(it->status(), "scan records"));
  return out;
}

StoreStats RocksDbChunkStore::Stats() const {
  std::lock_guard<std::mutex> lock(write_mu_);
  return stats_;
}

Status RocksDbChunkStore::TEST_OverwriteChunk(const ChunkId& id, const Bytes& bytes) {
  std::lock_guard<std::mutex> lock(write_mu_);
  std::string old_meta;
  LAKE_RETURN_IF_ERROR(FromRocks(db_->Get(VerifiedRead(), meta_cf_, IdSlice(id), &old_meta),
                                 "chunk metadata " + id.ShortHex()));
  LAKE_ASSIGN_OR_RETURN(const ChunkMeta old, DecodeMeta(old_meta));
  rocksdb::WriteBatch wb;
  LAKE_RETURN_IF_ERROR(DeleteChunkValues(&wb, chunks_cf_, id, old));
  LAKE_ASSIGN_OR_RETURN(const std::string meta, AddChunkValues(&wb, chunks_cf_, id, bytes));
  LAKE_RETURN_IF_ERROR(FromRocks(wb.Put(meta_cf_, IdSlice(id), meta), "batch"));
  rocksdb::WriteOptions options;
  options.sync = true;
  LAKE_RETURN_IF_ERROR(FromRocks(db_->Write(options, &wb), "overwrite"));
  stats_.chunk_bytes = stats_.chunk_bytes - old.size + bytes.size();
  return Status::OK();
}

Status RocksDbChunkStore::TEST_OverwriteColumnPart(const ChunkId& id, uint32_t column,
                                                   const Bytes& bytes) {
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocks(db_->Put(options, chunks_cf_, PartKey(id, column), PartValue(bytes)),
                   "overwrite");
}

Result<size_t> RocksDbChunkStore::TEST_CountChunkValues() const {
  size_t count = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(VerifiedRead(), chunks_cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  LAKE_RETURN_IF_ERROR(FromRocks(it->status(), "count chunk values"));
  return count;
}

}  // namespace lake::store
