// ProgressPrinter: shows an import's progress on stderr, only when stderr is a terminal (so logs
// and pipes stay clean). One line, rewritten in place.
#pragma once

#include <chrono>
#include <string>

#include "store/importer.h"

namespace lake::cli {

class ProgressPrinter {
 public:
  ProgressPrinter();
  void Update(const store::ImportProgress& progress);
  // Erases the progress line, so what follows starts on a clean line.
  void Clear();

 private:
  const bool enabled_;
  bool drew_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace lake::cli
