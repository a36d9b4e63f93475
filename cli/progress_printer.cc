#include "cli/progress_printer.h"

#include <unistd.h>

#include <cstdio>

namespace lake::cli {
namespace {

double Percent(uint64_t done, uint64_t total) { return total == 0 ? 100.0 : 100.0 * done / total; }

std::string Format(const char* format, auto... args) {
  char line[160];
  std::snprintf(line, sizeof line, format, args...);
  return line;
}

}  // namespace

ProgressPrinter::ProgressPrinter() : enabled_(::isatty(STDERR_FILENO) == 1) {}

void ProgressPrinter::Clear() {
  if (drew_) std::fputs("\r\033[K", stderr);
  drew_ = false;
}

void ProgressPrinter::Draw(const std::string& text, bool always) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drew_ && !always && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drew_ = true;
  std::fprintf(stderr, "\r\033[K%s", text.c_str());
  std::fflush(stderr);
}

void ProgressPrinter::Update(const store::ImportProgress& progress) {
  if (!enabled_) return;
  const double percent = Percent(progress.done, progress.total);
  switch (progress.phase) {
    case store::ImportProgress::Phase::kScanning:
      return Draw(Format("scanning  %5.1f%%  %.1f / %.1f MB", percent, progress.done / 1e6,
                         progress.total / 1e6));
    case store::ImportProgress::Phase::kEncoding:
      return Draw(Format("encoding  %5.1f%%  chunk %llu / %llu", percent,
                         static_cast<unsigned long long>(progress.done),
                         static_cast<unsigned long long>(progress.total)));
    case store::ImportProgress::Phase::kCommitting:
      return Draw("committing");
  }
}

void ProgressPrinter::UpdateTransfer(uint64_t sent, uint64_t total) {
  if (!enabled_) return;
  if (sent >= total) return Draw(Format("storing   %.1f MB in the network", total / 1e6), true);
  Draw(Format("sending   %5.1f%%  %.1f / %.1f MB", Percent(sent, total), sent / 1e6, total / 1e6));
}

}  // namespace lake::cli
