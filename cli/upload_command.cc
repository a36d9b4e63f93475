// `p2plake upload`: a CSV file streamed to a node's POST /api/upload (text/csv, ?name=), which
// stores it as a dataset in the network. The file is read in pieces, never whole.
#include <httplib.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/node_client.h"
#include "cli/progress_printer.h"
#include "store/manifest.h"

namespace lake::cli {
namespace {

using nlohmann::json;

constexpr size_t kPieceBytes = size_t{1} << 20;

struct UploadArgs {
  std::string node = "http://127.0.0.1:3000";
  std::string token;
  std::string name;
  std::string file;
  bool json = false;
  int timeout_s = 3600;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "p2plake upload: %s\n", message.c_str());
  return kExitFailure;
}

void PrintSummary(const UploadArgs& args, const json& r, uint64_t file_bytes, double seconds) {
  std::printf("uploaded %s (version %llu) to %s\n", r.value("name", "").c_str(),
              r.value("version", 0ull), args.node.c_str());
  std::printf("rows      %llu\n", r.value("rows", 0ull));
  std::printf("columns   %zu\n", r["columns"].size());
  for (const json& column : r["columns"]) {
    std::printf("  %-24s %s\n", column.value("name", "").c_str(), column.value("type", "").c_str());
  }
  std::printf("chunks    %llu, %.1f MB encoded\n", r.value("chunks", 0ull),
              r.value("bytes", 0ull) / 1e6);
  const json& replicas = r["replicas"];
  std::printf("replicas  %u of %u on every chunk (%s)\n", replicas.value("min", 0u),
              replicas.value("target", 0u), r.value("replicationStatus", "").c_str());
  std::printf("took      %.2f s, %.1f MB/s\n", seconds, file_bytes / 1e6 / seconds);
}

// One line for a refused upload: a CSV error says where ("line L, column C: ...").
int FailWithAnswer(const httplib::Response& res) {
  const json body = json::parse(res.body, nullptr, /*allow_exceptions=*/false);
  if (res.status == 401 || !body.is_object() || !body.contains("error")) {
    return Fail(RefusalOf(res));
  }
  std::string message = body.value("error", "");
  if (body.contains("line") && body["line"].is_number() && body["column"].is_number()) {
    const std::string where = "line " + std::to_string(body["line"].get<uint64_t>()) + ", column " +
                              std::to_string(body["column"].get<uint64_t>());
    if (message.rfind(where, 0) != 0) message = where + ": " + message;
  }
  return Fail("error: " + message + " (HTTP " + std::to_string(res.status) + ")");
}

int RunUpload(const UploadArgs& args) {
  const std::string name =
      args.name.empty() ? store::DatasetNameFromFileName(args.file) : args.name;
  if (Status bad = store::ValidateDatasetName(name); !bad.ok()) {
    std::fprintf(stderr, "p2plake upload: --name: %s\n", bad.message().c_str());
    return kExitUsage;
  }
  const std::unique_ptr<httplib::Client> client = NodeClient(args.node, args.token);
  if (client == nullptr) {
    std::fprintf(stderr, "p2plake upload: not a node URL: %s\n", args.node.c_str());
    return kExitUsage;
  }
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(args.file, ec);
  std::ifstream in(args.file, std::ios::binary);
  if (ec || !in) return Fail("cannot read " + args.file);

  // A node that refuses the file closes the connection while it is being sent: that must be a
  // failed write (reported below), not a SIGPIPE ending the process.
  std::signal(SIGPIPE, SIG_IGN);
  client->set_connection_timeout(10, 0);
  client->set_write_timeout(60, 0);
  client->set_read_timeout(args.timeout_s, 0);  // the node answers once the upload is stored
  ProgressPrinter progress;
  std::vector<char> piece(kPieceBytes);
  bool read_failed = false;  // the file shrank or could not be read
  bool send_failed = false;  // the node closed the connection
  // Sent with its length, so a node that takes no file this large refuses it before the body.
  auto provider = [&](size_t offset, size_t length, httplib::DataSink& sink) {
    in.read(piece.data(), static_cast<std::streamsize>(std::min(length, piece.size())));
    const size_t got = static_cast<size_t>(in.gcount());
    read_failed = got == 0;
    send_failed = !read_failed && !sink.write(piece.data(), got);
    if (read_failed || send_failed) return false;
    progress.UpdateTransfer(offset + got, size);
    return true;
  };
  const auto start = std::chrono::steady_clock::now();
  httplib::Result res =
      client->Post(("/api/upload?name=" + name).c_str(), size, provider, "text/csv");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.Clear();
  if (read_failed) return Fail("cannot read " + args.file + " (did it change while being sent?)");
  // The node refused before reading the file (its answer is lost with the connection): too large,
  // or, when no token was given, perhaps a node that wants one.
  if (send_failed || (!res && res.error() == httplib::Error::Write)) {
    const std::string token_hint =
        args.token.empty() ? ", or does the node require a token: --token or P2PLAKE_TOKEN" : "";
    return Fail("the node at " + args.node + " closed the connection while " + args.file +
                " was being sent (is it larger than the node's storage.maxUploadBytes" +
                token_hint + "?)");
  }
  if (!res) return Fail("cannot reach " + args.node + ": " + httplib::to_string(res.error()));
  if (res->status != 201) return FailWithAnswer(*res);
  const json body = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return Fail("the node answered 201 with no JSON: " + res->body);
  if (args.json) {
    std::cout << body.dump(2) << "\n";
  } else {
    PrintSummary(args, body, size, seconds);
  }
  return kExitOk;
}

}  // namespace

CommandRunner AddUploadCommand(CLI::App& app) {
  auto args = std::make_shared<UploadArgs>();
  CLI::App* cmd = app.add_subcommand(
      "upload",
      "Upload a CSV file to a node, which stores it as a dataset replicated across the network; "
      "prints rows, typed columns, chunks and replicas");
  cmd->add_option("--node", args->node, "the node's HTTP URL")->capture_default_str();
  AddTokenOption(*cmd, &args->token);
  cmd->add_option("--name", args->name, "Dataset name (default: the file name without extension)");
  cmd->add_flag("--json", args->json, "Print the node's JSON answer");
  cmd->add_option("--timeout", args->timeout_s, "seconds to wait for the node to store the file")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  cmd->add_option("file", args->file, "CSV file to upload")->required()->check(CLI::ExistingFile);
  return [args] { return RunUpload(*args); };
}

}  // namespace lake::cli
