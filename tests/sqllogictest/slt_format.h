// How sqllogictest writes and compares a query's answer, by the rules of SQLite's reference
// runner so that our answers compare with the scripts' recorded ones: each value becomes a line
// of text by the query's type letter, the values are sorted by the record's sort mode, and a
// long list is recorded as "N values hashing to <MD5 of the values, each followed by \n>".
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/value.h"

namespace lake::slt {

// `value` as the line sqllogictest writes for a column of type letter `letter`: I the value as a
// 32-bit integer (a real truncated), R "%.3f", T the text with "(empty)" for an empty string and
// '@' for every byte outside ' '..'~'; NULL is "NULL" whatever the letter.
std::string FormatValue(char letter, const sql::Value& value);

// Sorts `values` (rows of `columns` values each, row after row) by sort mode `mode`: "nosort"
// leaves them, "rowsort" sorts the rows, "valuesort" every value on its own; rows and values
// compare by their bytes, column by column. Returns false for an unknown mode.
bool SortValues(std::string_view mode, size_t columns, std::vector<std::string>* values);

// "N values hashing to <hex>" of `values`, the form the scripts record long answers in.
std::string HashValues(const std::vector<std::string>& values);

}  // namespace lake::slt
