// The dashboard's files (web/*), compiled into the binary: cmake/EmbedAssets.cmake generates the
// table at build time from the source tree, so a node serves its page without any file on disk.
// Thread-safety: the table is immutable once built (a function-local static).
#pragma once

#include <string_view>
#include <vector>

namespace lake::gateway {

struct EmbeddedAsset {
  std::string_view path;   // "/index.html": the file's name under web/
  std::string_view bytes;  // the file's content
  std::string_view etag;   // quoted, from the content's SHA-256: changes when the file does
};

// Every file of web/, sorted by path.
const std::vector<EmbeddedAsset>& DashboardAssets();

}  // namespace lake::gateway
