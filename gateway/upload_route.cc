#include "gateway/upload_route.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "gateway/dataset_json.h"
#include "gateway/http_reply.h"
#include "gateway/request_guard.h"
#include "store/manifest.h"

namespace lake::gateway {
namespace {

using nlohmann::json;

constexpr size_t kSpoolBufferBytes = size_t{1} << 20;
constexpr size_t kMaxNameFieldBytes = 1024;  // a multipart `name` part

enum class BodyForm { kJson, kCsv, kMultipart };

Result<BodyForm> FormOf(const httplib::Request& req) {
  const std::string type = MediaType(req.get_header_value("Content-Type"));
  if (type == "application/json") return BodyForm::kJson;
  if (type == "multipart/form-data") return BodyForm::kMultipart;
  if (type == "text/csv" || type == "text/plain" || type == "application/csv" ||
      type == "application/octet-stream") {
    return BodyForm::kCsv;
  }
  return Status::Unsupported(
      "an upload is application/json {filename, data}, text/csv with ?name=NAME, or "
      "multipart/form-data with a 'file' part; Content-Type '" +
      type + "' is none of them");
}

uint64_t BodyBound(BodyForm form, const UploadLimits& limits) {
  return form == BodyForm::kJson ? std::min(limits.max_upload_bytes, kMaxJsonBodyBytes)
                                 : limits.max_upload_bytes;
}

Status OverLimit(uint64_t max_upload_bytes) {
  return Status::ResourceExhausted("the upload is larger than this node accepts (" +
                                   std::to_string(max_upload_bytes) +
                                   " bytes, storage.maxUploadBytes)");
}

// OverLimit, or for the JSON form the lower bound of a body parsed in memory.
Status TooLarge(BodyForm form, const UploadLimits& limits) {
  const uint64_t bound = BodyBound(form, limits);
  if (form == BodyForm::kJson && bound < limits.max_upload_bytes) {
    return Status::ResourceExhausted(
        "a JSON upload body may hold at most " + std::to_string(bound) +
        " bytes; send larger files as text/csv or multipart/form-data");
  }
  return OverLimit(bound);
}

// The dataset name an upload asked for (`given`), else the one its file name implies.
Result<std::string> DatasetName(const std::string& given, const std::string& file_name) {
  if (given.empty() && file_name.empty()) {
    return Status::InvalidArgument(
        "the upload names no dataset: give ?name=NAME, a 'name' field or a file name");
  }
  std::string name = given.empty() ? store::DatasetNameFromFileName(file_name) : given;
  LAKE_RETURN_IF_ERROR(store::ValidateDatasetName(name));
  return name;
}

// What ends a spooling read: the file's own refusal (it stopped the read) first, else a body that
// did not arrive whole (the client went away, or a chunked or multipart framing error).
Status EndOfRead(bool read_whole, SpoolFile& file) {
  LAKE_RETURN_IF_ERROR(file.Finish());
  if (!read_whole) return Status::InvalidArgument("the request body ended early or is malformed");
  return Status::OK();
}

// Raw CSV: the body is the file.
Status SpoolCsv(const httplib::ContentReader& reader, SpoolFile& file) {
  const bool whole = reader([&](const char* data, size_t size) { return file.Append(data, size); });
  return EndOfRead(whole, file);
}

// {filename, data, metadata?: {name?}}: read whole (it is bounded), `data` written to the file.
Result<std::string> SpoolJson(const httplib::Request& req, const httplib::ContentReader& reader,
                              const UploadLimits& limits, SpoolFile& file) {
  const uint64_t bound = BodyBound(BodyForm::kJson, limits);
  std::string body;
  bool too_large = false;
  const bool whole = reader([&](const char* data, size_t size) {
    too_large = body.size() + size > bound;
    if (!too_large) body.append(data, size);
    return !too_large;
  });
  if (too_large) return TooLarge(BodyForm::kJson, limits);
  if (!whole) return Status::InvalidArgument("the request body ended early");
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.contains("data") || !parsed["data"].is_string()) {
    return Status::InvalidArgument(
        "a JSON upload is {\"filename\": \"x.csv\", \"data\": \"<CSV text>\", "
        "\"metadata\": {\"name\": \"x\"}} (metadata optional)");
  }
  std::string given = req.get_param_value("name");
  if (parsed.contains("metadata") && parsed["metadata"].is_object() &&
      parsed["metadata"].contains("name") && parsed["metadata"]["name"].is_string()) {
    given = parsed["metadata"]["name"].get<std::string>();
  }
  const std::string file_name = parsed.contains("filename") && parsed["filename"].is_string()
                                    ? parsed["filename"].get<std::string>()
                                    : std::string();
  LAKE_ASSIGN_OR_RETURN(std::string name, DatasetName(given, file_name));
  const std::string& data = parsed["data"].get_ref<const std::string&>();
  file.Append(data.data(), data.size());
  LAKE_RETURN_IF_ERROR(EndOfRead(true, file));
  return name;
}

// multipart/form-data: the `file` part streamed to the file, an optional short `name` part, any
// other part read past. Every part's bytes count towards the bound.
Result<std::string> SpoolMultipart(const httplib::Request& req,
                                   const httplib::ContentReader& reader, const UploadLimits& limits,
                                   SpoolFile& file) {
  std::string part;  // the name of the part being read
  std::string file_name;
  std::string name_field;
  bool saw_file = false;
  uint64_t part_bytes = 0;
  Status refused;
  const bool whole = reader(
      [&](const httplib::MultipartFormData& header) {
        part = header.name;
        if (part == "file") {
          if (saw_file) refused = Status::InvalidArgument("an upload carries one 'file' part");
          saw_file = true;
          file_name = header.filename;
        }
        return refused.ok();
      },
      [&](const char* data, size_t size) {
        part_bytes += size;
        if (part_bytes > limits.max_upload_bytes) {
          refused = TooLarge(BodyForm::kMultipart, limits);
        } else if (part == "file") {
          return file.Append(data, size);
        } else if (part == "name") {
          if (name_field.size() + size > kMaxNameFieldBytes) {
            refused = Status::InvalidArgument("the 'name' field is too long");
          } else {
            name_field.append(data, size);
          }
        }
        return refused.ok();
      });
  LAKE_RETURN_IF_ERROR(refused);
  LAKE_RETURN_IF_ERROR(EndOfRead(whole, file));
  if (!saw_file) {
    return Status::InvalidArgument("a multipart upload carries the CSV in a part named 'file'");
  }
  return DatasetName(name_field.empty() ? req.get_param_value("name") : name_field, file_name);
}

}  // namespace

