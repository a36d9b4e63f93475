#include "sql/value.h"

#include "common/value_parse.h"

namespace lake::sql {

std::string Value::ToString() const {
  if (is_null) return "NULL";
  switch (type) {
    case LogicalType::kBigInt:
      return std::to_string(integer);
    case LogicalType::kDouble:
      return FormatDouble(real);
    case LogicalType::kBoolean:
      return boolean ? "true" : "false";
    case LogicalType::kVarchar:
      return text;
    case LogicalType::kDate:
      return FormatDate(static_cast<int32_t>(integer));
    case LogicalType::kTimestamp:
      return FormatTimestamp(integer);
  }
  return "";
}

Value ValueAt(const Vector& v, size_t row) {
  if (!v.IsValid(row)) return Value::Null(v.type());
  switch (v.type()) {
    case LogicalType::kBigInt:
      return Value::BigInt(v.Get<int64_t>(row));
    case LogicalType::kDouble:
      return Value::Double(v.Get<double>(row));
    case LogicalType::kBoolean:
      return Value::Boolean(v.Get<uint8_t>(row) != 0);
    case LogicalType::kVarchar:
      return Value::Varchar(std::string(v.GetString(row)));
    case LogicalType::kDate:
      return Value::Date(v.Get<int32_t>(row));
    case LogicalType::kTimestamp:
      return Value::Timestamp(v.Get<int64_t>(row));
  }
  return Value::Null(v.type());
}

void AppendValue(const Value& v, Vector* out) {
  if (v.is_null) {
    out->AppendNull();
    return;
  }
  switch (v.type) {
    case LogicalType::kBigInt:
    case LogicalType::kTimestamp:
      out->Append<int64_t>(v.integer);
      return;
    case LogicalType::kDouble:
      out->Append<double>(v.real);
      return;
    case LogicalType::kBoolean:
      out->Append<uint8_t>(v.boolean ? 1 : 0);
      return;
    case LogicalType::kVarchar:
      out->AppendString(v.text);
      return;
    case LogicalType::kDate:
      out->Append<int32_t>(static_cast<int32_t>(v.integer));
      return;
  }
}

int CompareValues(const Value& a, const Value& b) {
  switch (a.type) {
    case LogicalType::kDouble:
      return CompareDoubles(a.real, b.real);
    case LogicalType::kBoolean:
      return static_cast<int>(a.boolean) - static_cast<int>(b.boolean);
    case LogicalType::kVarchar:
      return a.text.compare(b.text) < 0 ? -1 : (a.text == b.text ? 0 : 1);
    case LogicalType::kBigInt:
    case LogicalType::kDate:
    case LogicalType::kTimestamp:
      break;
  }
  return a.integer < b.integer ? -1 : (b.integer < a.integer ? 1 : 0);
}

bool RowLess::operator()(const Row& a, const Row& b) const {
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_null != b[i].is_null) return b[i].is_null;
    if (a[i].is_null) continue;
    if (const int c = CompareValues(a[i], b[i]); c != 0) return c < 0;
  }
  return false;
}

}  // namespace lake::sql
