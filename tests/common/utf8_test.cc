#include "common/utf8.h"

#include <string>
#include <string_view>

#include <catch2/catch.hpp>

namespace lake {
namespace {

TEST_CASE("IsValidUtf8 accepts ASCII, the empty string and NUL", "[common][utf8]") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain ascii, long enough for the eight-byte fast path"));
  CHECK(IsValidUtf8(std::string_view("a\0b", 3)));
  CHECK(FindInvalidUtf8("abc") == 3);
}

TEST_CASE("IsValidUtf8 accepts well-formed 2, 3 and 4 byte sequences", "[common][utf8]") {
  CHECK(IsValidUtf8("\xC2\x80"));          // U+0080, smallest 2-byte
  CHECK(IsValidUtf8("caf\xC3\xA9"));       // é
  CHECK(IsValidUtf8("\xDF\xBF"));          // U+07FF, largest 2-byte
  CHECK(IsValidUtf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
  CHECK(IsValidUtf8("\xE2\x82\xAC"));      // €
  CHECK(IsValidUtf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  CHECK(IsValidUtf8("\xEE\x80\x80"));      // U+E000, just above the surrogates
  CHECK(IsValidUtf8("\xEF\xBF\xBF"));      // U+FFFF
  CHECK(IsValidUtf8("\xF0\x90\x80\x80"));  // U+10000, smallest 4-byte
  CHECK(IsValidUtf8("\xF0\x9F\x98\x80"));  // 😀
  CHECK(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  CHECK(IsValidUtf8("Zürich – naïve café 日本語 😀"));
}

TEST_CASE("IsValidUtf8 rejects overlong encodings", "[common][utf8]") {
  CHECK(FindInvalidUtf8("\xC0\xAF") == 0);          // '/' in 2 bytes
  CHECK(FindInvalidUtf8("\xC1\xBF") == 0);          // U+007F in 2 bytes
  CHECK(FindInvalidUtf8("\xE0\x80\xAF") == 0);      // '/' in 3 bytes
  CHECK(FindInvalidUtf8("\xE0\x9F\xBF") == 0);      // U+07FF in 3 bytes
  CHECK(FindInvalidUtf8("\xF0\x80\x80\xAF") == 0);  // '/' in 4 bytes
  CHECK(FindInvalidUtf8("\xF0\x8F\xBF\xBF") == 0);  // U+FFFF in 4 bytes
}

TEST_CASE("IsValidUtf8 rejects surrogates and code points above U+10FFFF", "[common][utf8]") {
  CHECK(FindInvalidUtf8("\xED\xA0\x80") == 0);      // U+D800
  CHECK(FindInvalidUtf8("\xED\xBF\xBF") == 0);      // U+DFFF
  CHECK(FindInvalidUtf8("\xF4\x90\x80\x80") == 0);  // U+110000
  CHECK(FindInvalidUtf8("\xF7\xBF\xBF\xBF") == 0);
}

TEST_CASE("IsValidUtf8 rejects stray, truncated and impossible bytes", "[common][utf8]") {
  CHECK(FindInvalidUtf8("\x80") == 0);  // continuation without a lead
  CHECK(FindInvalidUtf8("\xBF") == 0);
  CHECK(FindInvalidUtf8("\xC3") == 0);  // truncated at the end of input
  CHECK(FindInvalidUtf8("\xE2\x82") == 0);
  CHECK(FindInvalidUtf8("\xF0\x9F\x98") == 0);
  CHECK(FindInvalidUtf8("\xE2\x28\xA1") == 0);  // second byte is not a continuation
  CHECK(FindInvalidUtf8("\xF0\x9F\x98"
                        "a") == 0);                     // fourth byte is ASCII
  CHECK(FindInvalidUtf8("\xF8\x88\x80\x80\x80") == 0);  // 5-byte form
  CHECK(FindInvalidUtf8("\xFE") == 0);
  CHECK(FindInvalidUtf8("\xFF") == 0);
}

TEST_CASE("FindInvalidUtf8 returns the offset of the first invalid sequence", "[common][utf8]") {
  CHECK(FindInvalidUtf8("abc\xC0\xAF"
                        "def") == 3);
  CHECK(FindInvalidUtf8("h\xC3\xA9llo\xED\xA0\x80") == 6);
  CHECK(FindInvalidUtf8("\xF0\x9F\x98\x80\xF0\x9F\x98") == 4);  // a whole emoji, then a cut one
  CHECK(FindInvalidUtf8("ok\xFFthen\xFF") == 2);                // the first of two
  CHECK(FindInvalidUtf8("0123456789abcdef\xE2\x82") == 16);     // after two fast-path words
}

TEST_CASE("FindInvalidUtf8 finds a bad byte at every position around the fast path",
          "[common][utf8]") {
  for (size_t prefix = 0; prefix < 24; ++prefix) {
    for (size_t suffix : {size_t{0}, size_t{1}, size_t{9}}) {
      std::string text(prefix, 'x');
      text += '\x80';
      text += std::string(suffix, 'y');
      INFO("prefix " << prefix << ", suffix " << suffix);
      CHECK(FindInvalidUtf8(text) == prefix);
    }
  }
  // A valid multi-byte character at every position is never flagged.
  for (size_t prefix = 0; prefix < 24; ++prefix) {
    std::string text(prefix, 'x');
    text += "\xF0\x9F\x98\x80";
    text += std::string(10, 'z');
    INFO("prefix " << prefix);
    CHECK(IsValidUtf8(text));
  }
}

}  // namespace
}  // namespace lake