// --- SpoolFile -----------------------------------------------------------------------------------

SpoolFile::SpoolFile(std::string path, std::FILE* file, uint64_t max_bytes)
    : path_(std::move(path)), file_(file), max_bytes_(max_bytes) {}

Result<std::unique_ptr<SpoolFile>> SpoolFile::Create(const std::string& dir, uint64_t max_bytes) {
  std::string path = dir + "/upload-XXXXXX.csv";
  const int fd = ::mkstemps(path.data(), 4);
  if (fd < 0) {
    return Status::IOError("cannot create a spool file in " + dir + ": " + std::strerror(errno));
  }
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    ::close(fd);
    ::unlink(path.c_str());
    return Status::IOError("cannot open spool file " + path);
  }
  std::setvbuf(file, nullptr, _IOFBF, kSpoolBufferBytes);
  return std::unique_ptr<SpoolFile>(new SpoolFile(std::move(path), file, max_bytes));
}

SpoolFile::~SpoolFile() {
  if (file_ != nullptr) std::fclose(file_);
  if (!released_) ::unlink(path_.c_str());
}

bool SpoolFile::Append(const char* data, size_t size) {
  if (!status_.ok()) return false;
  if (file_ == nullptr) {
    status_ = Status::IOError("spool file " + path_ + " is already closed");
  } else if (size > max_bytes_ - bytes_) {
    status_ = OverLimit(max_bytes_);
  } else if (std::fwrite(data, 1, size, file_) != size) {
    status_ = Status::IOError("cannot write spool file " + path_ + ": " + std::strerror(errno));
  } else {
    bytes_ += size;
  }
  return status_.ok();
}

