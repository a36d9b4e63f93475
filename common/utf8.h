// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string_view>

namespace lake {

// Returns text.size() if `text` is valid UTF-8, else the byte offset of the first invalid sequence.
size_t FindInvalidUtf8(std::string_view text);
inline bool IsValidUtf8(std::string_view text) { return FindInvalidUtf8(text) == text.size(); }

}  // namespace lake
