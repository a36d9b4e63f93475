// POST /api/upload: the request body in any of its three forms streamed to a spool file of the
// data directory, then handed to the chunk keeper, which stores it as a dataset and deletes the
// file. The forms: JSON {filename, data, metadata?} (the original app's, read whole, so capped at
// kMaxJsonBodyBytes); raw CSV (Content-Type text/csv, ?name=NAME); multipart/form-data with a
// `file` part and an optional `name` part. Only the JSON form ever holds the body in memory.
// Thread-safety: free functions and a SpoolFile per request; any handler thread may call them.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "actors/interfaces.h"
#include "common/result.h"

namespace httplib {
class ContentReader;
struct Request;
struct Response;
}  // namespace httplib

namespace lake::gateway {

// The JSON form's body is parsed in memory, so it is bounded below maxUploadBytes.
inline constexpr uint64_t kMaxJsonBodyBytes = uint64_t{64} << 20;

struct UploadLimits {
  std::string spool_dir;          // where bodies are spooled; "" refuses uploads (Unavailable)
  uint64_t max_upload_bytes = 0;  // the most body bytes (multipart: part bytes) one upload carries
};

// One spooled body: a file (spool_dir/upload-XXXXXX.csv) that accepts at most `max_bytes`.
// Deleted when this object goes unless Release()d to the keeper. One request's thread owns it.
class SpoolFile {
 public:
  static Result<std::unique_ptr<SpoolFile>> Create(const std::string& dir, uint64_t max_bytes);
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;
  ~SpoolFile();

  // Appends `size` bytes. False once the bound would be passed (ResourceExhausted) or a write
  // failed (IOError): status() says which, and every later Append is refused too.
  bool Append(const char* data, size_t size);
  // Flushes and closes the file; the first error seen so far, if any.
  Status Finish();
  // Gives the file up (it is no longer deleted here); returns its path.
  std::string Release();

  const std::string& path() const { return path_; }
  uint64_t bytes() const { return bytes_; }
  const Status& status() const { return status_; }

 private:
  SpoolFile(std::string path, std::FILE* file, uint64_t max_bytes);

  std::string path_;
  std::FILE* file_;  // null once closed
  const uint64_t max_bytes_;
  uint64_t bytes_ = 0;
  Status status_;
  bool released_ = false;
};

// An upload's body, spooled: the dataset name it asked for (already validated) and its CSV.
struct SpooledUpload {
  std::string name;
  std::unique_ptr<SpoolFile> file;  // finished: complete and closed
};

// What the headers alone refuse, so the answer comes before any of the body is read (also for
// `Expect: 100-continue`): an unknown Content-Type (Unsupported), a text/csv upload without a
// valid ?name= (InvalidArgument), a declared Content-Length over the form's bound
// (ResourceExhausted).
Status CheckUploadHeaders(const httplib::Request& req, const UploadLimits& limits);

// Reads req's body through `reader` in whichever form its Content-Type names into a new spool
// file. Stops reading as soon as the body passes its bound (ResourceExhausted) or proves malformed
// (InvalidArgument: not JSON, no `file` part, a bad or missing dataset name...); on any error the
// spool file is already gone.
Result<SpooledUpload> SpoolUploadBody(const httplib::Request& req,
                                      const httplib::ContentReader& reader,
                                      const UploadLimits& limits);

// The whole route: spools the body, asks the keeper to store it (waiting up to `timeout`) and
// answers 201 with the receipt, or the error (a malformed CSV: 400 with its line and column).
void ServeUpload(caf::actor_system& system, const actors::ChunkKeeperActor& keeper,
                 const UploadLimits& limits, std::chrono::milliseconds timeout,
                 const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& reader);

}  // namespace lake::gateway
