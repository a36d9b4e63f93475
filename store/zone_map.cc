#include "store/zone_map.h"

#include <algorithm>

#include "common/msgpack_util.h"

namespace lake::store {
namespace {

template <class T>
void FixedRange(const Vector& column, ZoneMap* zone) {
  const T* data = column.data<T>();
  bool any = false;
  T lo{}, hi{};
  for (size_t row = 0; row < column.size(); ++row) {
    if (!column.IsValid(row)) continue;
    if (!any) {
      lo = hi = data[row];
      any = true;
    } else {
      lo = std::min(lo, data[row]);
      hi = std::max(hi, data[row]);
    }
  }
  if (!any) return;
  if constexpr (std::is_same_v<T, double>) {
    zone->min = lo, zone->max = hi;
  } else if constexpr (std::is_same_v<T, uint8_t>) {
    zone->min = lo != 0, zone->max = hi != 0;
  } else {
    zone->min = static_cast<int64_t>(lo), zone->max = static_cast<int64_t>(hi);
  }
}

void StringRange(const Vector& column, ZoneMap* zone) {
  bool any = false;
  std::string_view lo, hi;
  for (size_t row = 0; row < column.size(); ++row) {
    if (!column.IsValid(row)) continue;
    const std::string_view v = column.GetString(row);
    if (!any) {
      lo = hi = v;
      any = true;
    } else {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (!any || lo.size() > kMaxZoneStringBytes || hi.size() > kMaxZoneStringBytes) return;
  zone->min = std::string(lo);
  zone->max = std::string(hi);
}

bool ReadZoneValue(const msgpack::object& o, LogicalType type, ZoneValue* out) {
  switch (type) {
    case LogicalType::kBigInt:
    case LogicalType::kDate:
    case LogicalType::kTimestamp: {
      int64_t v;
      if (!ReadInt(o, &v)) return false;
      *out = v;
      return true;
    }
    case LogicalType::kDouble: {
      double v;
      if (!ReadDouble(o, &v)) return false;
      *out = v;
      return true;
    }
    case LogicalType::kBoolean: {
      bool v;
      if (!ReadBool(o, &v)) return false;
      *out = v;
      return true;
    }
    case LogicalType::kVarchar: {
      std::string_view v;
      if (!ReadStr(o, &v)) return false;
      *out = std::string(v);
      return true;
    }
  }
  return false;
}

}  // namespace

ZoneMap ComputeZoneMap(const Vector& column) {
  ZoneMap zone;
  zone.null_count = column.null_count();
  switch (column.type()) {
    case LogicalType::kBigInt:
    case LogicalType::kTimestamp:
      FixedRange<int64_t>(column, &zone);
      break;
    case LogicalType::kDouble:
      FixedRange<double>(column, &zone);
      break;
    case LogicalType::kDate:
      FixedRange<int32_t>(column, &zone);
      break;
    case LogicalType::kBoolean:
      FixedRange<uint8_t>(column, &zone);
      break;
    case LogicalType::kVarchar:
      StringRange(column, &zone);
      break;
  }
  return zone;
}

void PackZoneMap(msgpack::packer<msgpack::sbuffer>& pk, const ZoneMap& zone) {
  const bool has_range = zone.min.has_value() && zone.max.has_value();
  pk.pack_map(has_range ? 3 : 1);
  pk.pack("n");
  pk.pack(zone.null_count);
  if (!has_range) return;
  auto pack_value = [&](const ZoneValue& v) { std::visit([&](const auto& x) { pk.pack(x); }, v); };
  pk.pack("lo");
  pack_value(*zone.min);
  pk.pack("hi");
  pack_value(*zone.max);
}

Result<ZoneMap> ReadZoneMap(const msgpack::object& o, LogicalType type) {
  ZoneMap zone;
  const msgpack::object* n = FindField(o, "n");
  if (n == nullptr || !ReadUint(*n, &zone.null_count)) {
    return Status::Corruption("zone map without a null count");
  }
  const msgpack::object* lo = FindField(o, "lo");
  const msgpack::object* hi = FindField(o, "hi");
  if ((lo == nullptr) != (hi == nullptr)) return Status::Corruption("zone map with half a range");
  if (lo != nullptr) {
    ZoneValue min, max;
    if (!ReadZoneValue(*lo, type, &min) || !ReadZoneValue(*hi, type, &max)) {
      return Status::Corruption("zone map range of the wrong type");
    }
    zone.min = std::move(min);
    zone.max = std::move(max);
  }
  return zone;
}

}  // namespace lake::store
