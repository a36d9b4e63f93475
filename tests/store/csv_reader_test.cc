#include "store/csv_reader.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "store/byte_source.h"

namespace lake::store {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// Block sizes small enough that quotes, "" escapes and CRLFs straddle block boundaries, and the
// default. GENERATE must be expanded inside each test case, hence a macro.
#define ANY_BLOCK_SIZE() GENERATE(as<size_t>{}, 4, 7, 64, 1 << 20)

// Reads every record; REQUIREs success.
Rows ReadAll(const std::string& bytes, CsvOptions options) {
  MemorySource source(bytes);
  CsvReader reader(source, 0, 1, options);
  Rows rows;
  std::vector<std::string_view> fields;
  while (true) {
    Result<bool> next = reader.Next(&fields);
    INFO((next.ok() ? std::string("ok") : next.status().ToString()));
    REQUIRE(next.ok());
    if (!*next) break;
    rows.emplace_back(fields.begin(), fields.end());
  }
  return rows;
}

struct CsvError {
  Status status;
  CsvPosition position;
  size_t records_before = 0;  // records returned before the error
};

// Reads until the first error; REQUIREs that there is one. With `expected_fields` > 0, the field
// count is fixed after the first record (the header), as the importer does.
CsvError ReadUntilError(const std::string& bytes, CsvOptions options, size_t expected_fields = 0) {
  MemorySource source(bytes);
  CsvReader reader(source, 0, 1, options);
  std::vector<std::string_view> fields;
  CsvError error;
  while (true) {
    Result<bool> next = reader.Next(&fields);
    if (!next.ok()) {
      error.status = next.status();
      error.position = reader.error_position();
      return error;
    }
    REQUIRE(*next);  // the input must not end without an error
    if (expected_fields != 0) reader.set_expected_fields(expected_fields);
    ++error.records_before;
  }
}

void CheckErrorAt(const CsvError& error, uint64_t line, uint64_t column, std::string_view what) {
  INFO(error.status.ToString());
  CHECK(error.status.IsInvalidArgument());
  const std::string prefix =
      "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  CHECK(error.status.message().rfind(prefix, 0) == 0);
  CHECK(error.status.message().find(what) != std::string::npos);
  CHECK(error.position.line == line);
  CHECK(error.position.column == column);
}

TEST_CASE("CsvReader keeps commas and newlines inside quoted fields", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  const Rows rows = ReadAll("a,\"x, y\",c\n\"multi\nline\n\",\"\",z\n", options);
  CHECK(rows == Rows{{"a", "x, y", "c"}, {"multi\nline\n", "", "z"}});
}

TEST_CASE("CsvReader un-escapes doubled quotes across block boundaries", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  const Rows rows = ReadAll(
      "\"\"\"\",\"a\"\"b\"\"c\",\"end\"\"\"\n\"\"\"\"\"\",x\"y,\"two\n\"\"lines\"\"\"\n", options);
  CHECK(rows == Rows{{"\"", "a\"b\"c", "end\""}, {"\"\"", "x\"y", "two\n\"lines\""}});
}

TEST_CASE("CsvReader accepts CRLF line ends, also after quoted fields", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  const Rows rows = ReadAll("id,name\r\n1,\"a\r\nb\"\r\n2,\"q\"\r\n3,last\r\n", options);
  CHECK(rows == Rows{{"id", "name"}, {"1", "a\r\nb"}, {"2", "q"}, {"3", "last"}});
}

TEST_CASE("CsvReader skips a leading UTF-8 byte-order mark", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  CHECK(ReadAll("\xEF\xBB\xBFid,name\n1,x\n", options) == Rows{{"id", "name"}, {"1", "x"}});
  CHECK(ReadAll("\xEF\xBB\xBF\"id\",name\n", options) == Rows{{"id", "name"}});
  CHECK(ReadAll("\xEF\xBB\xBF", options).empty());
}

TEST_CASE("CsvReader skips blank lines and counts them as lines", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  //                          line 1  2  3      4  5    6      7
  const std::string bytes = "\n\na,b\n\n\r\nc,d\n\n";
  MemorySource source(bytes);
  CsvReader reader(source, 0, 1, options);
  std::vector<std::string_view> fields;
  Result<bool> next = reader.Next(&fields);
  REQUIRE((next.ok() && *next));
  CHECK(fields == std::vector<std::string_view>{"a", "b"});
  CHECK(reader.record_line() == 3);
  CHECK(reader.record_offset() == 2);
  next = reader.Next(&fields);
  REQUIRE((next.ok() && *next));
  CHECK(fields == std::vector<std::string_view>{"c", "d"});
  CHECK(reader.record_line() == 6);
  CHECK(reader.record_offset() == 9);
  next = reader.Next(&fields);
  REQUIRE(next.ok());
  CHECK_FALSE(*next);
  CHECK(reader.consumed() == bytes.size());
}

TEST_CASE("CsvReader reads a last line without a newline", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  CHECK(ReadAll("a,b\nc,d", options) == Rows{{"a", "b"}, {"c", "d"}});
  CHECK(ReadAll("a,b\n\"c\",\"d,e\"", options) == Rows{{"a", "b"}, {"c", "d,e"}});
  CHECK(ReadAll("a,", options) == Rows{{"a", ""}});
  CHECK(ReadAll("x", options) == Rows{{"x"}});
  CHECK(ReadAll("", options).empty());
}

TEST_CASE("CsvReader reads quoted empty fields as empty strings", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  CHECK(ReadAll("\"\",x,\"\"\n,\"\",\n", options) == Rows{{"", "x", ""}, {"", "", ""}});
}

TEST_CASE("CsvReader keeps a quote inside an unquoted field as data", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  CHECK(ReadAll("a\"b,5\" screen\n", options) == Rows{{"a\"b", "5\" screen"}});
}

TEST_CASE("CsvReader reports record offsets and lines of multi-line records", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  const std::string bytes = "\xEF\xBB\xBFh1,h2\n\"x\ny\nz\",1\nlast,2\n";
  MemorySource source(bytes);
  CsvReader reader(source, 0, 1, options);
  std::vector<std::string_view> fields;
  const uint64_t expected_offsets[] = {3, 9, 19};  // the BOM counts as source bytes
  const uint64_t expected_lines[] = {1, 2, 5};
  for (int i = 0; i < 3; ++i) {
    Result<bool> next = reader.Next(&fields);
    REQUIRE((next.ok() && *next));
    CHECK(reader.record_offset() == expected_offsets[i]);
    CHECK(reader.record_line() == expected_lines[i]);
  }
  CHECK(reader.consumed() == bytes.size());
}

TEST_CASE("CsvReader can start at a record boundary in the middle of a file", "[store][csv]") {
  const std::string bytes = "h1,h2\n\"a\nb\",1\nc,2\n";
  MemorySource source(bytes);
  CsvReader reader(source, 6, 2, CsvOptions{.block_bytes = 5});
  std::vector<std::string_view> fields;
  Result<bool> next = reader.Next(&fields);
  REQUIRE((next.ok() && *next));
  CHECK(fields == std::vector<std::string_view>{"a\nb", "1"});
  CHECK(reader.record_offset() == 6);
  CHECK(reader.record_line() == 2);
  next = reader.Next(&fields);
  REQUIRE((next.ok() && *next));
  CHECK(fields == std::vector<std::string_view>{"c", "2"});
  CHECK(reader.record_line() == 4);
}

TEST_CASE("CsvReader rejects a row with more fields than the header", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  const CsvError error = ReadUntilError("a,b\n1,2\n3,4,5\n", options, 2);
  CHECK(error.records_before == 2);
  CheckErrorAt(error, 3, 3, "ragged row");
}

TEST_CASE("CsvReader rejects a row with fewer fields than the header", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  const CsvError error = ReadUntilError("a,b,c\n1,2,3\n\n4,5\n", options, 3);
  CHECK(error.records_before == 2);
  // The column named is the first one missing.
  CheckErrorAt(error, 4, 3, "ragged row");
}

TEST_CASE("CsvReader rejects an unterminated quoted field", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  const CsvError error = ReadUntilError("a,b\n1,\"open\nstill open\n", options);
  CHECK(error.records_before == 1);
  CheckErrorAt(error, 2, 2, "unterminated");
}

TEST_CASE("CsvReader rejects invalid UTF-8 and names the field", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  SECTION("unquoted") {
    CheckErrorAt(ReadUntilError("a,b\nok,bad\xC0\xAF\n", options), 2, 2, "UTF-8");
  }
  SECTION("after a multi-line quoted field") {
    CheckErrorAt(ReadUntilError("a,b\n\"p\nq\",\xFF\n", options), 3, 2, "UTF-8");
  }
  SECTION("a truncated sequence at the end of the input") {
    CheckErrorAt(ReadUntilError("a,b,c\nx,y,\xE2\x82", options), 2, 3, "UTF-8");
  }
}

TEST_CASE("CsvReader rejects a NUL byte", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  CheckErrorAt(ReadUntilError(std::string("a,b\nc,d\0e\n", 10), options), 2, 2, "NUL");
  CheckErrorAt(ReadUntilError(std::string("a,\"x\0\"\n", 7), options), 1, 2, "NUL");
}

TEST_CASE("CsvReader rejects a character after a closing quote", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  CheckErrorAt(ReadUntilError("a,b\n\"x\"y,z\n", options), 2, 1, "after closing quote");
  // The position is where the stray character is: line 3, after the quoted newline.
  CheckErrorAt(ReadUntilError("a,b\nk,\"p\nq\" \n", options), 3, 2, "after closing quote");
}

TEST_CASE("CsvReader rejects a record longer than max_record_bytes", "[store][csv]") {
  SECTION("a 10 MB field with the default 8 MiB limit") {
    CsvOptions options;
    options.block_bytes = GENERATE(size_t{64}, size_t{1} << 20);
    REQUIRE(options.max_record_bytes == size_t{8} << 20);
    const std::string bytes = "a,b\nx," + std::string(10'000'000, 'y') + "\n";
    CheckErrorAt(ReadUntilError(bytes, options), 2, 2, "record longer than");
  }
  SECTION("a small limit, an unquoted and a quoted field") {
    CsvOptions options;
    options.block_bytes = 4;
    options.max_record_bytes = 32;
    const std::string small = "1,2\n";
    CHECK(ReadAll(small + "ok,\"fits in 32 bytes\"\n", options).size() == 2);
    CheckErrorAt(ReadUntilError(small + "a,b," + std::string(40, 'z') + "\n", options), 2, 3,
                 "record longer than");
    CheckErrorAt(ReadUntilError(small + "\"" + std::string(40, 'q') + "\"\n", options), 2, 1,
                 "record longer than");
  }
}

// The bytes gen_data.py writes to tricky.csv (csv.writer, QUOTE_MINIMAL, CRLF line ends, plus a
// hand-written row with a quoted empty field). Inner newlines of quoted fields stay LF.
const std::string kTrickyCsv = R"(id,label,note,qty,price)"
                               "\r\n"
                               R"(1,plain,simple,1,1.50)"
                               "\r\n"
                               R"(2,"comma, inside","a,b,c",2,2.00)"
                               "\r\n"
                               R"(3,"quote ""inside""","she said ""hi"", then left",3,)"
                               "\r\n"
                               R"(4,"multi)"
                               "\n"
                               R"(line","line1)"
                               "\n"
                               R"(line2)"
                               "\n"
                               R"(line3",4,4.25)"
                               "\r\n"
                               R"(5,,empty label and qty,,5.10)"
                               "\r\n"
                               R"(6,unicode,Zürich – naïve café 日本語 😀,6,6.00)"
                               "\r\n"
                               R"(7,  spaces  ,trailing space ,7,7.75)"
                               "\r\n"
                               "8,semi;colon|pipe,tab\there,-8,-8.99\r\n"
                               R"(9,"""","""""",9,0.01)"
                               "\r\n"
                               R"(10,"",quoted empty label,10,10.00)"
                               "\r\n";

TEST_CASE("CsvReader reads every field of the benchmark's tricky.csv", "[store][csv]") {
  CsvOptions options;
  options.block_bytes = ANY_BLOCK_SIZE();
  REQUIRE(kTrickyCsv.size() == 398);  // the generated file's size
  const Rows expected = {
      {"id", "label", "note", "qty", "price"},
      {"1", "plain", "simple", "1", "1.50"},
      {"2", "comma, inside", "a,b,c", "2", "2.00"},
      {"3", "quote \"inside\"", "she said \"hi\", then left", "3", ""},
      {"4", "multi\nline", "line1\nline2\nline3", "4", "4.25"},
      {"5", "", "empty label and qty", "", "5.10"},
      {"6", "unicode", "Zürich – naïve café 日本語 😀", "6", "6.00"},
      {"7", "  spaces  ", "trailing space ", "7", "7.75"},
      {"8", "semi;colon|pipe", "tab\there", "-8", "-8.99"},
      {"9", "\"", "\"\"", "9", "0.01"},
      {"10", "", "quoted empty label", "10", "10.00"},
  };
  const Rows rows = ReadAll(kTrickyCsv, options);
  REQUIRE(rows.size() == expected.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    INFO("record " << i);
    CHECK(rows[i] == expected[i]);
  }
}

TEST_CASE("CsvReader accepts tricky.csv with a fixed field count and tracks its lines",
          "[store][csv]") {
  MemorySource source(kTrickyCsv);
  CsvReader reader(source, 0, 1, CsvOptions{.block_bytes = 7});
  std::vector<std::string_view> fields;
  std::vector<uint64_t> lines;
  while (true) {
    Result<bool> next = reader.Next(&fields);
    REQUIRE(next.ok());
    if (!*next) break;
    reader.set_expected_fields(5);
    lines.push_back(reader.record_line());
  }
  // Record 4 spans physical lines 5-8 (one newline in its label, two in its note), so later
  // records shift by 3.
  CHECK(lines == std::vector<uint64_t>{1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14});
}

}  // namespace
}  // namespace lake::store
