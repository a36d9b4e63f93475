// Test data for the [net] tests: seeded, generated CSV text of any size, so a test's uploads
// replay from their seed and their answers can be checked against the embedded engine.
// Header-only. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

namespace lake::nettest {

// `rows` rows of id,city,amount,day,note; `seed` varies every value. city takes 40 values,
// amount (DOUBLE, two decimals) and note (random hex) are nearly unique per row, so chunks stay
// about as large encoded as decoded and a GROUP BY on them has about one group per row.
inline std::string GeneratedCsv(size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string csv = "id,city,amount,day,note\n";
  csv.reserve(rows * 56);
  char line[128];
  for (size_t i = 0; i < rows; ++i) {
    const uint64_t r = rng();
    std::snprintf(
        line, sizeof line, "%zu,city-%02u,%u.%02u,2024-%02u-%02u,%016llx\n", i + seed * 1000000,
        static_cast<unsigned>(r % 40), static_cast<unsigned>((r >> 8) % 100000),
        static_cast<unsigned>((r >> 32) % 100), static_cast<unsigned>((r >> 40) % 12 + 1),
        static_cast<unsigned>((r >> 48) % 28 + 1), static_cast<unsigned long long>(rng()));
    csv += line;
  }
  return csv;
}

}  // namespace lake::nettest
