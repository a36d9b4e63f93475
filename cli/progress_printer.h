// ProgressPrinter: shows an import's or an upload's progress on stderr, only when stderr is a
// terminal (so logs and pipes stay clean). One line, rewritten in place at most every 100 ms.
// Thread-safety: none; one command's thread uses it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "store/importer.h"

namespace lake::cli {

class ProgressPrinter {
 public:
  ProgressPrinter();
  void Update(const store::ImportProgress& progress);
  // An upload: `sent` of `total` bytes on their way; once all are sent, the node is storing them.
  void UpdateTransfer(uint64_t sent, uint64_t total);
  // Erases the progress line, so what follows starts on a clean line.
  void Clear();

 private:
  // Replaces the line with `text`; skipped if the last draw is under 100 ms old, unless `always`.
  void Draw(const std::string& text, bool always = false);

  const bool enabled_;
  bool drew_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace lake::cli
