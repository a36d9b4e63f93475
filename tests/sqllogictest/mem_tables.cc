#include "tests/sqllogictest/mem_tables.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "common/batch.h"
#include "common/value_parse.h"

namespace lake::slt {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Token {
  enum class Kind { kWord, kNumber, kString, kSymbol, kEnd };
  Kind kind;
  std::string text;  // a string's value without its quotes
};

// The tokens of `sql`: words (identifiers and keywords), unsigned numbers, '-quoted strings
// ('' inside is one quote) and single-character symbols.
Result<std::vector<Token>> Tokenize(std::string_view sql) {
  std::vector<Token> tokens;
  size_t i = 0;
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      size_t end = i;
      while (end < sql.size() &&
             (std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '.' ||
              ((sql[end] == '+' || sql[end] == '-') &&
               (sql[end - 1] == 'e' || sql[end - 1] == 'E')))) {
        ++end;
      }
      tokens.push_back({Token::Kind::kNumber, std::string(sql.substr(i, end - i))});
      i = end;
    } else if (is_word(c)) {
      size_t end = i;
      while (end < sql.size() && is_word(sql[end])) ++end;
      tokens.push_back({Token::Kind::kWord, std::string(sql.substr(i, end - i))});
      i = end;
    } else if (c == '\'') {
      std::string value;
      for (++i;; ++i) {
        if (i >= sql.size()) return Status::InvalidArgument("unterminated string literal");
        if (sql[i] == '\'') {
          if (i + 1 < sql.size() && sql[i + 1] == '\'') {
            value += '\'';
            ++i;
            continue;
          }
          break;
        }
        value += sql[i];
      }
      ++i;
      tokens.push_back({Token::Kind::kString, std::move(value)});
    } else {
      tokens.push_back({Token::Kind::kSymbol, std::string(1, c)});
      ++i;
    }
  }
  tokens.push_back({Token::Kind::kEnd, ""});
  return tokens;
}

