#include "store/type_inference.h"

#include "common/value_parse.h"

namespace lake::store {

void TypeInferrer::Observe(std::string_view field) {
  if (field.empty() || candidates_ == 0) return;
  seen_value_ = true;
  uint8_t fits = 0;
  if (candidates_ & (kInt | kFloat)) {
    int64_t i;
    double d;
    if ((candidates_ & kInt) && ParseBigInt(field, &i)) {
      fits |= kInt | kFloat;
    } else if (ParseDouble(field, &d)) {
      fits |= kFloat;
    }
  }
  if (candidates_ & kBool) {
    bool b;
    if (ParseBoolean(field, &b)) fits |= kBool;
  }
  if (candidates_ & (kDate | kTimestamp)) {
    int32_t days;
    int64_t micros;
    if (ParseDate(field, &days)) {
      fits |= kDate | kTimestamp;
    } else if ((candidates_ & kTimestamp) && ParseTimestamp(field, &micros)) {
      fits |= kTimestamp;
    }
  }
  candidates_ &= fits;
}

LogicalType TypeInferrer::Result() const {
  if (!seen_value_) return LogicalType::kVarchar;
  if (candidates_ & kInt) return LogicalType::kBigInt;
  if (candidates_ & kFloat) return LogicalType::kDouble;
  if (candidates_ & kBool) return LogicalType::kBoolean;
  if (candidates_ & kDate) return LogicalType::kDate;
  if (candidates_ & kTimestamp) return LogicalType::kTimestamp;
  return LogicalType::kVarchar;
}

bool AppendParsed(std::string_view field, LogicalType type, Vector* out) {
  if (field.empty()) {
    out->AppendNull();
    return true;
  }
  switch (type) {
    case LogicalType::kBigInt: {
      int64_t v;
      if (!ParseBigInt(field, &v)) return false;
      out->Append<int64_t>(v);
      return true;
    }
    case LogicalType::kDouble: {
      double v;
      if (!ParseDouble(field, &v)) return false;
      out->Append<double>(v);
      return true;
    }
    case LogicalType::kBoolean: {
      bool v;
      if (!ParseBoolean(field, &v)) return false;
      out->Append<uint8_t>(v ? 1 : 0);
      return true;
    }
    case LogicalType::kDate: {
      int32_t v;
      if (!ParseDate(field, &v)) return false;
      out->Append<int32_t>(v);
      return true;
    }
    case LogicalType::kTimestamp: {
      int64_t v;
      if (!ParseTimestamp(field, &v)) return false;
      out->Append<int64_t>(v);
      return true;
    }
    case LogicalType::kVarchar:
      out->AppendString(field);
      return true;
  }
  return false;
}

}  // namespace lake::store