Status SpoolFile::Finish() {
  if (file_ != nullptr) {
    const bool flushed = std::fflush(file_) == 0;
    const std::string why = std::strerror(errno);
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (status_.ok() && !(flushed && closed)) {
      status_ = Status::IOError("cannot write spool file " + path_ + ": " + why);
    }
  }
  return status_;
}

std::string SpoolFile::Release() {
  released_ = true;
  return path_;
}

// --- The route -----------------------------------------------------------------------------------

Status CheckUploadHeaders(const httplib::Request& req, const UploadLimits& limits) {
  LAKE_ASSIGN_OR_RETURN(BodyForm form, FormOf(req));
  const std::string declared = req.get_header_value("Content-Length");
  uint64_t length = 0;
  const auto [end, error] =
      std::from_chars(declared.data(), declared.data() + declared.size(), length);
  if (!declared.empty() && error == std::errc() && end == declared.data() + declared.size() &&
      length > BodyBound(form, limits)) {
    return TooLarge(form, limits);
  }
  if (form == BodyForm::kCsv) {
    if (req.get_param_value("name").empty()) {
      return Status::InvalidArgument("a text/csv upload names its dataset with ?name=NAME");
    }
    LAKE_RETURN_IF_ERROR(store::ValidateDatasetName(req.get_param_value("name")));
  }
  return Status::OK();
}

Result<SpooledUpload> SpoolUploadBody(const httplib::Request& req,
                                      const httplib::ContentReader& reader,
                                      const UploadLimits& limits) {
  if (limits.spool_dir.empty()) {
    return Status::Unavailable("this node takes no uploads (it has no spool directory)");
  }
  LAKE_RETURN_IF_ERROR(CheckUploadHeaders(req, limits));
  LAKE_ASSIGN_OR_RETURN(BodyForm form, FormOf(req));
  LAKE_ASSIGN_OR_RETURN(std::unique_ptr<SpoolFile> file,
                        SpoolFile::Create(limits.spool_dir, limits.max_upload_bytes));
  SpooledUpload upload;
  if (form == BodyForm::kCsv) {
    LAKE_RETURN_IF_ERROR(SpoolCsv(reader, *file));
    upload.name = req.get_param_value("name");
  } else if (form == BodyForm::kJson) {
    LAKE_ASSIGN_OR_RETURN(upload.name, SpoolJson(req, reader, limits, *file));
  } else {
    LAKE_ASSIGN_OR_RETURN(upload.name, SpoolMultipart(req, reader, limits, *file));
  }
  upload.file = std::move(file);
  return upload;
}

void ServeUpload(caf::actor_system& system, const actors::ChunkKeeperActor& keeper,
                 const UploadLimits& limits, std::chrono::milliseconds timeout,
                 const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& reader) {
  const auto start = std::chrono::steady_clock::now();
  Result<SpooledUpload> spooled = SpoolUploadBody(req, reader, limits);
  if (!spooled.ok()) return ReplyError(res, spooled.status());
  const uint64_t source_bytes = spooled->file->bytes();
  const std::string path = spooled->file->Release();
  Result<actors::UploadOutcome> outcome =
      Ask<actors::UploadOutcome>(system, keeper, timeout, actors::upload_atom::value,
                                 actors::UploadRequest{spooled->name, path});
  // The keeper deletes the file once done with it. Past our deadline it may still be reading it;
  // any other answer means it is done, or never got the request (it was down), so whatever is
  // left is ours to remove.
  if (outcome.status().code() != Status::Code::kTimeout) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
  if (!outcome.ok()) return ReplyError(res, outcome.status());
  if (!outcome->status.ok()) {
    json body = ErrorJson(outcome->status);
    if (outcome->line > 0) {
      body["line"] = outcome->line;
      body["column"] = outcome->column;
    }
    return Reply(res, HttpStatusOf(outcome->status.code()), body);
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const actors::UploadReceipt& receipt = outcome->receipt;
  spdlog::info("upload {} version {}: {} rows, {} CSV bytes, {} chunks in {:.0f} ms", receipt.name,
               receipt.version, receipt.rows, source_bytes, receipt.chunks, ms);
  Reply(res, 201, UploadReceiptJson(receipt, ms));
}

}  // namespace lake::gateway
