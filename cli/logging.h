// Node logs: one spdlog logger, the default one, writing to stderr and to a file in the data
// directory (rotated at 16 MiB, 3 files kept). Everything in actors/ and gateway/ logs through
// spdlog's free functions; the pure modules never log, they return what happened.
#pragma once

#include <string>

#include "common/status.h"

namespace lake::cli {

// Installs the default logger. `level` is one of trace, debug, info, warn, error, off.
// An empty `file` logs to stderr only.
Status InitLogging(const std::string& level, const std::string& file);

}  // namespace lake::cli
