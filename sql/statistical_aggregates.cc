#include "sql/statistical_aggregates.h"

#include <cmath>

#include "sql/hyperloglog.h"

namespace lake::sql {
namespace {

// The registers of group g, made on its first input.
uint8_t* SketchOf(AggregateState& s, size_t g) {
  std::vector<uint8_t>& sketch = s.sketches[g];
  if (sketch.empty()) sketch.assign(kHllRegisters, 0);
  return sketch.data();
}

template <class T>
void SketchFixed(AggregateState& s, const SelectedVector& arg, const uint32_t* groups,
                 size_t count) {
  ForEachValid<T>(arg, count, [&](size_t i, T v) {
    ++s.count[groups[i]];
    HllAdd(SketchOf(s, groups[i]), SketchHash(v));
  });
}

}  // namespace

void UpdateMoments(AggregateState& s, const SelectedVector& arg, const uint32_t* groups,
                   size_t count) {
  ForEachValid<double>(arg, count, [&](size_t i, double x) {
    const uint32_t g = groups[i];
    const double n = static_cast<double>(++s.count[g]);
    const double delta = x - s.mean[g];
    s.mean[g] += delta / n;
    s.m2[g] += delta * (x - s.mean[g]);
  });
}

void UpdateSketches(AggregateState& s, const SelectedVector& arg, const uint32_t* groups,
                    size_t count) {
  switch (s.arg_type) {
    case LogicalType::kVarchar:
      ForEachValidString(arg, count, [&](size_t i, std::string_view v) {
        ++s.count[groups[i]];
        HllAdd(SketchOf(s, groups[i]), SketchHash(v));
      });
      return;
    case LogicalType::kDouble:
      return SketchFixed<double>(s, arg, groups, count);
    case LogicalType::kDate:
      return SketchFixed<int32_t>(s, arg, groups, count);
    case LogicalType::kBoolean:
      return SketchFixed<uint8_t>(s, arg, groups, count);
    case LogicalType::kBigInt:
    case LogicalType::kTimestamp:
      return SketchFixed<int64_t>(s, arg, groups, count);
  }
}

void CombineMoments(AggregateState& s, size_t g, const AggregateState& o, size_t og) {
  const double na = static_cast<double>(s.count[g]);
  const double nb = static_cast<double>(o.count[og]);
  if (nb == 0) return;
  const double n = na + nb;
  const double delta = o.mean[og] - s.mean[g];
  s.mean[g] += delta * (nb / n);
  s.m2[g] += o.m2[og] + delta * delta * (na * nb / n);
}

void CombineSketches(AggregateState& s, size_t g, const AggregateState& o, size_t og) {
  if (o.sketches[og].empty()) return;
  HllMerge(SketchOf(s, g), o.sketches[og].data());
}

void FinalizeMoments(const AggregateState& s, Vector* column) {
  const size_t groups = s.count.size();
  const bool sample = s.kind == AggregateKind::kVarSamp || s.kind == AggregateKind::kStddevSamp;
  const bool root = s.kind == AggregateKind::kStddevSamp || s.kind == AggregateKind::kStddevPop;
  column->Resize(groups);
  double* out = column->mutable_data<double>();
  uint64_t* valid = column->mutable_validity_words();
  for (size_t g = 0; g < groups; ++g) {
    const int64_t n = s.count[g];
    if (n < (sample ? 2 : 1)) {
      valid[g / 64] &= ~(uint64_t{1} << (g % 64));
      continue;
    }
    const double variance = s.m2[g] / static_cast<double>(sample ? n - 1 : n);
    out[g] = root ? std::sqrt(variance) : variance;
  }
  column->RecountNulls();
}

void FinalizeSketches(const AggregateState& s, Vector* column) {
  const size_t groups = s.count.size();
  column->Resize(groups);
  int64_t* out = column->mutable_data<int64_t>();
  for (size_t g = 0; g < groups; ++g) {
    out[g] = s.sketches[g].empty() ? 0 : std::llround(HllEstimate(s.sketches[g].data()));
  }
}

}  // namespace lake::sql
