// `p2plake import`: a CSV into a local data directory, no network.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/progress_printer.h"
#include "common/task_runner.h"
#include "local/data_dir.h"
#include "local/system_clock.h"
#include "store/byte_source.h"
#include "store/importer.h"
#include "store/manifest.h"

namespace lake::cli {
namespace {

struct ImportArgs {
  std::string data_dir;
  std::string name;
  std::string file;
  size_t chunk_bytes = 1 << 20;
  size_t threads = 0;
  bool json = false;
};

// Wall time spent in each import phase, measured from the progress callbacks.
struct PhaseTimes {
  double scan = 0, encode = 0, commit = 0;
};

void PrintText(const ImportArgs& args, const store::ImportSummary& s, double seconds,
               const PhaseTimes& phases) {
  const store::Manifest& m = s.manifest;
  std::printf("imported %s (version %llu) from %s\n", m.name.c_str(),
              static_cast<unsigned long long>(m.version), args.file.c_str());
  std::printf("rows     %llu\n", static_cast<unsigned long long>(m.total_rows));
  std::printf("columns  %zu\n", m.schema.size());
  for (const Column& c : m.schema) {
    std::printf("  %-24s %s\n", c.name.c_str(), std::string(TypeName(c.type)).c_str());
  }
  std::printf("chunks   %zu (%llu new), %.1f MB encoded\n", m.chunks.size(),
              static_cast<unsigned long long>(s.new_chunks), m.total_bytes / 1e6);
  for (size_t i = 0; i < m.chunks.size(); ++i) {
    std::printf("  %4zu  %s  %8llu rows  %9llu bytes\n", i, m.chunks[i].id.ToHex().c_str(),
                static_cast<unsigned long long>(m.chunks[i].rows),
                static_cast<unsigned long long>(m.chunks[i].bytes));
  }
  std::printf("manifest %s\n", s.manifest_id.ToHex().c_str());
  std::printf("took     %.2f s, %.1f MB/s (scan %.2f s, encode and write %.2f s, commit %.2f s)\n",
              seconds, s.source_bytes / 1e6 / seconds, phases.scan, phases.encode, phases.commit);
}

void PrintJson(const store::ImportSummary& s, double seconds, const PhaseTimes& phases) {
  const store::Manifest& m = s.manifest;
  nlohmann::json out;
  out["name"] = m.name;
  out["version"] = m.version;
  out["rows"] = m.total_rows;
  out["columns"] = nlohmann::json::array();
  for (const Column& c : m.schema) {
    out["columns"].push_back({{"name", c.name}, {"type", std::string(TypeName(c.type))}});
  }
  out["chunks"] = nlohmann::json::array();
  for (const store::ChunkRef& ref : m.chunks) {
    out["chunks"].push_back({{"id", ref.id.ToHex()}, {"rows", ref.rows}, {"bytes", ref.bytes}});
  }
  out["newChunks"] = s.new_chunks;
  out["bytes"] = m.total_bytes;
  out["sourceBytes"] = s.source_bytes;
  out["manifestId"] = s.manifest_id.ToHex();
  out["seconds"] = seconds;
  out["phaseSeconds"] = {
      {"scan", phases.scan}, {"encode", phases.encode}, {"commit", phases.commit}};
  std::cout << out.dump(2) << "\n";
}

int RunImport(const ImportArgs& args) {
  auto fail = [](const std::string& message) {
    std::fprintf(stderr, "p2plake import: %s\n", message.c_str());
    return kExitFailure;
  };
  Result<std::unique_ptr<store::ByteSource>> source = store::OpenFileSource(args.file);
  if (!source.ok()) return fail(source.status().message());
  Result<std::unique_ptr<local::DataDir>> dir = local::DataDir::Open(args.data_dir);
  if (!dir.ok()) return fail(dir.status().message());
  if ((*dir)->recovered_chunks() > 0) {
    std::fprintf(stderr, "p2plake import: removed %llu chunks left by an interrupted import\n",
                 static_cast<unsigned long long>((*dir)->recovered_chunks()));
  }

  store::ImportOptions options;
  options.name = args.name.empty() ? store::DatasetNameFromFileName(args.file) : args.name;
  options.target_chunk_bytes = args.chunk_bytes;
  local::SystemClock clock;
  ThreadPool pool(WorkerThreads(args.threads));
  ProgressPrinter printer;
  store::ImportEnv env;
  env.clock = &clock;
  env.runner = &pool;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto phase_start = start;
  auto current_phase = store::ImportProgress::Phase::kScanning;
  PhaseTimes phases;
  auto phase_slot = [&](store::ImportProgress::Phase phase) -> double& {
    switch (phase) {
      case store::ImportProgress::Phase::kScanning:
        return phases.scan;
      case store::ImportProgress::Phase::kEncoding:
        return phases.encode;
      case store::ImportProgress::Phase::kCommitting:
        break;
    }
    return phases.commit;
  };
  env.progress = [&](const store::ImportProgress& p) {
    if (p.phase != current_phase) {
      const auto now = Clock::now();
      phase_slot(current_phase) = std::chrono::duration<double>(now - phase_start).count();
      phase_start = now;
      current_phase = p.phase;
    }
    printer.Update(p);
  };

  Result<store::ImportSummary> summary = store::ImportCsv(*(*dir)->store(), **source, options, env);
  const auto end = Clock::now();
  const double seconds = std::chrono::duration<double>(end - start).count();
  phase_slot(current_phase) = std::chrono::duration<double>(end - phase_start).count();
  printer.Clear();
  if (!summary.ok()) return fail(args.file + ": " + summary.status().message());
  if (args.json) {
    PrintJson(*summary, seconds, phases);
  } else {
    PrintText(args, *summary, seconds, phases);
  }
  return kExitOk;
}

}  // namespace

CommandRunner AddImportCommand(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Import a CSV file into a local data directory (no network): infers column "
      "types, cuts columnar chunks, prints rows, columns and chunks");
  cmd->add_option("--data-dir", args->data_dir, "Data directory (created if missing)")->required();
  cmd->add_option("--name", args->name, "Dataset name (default: the file name without extension)");
  cmd->add_option("--chunk-size", args->chunk_bytes, "Target encoded chunk size in bytes")
      ->default_val(1 << 20)
      ->check(CLI::Range(size_t{4096}, size_t{256} << 20));
  cmd->add_option("--threads", args->threads, "Encoding threads (default: all cores)")
      ->check(CLI::Range(0, 256));
  cmd->add_flag("--json", args->json, "Print the summary as JSON");
  cmd->add_option("file", args->file, "CSV file to import")->required()->check(CLI::ExistingFile);
  return [args] { return RunImport(*args); };
}

}  // namespace lake::cli
