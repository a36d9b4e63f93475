#include "sql/hyperloglog.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace lake::sql {
namespace {

// Ertl's sigma(x) = x + sum_k x^(2^k) 2^(k-1), for the share x of empty registers.
double Sigma(double x) {
  if (x == 1) return INFINITY;
  double y = 1, z = x, previous;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (z != previous);
  return z;
}

// Ertl's tau(x), for the share x of saturated registers.
double Tau(double x) {
  if (x == 0 || x == 1) return 0;
  double y = 1, z = 1 - x, previous;
  do {
    x = std::sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (z != previous);
  return z / 3;
}

}  // namespace

uint64_t SketchHash(std::string_view value) {
  // Eight bytes at a time through the table mixer, then the length: a fixed function of the
  // bytes (std::hash is not promised to agree between builds).
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ value.size();
  size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, value.data() + i, 8);
    h = Mix64(h ^ word) * 0x9fb21c651e98df25ULL;
  }
  uint64_t tail = 0;
  if (i < value.size()) std::memcpy(&tail, value.data() + i, value.size() - i);
  return Mix64(h ^ tail ^ (uint64_t{value.size() - i} << 59));
}

void HllMerge(uint8_t* registers, const uint8_t* other) {
  for (size_t i = 0; i < kHllRegisters; ++i) registers[i] = std::max(registers[i], other[i]);
}

double HllEstimate(const uint8_t* registers) {
  std::array<double, kHllMaxRegister + 1> histogram{};
  for (size_t i = 0; i < kHllRegisters; ++i) ++histogram[registers[i]];
  const double m = static_cast<double>(kHllRegisters);
  double z = m * Tau(1 - histogram[kHllMaxRegister] / m);
  for (int k = kHllMaxRegister - 1; k >= 1; --k) z = 0.5 * (z + histogram[k]);
  z += m * Sigma(histogram[0] / m);
  return (0.5 / std::log(2.0)) * m * m / z;
}

}  // namespace lake::sql