// Reads a token list front to back.
class Cursor {
 public:
  explicit Cursor(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  // Consumes the next token if it is the word `keyword` (any case).
  bool Keyword(const char* keyword) {
    if (Peek().kind != Token::Kind::kWord || strcasecmp(Peek().text.c_str(), keyword) != 0) {
      return false;
    }
    ++pos_;
    return true;
  }
  // Consumes the next token if it is the symbol `c`.
  bool Symbol(char c) {
    if (Peek().kind != Token::Kind::kSymbol || Peek().text[0] != c) return false;
    ++pos_;
    return true;
  }
  // The next token as a name; nullopt if it is not a word.
  std::optional<std::string> Name() {
    if (Peek().kind != Token::Kind::kWord) return std::nullopt;
    return Next().text;
  }
  // Whether only an optional ';' is left.
  bool AtEnd() {
    Symbol(';');
    return Peek().kind == Token::Kind::kEnd;
  }

 private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

// The engine type of a declared column type, by SQLite's affinity rules where they apply.
std::optional<LogicalType> DeclaredType(const std::string& declared) {
  const std::string t = Lower(declared);
  if (t.find("int") != std::string::npos) return LogicalType::kBigInt;
  if (t.find("char") != std::string::npos || t == "text" || t == "clob" || t == "string") {
    return LogicalType::kVarchar;
  }
  if (t == "real" || t == "float" || t == "double" || t == "numeric" || t == "decimal") {
    return LogicalType::kDouble;
  }
  if (t == "boolean" || t == "bool") return LogicalType::kBoolean;
  if (t == "date") return LogicalType::kDate;
  if (t == "timestamp") return LogicalType::kTimestamp;
  return std::nullopt;
}

// Skips to the ',' or ')' that ends the current element of a parenthesised list (not
// consuming it), stepping over nested parentheses such as VARCHAR(30)'s.
void SkipElement(Cursor& cursor) {
  int depth = 0;
  while (cursor.Peek().kind != Token::Kind::kEnd) {
    const Token& t = cursor.Peek();
    if (t.kind == Token::Kind::kSymbol) {
      if (depth == 0 && (t.text == "," || t.text == ")")) return;
      if (t.text == "(") ++depth;
      if (t.text == ")") --depth;
    }
    cursor.Next();
  }
}

// One literal of an INSERT's VALUES as a value of column type `type`; nullopt for NULL.
Result<std::optional<sql::Value>> ReadLiteral(Cursor& cursor, LogicalType type) {
  if (cursor.Keyword("NULL")) return std::optional<sql::Value>();
  std::string sign;
  while (cursor.Peek().kind == Token::Kind::kSymbol &&
         (cursor.Peek().text == "-" || cursor.Peek().text == "+")) {
    if (cursor.Next().text == "-") sign = sign.empty() ? "-" : "";
  }
  const Token token = cursor.Next();
  const std::string text = sign + token.text;
  bool ok = false;
  sql::Value value = sql::Value::Null(type);
  value.is_null = false;
  if (token.kind == Token::Kind::kNumber) {
    switch (type) {
      case LogicalType::kBigInt:
        ok = ParseBigInt(text, &value.integer);
        break;
      case LogicalType::kDouble:
        ok = ParseDouble(text, &value.real);
        break;
      case LogicalType::kVarchar:  // SQLite's TEXT affinity keeps a number's text
        value.text = text;
        ok = true;
        break;
      case LogicalType::kBoolean:
        ok = text == "0" || text == "1";
        value.boolean = text == "1";
        break;
      default:
        break;
    }
  } else if (token.kind == Token::Kind::kString && sign.empty()) {
    int32_t days = 0;
    switch (type) {
      case LogicalType::kVarchar:
        value.text = token.text;
        ok = true;
        break;
      case LogicalType::kDate:
        ok = ParseDate(token.text, &days);
        value.integer = days;
        break;
      case LogicalType::kTimestamp:
        ok = ParseTimestamp(token.text, &value.integer);
        break;
      default:
        break;
    }
  } else if (token.kind == Token::Kind::kWord && sign.empty() && type == LogicalType::kBoolean) {
    ok = ParseBoolean(token.text, &value.boolean);
  }
  if (!ok) {
    return Status::InvalidArgument("cannot load '" + text + "' into a " +
                                   std::string(TypeName(type)) + " column");
  }
  return std::optional<sql::Value>(std::move(value));
}

}  // namespace

std::optional<Status> MemTables::Apply(std::string_view sql) {
  Result<std::vector<Token>> tokens = Tokenize(sql);
  if (!tokens.ok()) return std::nullopt;  // not ours to judge: the engine reports it
  Cursor cursor(std::move(tokens).value());

  if (cursor.Keyword("CREATE")) {
    cursor.Keyword("UNIQUE");
    if (cursor.Keyword("INDEX")) return Status::OK();
    if (!cursor.Keyword("TABLE")) return std::nullopt;
    std::optional<std::string> name = cursor.Name();
    if (!name || !cursor.Symbol('(')) return Status::InvalidArgument("expected a table name and (");
    Schema schema;
    do {
      // Table constraints (PRIMARY KEY (a, b) and the like) describe no column.
      if (cursor.Keyword("PRIMARY") || cursor.Keyword("UNIQUE") || cursor.Keyword("CONSTRAINT") ||
          cursor.Keyword("CHECK") || cursor.Keyword("FOREIGN")) {
        SkipElement(cursor);
        continue;
      }
      std::optional<std::string> column = cursor.Name();
      std::optional<std::string> declared = cursor.Name();
      if (!column || !declared) return Status::InvalidArgument("expected a column and its type");
      std::optional<LogicalType> type = DeclaredType(*declared);
      if (!type) return Status::InvalidArgument("unsupported column type " + *declared);
      schema.push_back({*column, *type});
      SkipElement(cursor);  // a type's arguments and the column's constraints
    } while (cursor.Symbol(','));
    if (!cursor.Symbol(')') || !cursor.AtEnd()) {
      return Status::InvalidArgument("expected ) at the end of CREATE TABLE");
    }
    return CreateTable(*name, std::move(schema));
  }

  if (!cursor.Keyword("INSERT")) return std::nullopt;
  std::optional<std::string> name;
  if (!cursor.Keyword("INTO") || !(name = cursor.Name())) {
    return Status::InvalidArgument("expected INTO and a table name");
  }
  auto found = tables_.find(Lower(*name));
  if (found == tables_.end()) return Status::InvalidArgument("no such table: " + *name);
  Table& table = found->second;
  // Where each listed value goes: the named columns, or all of them in order.
  std::vector<size_t> targets;
  if (cursor.Symbol('(')) {
    do {
      std::optional<std::string> column = cursor.Name();
      auto it = std::find_if(table.schema.begin(), table.schema.end(), [&](const Column& c) {
        return column && strcasecmp(c.name.c_str(), column->c_str()) == 0;
      });
      if (it == table.schema.end()) return Status::InvalidArgument("no such column in INSERT");
      targets.push_back(static_cast<size_t>(it - table.schema.begin()));
    } while (cursor.Symbol(','));
    if (!cursor.Symbol(')')) return Status::InvalidArgument("expected ) after the columns");
  } else {
    for (size_t c = 0; c < table.schema.size(); ++c) targets.push_back(c);
  }
  if (!cursor.Keyword("VALUES")) return Status::InvalidArgument("only INSERT ... VALUES is taken");
  // All rows are read before any is added, so a bad row leaves the table as it was.
  std::vector<std::vector<std::optional<sql::Value>>> rows;
  do {
    if (!cursor.Symbol('(')) return Status::InvalidArgument("expected ( before a row");
    std::vector<std::optional<sql::Value>> row(table.schema.size());
    for (size_t i = 0; i < targets.size(); ++i) {
      if (i > 0 && !cursor.Symbol(',')) return Status::InvalidArgument("expected , in a row");
      Result<std::optional<sql::Value>> value = ReadLiteral(cursor, table.schema[targets[i]].type);
      if (!value.ok()) return value.status();
      row[targets[i]] = std::move(value).value();
    }
    if (!cursor.Symbol(')')) return Status::InvalidArgument("expected ) after a row's values");
    rows.push_back(std::move(row));
  } while (cursor.Symbol(','));
  if (!cursor.AtEnd()) return Status::InvalidArgument("unexpected text after VALUES");
  for (const auto& row : rows) AppendRow(table, row);
  return Status::OK();
}

Status MemTables::CreateTable(const std::string& name, Schema schema) {
  const std::string key = Lower(name);
  if (tables_.count(key) != 0) return Status::InvalidArgument("table " + name + " already exists");
  Table table{name, std::move(schema), {}};
  for (const Column& column : table.schema) table.columns.emplace_back(column.type);
  tables_.emplace(key, std::move(table));
  return Status::OK();
}

void MemTables::AppendRow(Table& table, const std::vector<std::optional<sql::Value>>& row) {
  for (size_t c = 0; c < row.size(); ++c) {
    Vector& column = table.columns[c];
    if (!row[c]) {
      column.AppendNull();
      continue;
    }
    const sql::Value& v = *row[c];
    switch (v.type) {
      case LogicalType::kBigInt:
      case LogicalType::kTimestamp:
        column.Append<int64_t>(v.integer);
        break;
      case LogicalType::kDate:
        column.Append<int32_t>(static_cast<int32_t>(v.integer));
        break;
      case LogicalType::kDouble:
        column.Append<double>(v.real);
        break;
      case LogicalType::kBoolean:
        column.Append<uint8_t>(v.boolean ? 1 : 0);
        break;
      case LogicalType::kVarchar:
        column.AppendString(v.text);
        break;
    }
  }
}

const MemTables::Table* MemTables::Find(const std::string& name) const {
  auto it = tables_.find(Lower(name));
  return it == tables_.end() ? nullptr : &it->second;
}

std::optional<Schema> MemTables::FindTable(const std::string& name) const {
  const Table* table = Find(name);
  if (table == nullptr) return std::nullopt;
  return table->schema;
}

std::vector<sql::TableInfo> MemTables::ListTables() const {
  std::vector<sql::TableInfo> out;
  for (const auto& [key, table] : tables_) {
    const size_t rows = table.columns.empty() ? 0 : table.columns[0].size();
    out.push_back({table.name, table.schema, rows, (rows + kChunkRows - 1) / kChunkRows});
  }
  return out;
}

Result<std::vector<sql::ColumnRef>> MemTables::ReadChunk(const std::string& name, size_t chunk,
                                                         const std::vector<size_t>& columns) const {
  const Table* table = Find(name);
  if (table == nullptr) return Status::NotFound("no table " + name);
  std::vector<sql::ColumnRef> out;
  for (size_t c : columns) {
    const Vector& whole = table->columns.at(c);
    const size_t start = std::min(chunk * kChunkRows, whole.size());
    Vector part(whole.type());
    part.AppendRange(whole, start, std::min(kChunkRows, whole.size() - start));
    out.push_back(std::make_shared<const ColumnPieces>(CutIntoPieces(part, false)));
  }
  return out;
}

}  // namespace lake::slt
