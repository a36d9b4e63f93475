#include "cli/progress_printer.h"

#include <unistd.h>

#include <cstdio>

namespace lake::cli {

ProgressPrinter::ProgressPrinter() : enabled_(::isatty(STDERR_FILENO) == 1) {}

void ProgressPrinter::Clear() {
  if (drew_) std::fputs("\r\033[K", stderr);
  drew_ = false;
}

void ProgressPrinter::Update(const store::ImportProgress& progress) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drew_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drew_ = true;
  const double percent = progress.total == 0 ? 100.0 : 100.0 * progress.done / progress.total;
  switch (progress.phase) {
    case store::ImportProgress::Phase::kScanning:
      std::fprintf(stderr, "\r\033[Kscanning  %5.1f%%  %.1f / %.1f MB", percent,
                   progress.done / 1e6, progress.total / 1e6);
      break;
    case store::ImportProgress::Phase::kEncoding:
      std::fprintf(stderr, "\r\033[Kencoding  %5.1f%%  chunk %llu / %llu", percent,
                   static_cast<unsigned long long>(progress.done),
                   static_cast<unsigned long long>(progress.total));
      break;
    case store::ImportProgress::Phase::kCommitting:
      std::fputs("\r\033[Kcommitting", stderr);
      break;
  }
  std::fflush(stderr);
}

}  // namespace lake::cli
