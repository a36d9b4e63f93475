// Upload bodies into spool files, without a node: a scripted ContentReader delivering a body in
// pieces (to see where reading stops), and a bare httplib server on 127.0.0.1 whose route spools
// what real clients send (multipart and chunked), echoing the spooled file back.
#include "gateway/upload_route.h"

#include <httplib.h>
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "gateway/http_reply.h"

namespace lake::gateway {
namespace {

using nlohmann::json;

const std::string kCsv = "id,name\n1,apple\n2,\"pear, green\"\n3,plum\n";

std::string FreshSpool(const std::string& name) {
  const std::string dir =
      std::string(LAKE_BINARY_DIR) + "/test-tmp/spool-" + name + "-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

httplib::Request RequestOf(const std::string& content_type, const std::string& name = "") {
  httplib::Request req;
  req.method = "POST";
  req.path = "/api/upload";
  req.set_header("Content-Type", content_type);
  if (!name.empty()) req.params.emplace("name", name);
  return req;
}

// A multipart part as the ContentReader hands it over: its headers, then its bytes.
struct Part {
  std::string name;
  std::string filename;
  std::string content;
};

// Delivers a body (or multipart parts) `piece` bytes at a time and counts what it delivered,
// stopping when the receiver refuses a piece, as httplib's reader does.
struct ScriptedBody {
  std::string body;
  std::vector<Part> parts;
  size_t piece = 4096;
  size_t delivered = 0;

  bool Feed(const std::string& bytes, const httplib::ContentReceiver& receive) {
    for (size_t at = 0; at < bytes.size(); at += piece) {
      const size_t n = std::min(piece, bytes.size() - at);
      delivered += n;
      if (!receive(bytes.data() + at, n)) return false;
    }
    return true;
  }
  httplib::ContentReader Reader() {
    return httplib::ContentReader(
        [this](httplib::ContentReceiver receive) { return Feed(body, receive); },
        [this](httplib::MultipartContentHeader header, httplib::ContentReceiver receive) {
          for (const Part& part : parts) {
            if (!header(httplib::MultipartFormData{part.name, "", part.filename, "text/csv"}) ||
                !Feed(part.content, receive)) {
              return false;
            }
          }
          return true;
        });
  }
};

TEST_CASE("A text/csv body streams into a spool file named by ?name=", "[gateway][upload]") {
  const std::string spool = FreshSpool("csv");
  ScriptedBody body{kCsv, {}, 7};
  auto spooled =
      SpoolUploadBody(RequestOf("text/csv", "fruit"), body.Reader(), UploadLimits{spool, 1 << 20});
  REQUIRE(spooled.ok());
  CHECK(spooled->name == "fruit");
  CHECK(spooled->file->bytes() == kCsv.size());
  CHECK(ReadWhole(spooled->file->path()) == kCsv);
  CHECK(std::filesystem::path(spooled->file->path()).parent_path() == spool);
  const std::string path = spooled->file->path();
  spooled->file.reset();  // not released: the file goes with it
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("A body past maxUploadBytes stops being read at the bound and leaves no file",
          "[gateway][upload]") {
  const std::string spool = FreshSpool("bound");
  const UploadLimits limits{spool, 10 * 1024};
  ScriptedBody raw{std::string(1 << 20, 'x'), {}, 4096};
  auto refused = SpoolUploadBody(RequestOf("text/csv", "big"), raw.Reader(), limits);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().IsResourceExhausted());
  CHECK(HttpStatusOf(refused.status().code()) == 413);
  CHECK(raw.delivered <= limits.max_upload_bytes + raw.piece);  // not the whole megabyte
  CHECK(std::filesystem::is_empty(spool));

  ScriptedBody multipart{"", {{"file", "big.csv", std::string(1 << 20, 'x')}}, 4096};
  refused =
      SpoolUploadBody(RequestOf("multipart/form-data; boundary=b"), multipart.Reader(), limits);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().IsResourceExhausted());
  CHECK(multipart.delivered <= limits.max_upload_bytes + multipart.piece);
  CHECK(std::filesystem::is_empty(spool));

  // Declared up front, it is refused before any byte is read.
  httplib::Request declared = RequestOf("text/csv", "big");
  declared.set_header("Content-Length", std::to_string(limits.max_upload_bytes + 1));
  CHECK(CheckUploadHeaders(declared, limits).IsResourceExhausted());
  ScriptedBody unread{std::string(20 * 1024, 'x'), {}, 4096};
  CHECK(SpoolUploadBody(declared, unread.Reader(), limits).status().IsResourceExhausted());
  CHECK(unread.delivered == 0);
  CHECK(std::filesystem::is_empty(spool));
}

TEST_CASE("A multipart body spools its file part, named by a name part or else by the file",
          "[gateway][upload]") {
  const std::string spool = FreshSpool("multipart");
  const UploadLimits limits{spool, 1 << 20};
  ScriptedBody named{"", {{"name", "", "orchard"}, {"file", "fruit-2024.csv", kCsv}}, 5};
  auto spooled =
      SpoolUploadBody(RequestOf("multipart/form-data; boundary=b"), named.Reader(), limits);
  REQUIRE(spooled.ok());
  CHECK(spooled->name == "orchard");
  CHECK(ReadWhole(spooled->file->path()) == kCsv);

  ScriptedBody unnamed{"", {{"note", "", "ignored"}, {"file", "dir/fruit-2024.csv", kCsv}}, 5};
  spooled = SpoolUploadBody(RequestOf("multipart/form-data; boundary=b"), unnamed.Reader(), limits);
  REQUIRE(spooled.ok());
  CHECK(spooled->name == "fruit_2024");
  CHECK(ReadWhole(spooled->file->path()) == kCsv);
  spooled->file.reset();

  ScriptedBody no_file{"", {{"name", "", "orchard"}}, 5};
  auto refused =
      SpoolUploadBody(RequestOf("multipart/form-data; boundary=b"), no_file.Reader(), limits);
  CHECK(refused.status().IsInvalidArgument());
  CHECK(std::filesystem::is_empty(spool));
}

TEST_CASE("A JSON body is the original app's {filename, data, metadata}", "[gateway][upload]") {
  const std::string spool = FreshSpool("json");
  const UploadLimits limits{spool, 1 << 20};
  auto spool_json = [&](const json& body) {
    ScriptedBody scripted{body.dump(), {}, 11};
    return SpoolUploadBody(RequestOf("application/json"), scripted.Reader(), limits);
  };
  auto by_file = spool_json({{"filename", "fruit.csv"}, {"data", kCsv}});
  REQUIRE(by_file.ok());
  CHECK(by_file->name == "fruit");
  CHECK(ReadWhole(by_file->file->path()) == kCsv);
  by_file->file.reset();

  auto by_metadata =
      spool_json({{"filename", "fruit.csv"}, {"data", kCsv}, {"metadata", {{"name", "crop"}}}});
  REQUIRE(by_metadata.ok());
  CHECK(by_metadata->name == "crop");
  by_metadata->file.reset();

  CHECK(spool_json({{"filename", "fruit.csv"}}).status().IsInvalidArgument());
  CHECK(spool_json({{"data", kCsv}}).status().IsInvalidArgument());
  CHECK(spool_json({{"data", kCsv}, {"metadata", {{"name", "bad-name"}}}})
            .status()
            .IsInvalidArgument());
  ScriptedBody not_json{"id,name\n1,x\n", {}, 11};
  CHECK(SpoolUploadBody(RequestOf("application/json"), not_json.Reader(), limits)
            .status()
            .IsInvalidArgument());
  CHECK(std::filesystem::is_empty(spool));
}

TEST_CASE("Headers alone refuse an unknown body type and a text/csv upload without a good name",
          "[gateway][upload]") {
  const UploadLimits limits{"/nonexistent", 1 << 20};
  CHECK(CheckUploadHeaders(RequestOf("text/csv", "fruit"), limits).ok());
  CHECK(CheckUploadHeaders(RequestOf("Text/CSV; charset=utf-8", "fruit"), limits).ok());
  CHECK(CheckUploadHeaders(RequestOf("image/png", "fruit"), limits).code() ==
        Status::Code::kUnsupported);
  CHECK(CheckUploadHeaders(RequestOf("text/csv"), limits).IsInvalidArgument());
  CHECK(CheckUploadHeaders(RequestOf("text/csv", "1fruit"), limits).IsInvalidArgument());
  // The JSON form is parsed in memory, so its bound is lower than a large maxUploadBytes.
  httplib::Request json_req = RequestOf("application/json");
  json_req.set_header("Content-Length", std::to_string(kMaxJsonBodyBytes + 1));
  CHECK(CheckUploadHeaders(json_req, UploadLimits{"/nonexistent", uint64_t{1} << 40})
            .IsResourceExhausted());
  ScriptedBody body{kCsv, {}, 7};
  CHECK(SpoolUploadBody(RequestOf("text/csv", "fruit"), body.Reader(), UploadLimits{})
            .status()
            .code() == Status::Code::kUnavailable);
}

TEST_CASE("Real clients' multipart and chunked bodies arrive whole in the spool file",
          "[gateway][upload][net]") {
  const std::string spool = FreshSpool("server");
  httplib::Server server;
  server.Post("/api/upload", [&](const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& reader) {
    auto spooled = SpoolUploadBody(req, reader, UploadLimits{spool, 1 << 20});
    if (!spooled.ok()) return ReplyError(res, spooled.status());
    Reply(res, 200, json{{"name", spooled->name}, {"csv", ReadWhole(spooled->file->path())}});
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread serving([&] { server.listen_after_bind(); });
  httplib::Client client("127.0.0.1", port);

  // Large enough to span many of the server's reads.
  std::string csv = "id,word\n";
  for (int i = 0; i < 20000; ++i) csv += std::to_string(i) + ",w" + std::to_string(i * 7) + "\n";

  auto multipart = client.Post(
      "/api/upload", httplib::MultipartFormDataItems{{"name", "words", "", ""},
                                                     {"file", csv, "words.csv", "text/csv"}});
  REQUIRE(multipart);
  CHECK(multipart->status == 200);
  const json from_multipart = json::parse(multipart->body);
  CHECK(from_multipart["name"] == "words");
  CHECK(from_multipart["csv"] == csv);

  auto chunked = client.Post(
      "/api/upload?name=chunky",
      [&](size_t offset, httplib::DataSink& sink) {
        const size_t n = std::min<size_t>(1000, csv.size() - offset);
        sink.write(csv.data() + offset, n);
        if (offset + n == csv.size()) sink.done();
        return true;
      },
      "text/csv");
  REQUIRE(chunked);
  CHECK(chunked->status == 200);
  const json from_chunks = json::parse(chunked->body);
  CHECK(from_chunks["name"] == "chunky");
  CHECK(from_chunks["csv"] == csv);

  server.stop();
  serving.join();
  CHECK(std::filesystem::is_empty(spool));
}

}  // namespace
}  // namespace lake::gateway
