#include "common/rng.h"

#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

namespace lake {
namespace {

std::vector<uint64_t> Draw(Rng& rng, size_t n) {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < n; ++i) out.push_back(rng.Next());
  return out;
}

TEST_CASE("Rng with the same seed replays the same sequence", "[common][rng]") {
  Rng a(12345);
  Rng b(12345);
  CHECK(Draw(a, 1000) == Draw(b, 1000));
  // Mixed calls stay in lockstep too.
  for (int i = 0; i < 100; ++i) {
    CHECK(a.Uniform(97) == b.Uniform(97));
    CHECK(a.UniformDouble() == b.UniformDouble());
  }
}

TEST_CASE("Rng with a different seed gives a different sequence", "[common][rng]") {
  for (uint64_t seed : {uint64_t{0}, uint64_t{1}, uint64_t{42}, ~uint64_t{0}}) {
    Rng a(seed);
    Rng b(seed + 1);
    const std::vector<uint64_t> da = Draw(a, 64);
    const std::vector<uint64_t> db = Draw(b, 64);
    INFO("seed " << seed);
    size_t equal = 0;
    for (size_t i = 0; i < 64; ++i) equal += da[i] == db[i];
    CHECK(equal == 0);
  }
}

TEST_CASE("Rng seeded with zero is not stuck", "[common][rng]") {
  Rng rng(0);
  const std::vector<uint64_t> values = Draw(rng, 16);
  size_t zeros = 0;
  for (uint64_t v : values) zeros += v == 0;
  CHECK(zeros == 0);
  CHECK(values[0] != values[1]);
}

TEST_CASE("Rng::Uniform stays below its bound and reaches every value", "[common][rng]") {
  Rng rng(99);
  for (int i = 0; i < 1000; ++i) CHECK(rng.Uniform(1) == 0);

  std::vector<int> counts(10, 0);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t v = rng.Uniform(10);
    REQUIRE(v < 10);
    ++counts[v];
  }
  for (int c : counts) {
    // Expected 2000 each; 4 standard deviations is about +-170.
    CHECK(c > 1800);
    CHECK(c < 2200);
  }

  const uint64_t huge = (uint64_t{1} << 63) + 1;
  size_t upper_half = 0;
  for (int i = 0; i < 2000; ++i) {
    const uint64_t v = rng.Uniform(huge);
    REQUIRE(v < huge);
    upper_half += v >= huge / 2;
  }
  CHECK(upper_half > 850);
  CHECK(upper_half < 1150);
  for (int i = 0; i < 100; ++i) CHECK(rng.Uniform(~uint64_t{0}) < ~uint64_t{0});
}

TEST_CASE("Rng::UniformDouble lies between 0 and 1 and Bernoulli honours 0 and 1",
          "[common][rng]") {
  Rng rng(5);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    const double d = rng.UniformDouble();
    REQUIRE(d >= 0.0);
    REQUIRE(d < 1.0);
    sum += d;
  }
  CHECK(sum / 10000 == Approx(0.5).margin(0.02));
  int trues = 0;
  for (int i = 0; i < 1000; ++i) {
    CHECK_FALSE(rng.Bernoulli(0.0));
    CHECK(rng.Bernoulli(1.0));
    trues += rng.Bernoulli(0.25);
  }
  CHECK(trues > 200);
  CHECK(trues < 300);
}

TEST_CASE("Rng::Child does not consume values from its parent", "[common][rng]") {
  Rng parent(777);
  Rng twin(777);
  CHECK(parent.Next() == twin.Next());
  Rng child = parent.Child(3);
  Rng another = parent.Child(4);
  // The parent's next value is what it would have been without the children.
  CHECK(parent.Next() == twin.Next());
  CHECK(Draw(parent, 100) == Draw(twin, 100));
  // Drawing from the children does not move the parent either.
  (void)Draw(child, 10);
  (void)Draw(another, 10);
  CHECK(parent.Next() == twin.Next());
}

TEST_CASE("Rng::Child streams are deterministic and independent", "[common][rng]") {
  Rng a(2024);
  Rng b(2024);
  Rng a1 = a.Child(1);
  Rng b1 = b.Child(1);
  CHECK(Draw(a1, 100) == Draw(b1, 100));

  // Derived from the seed, not the current state: drawing from the parent changes nothing.
  Rng c(2024);
  (void)Draw(c, 50);
  Rng c1 = c.Child(1);
  Rng fresh1 = Rng(2024).Child(1);
  CHECK(Draw(c1, 100) == Draw(fresh1, 100));

  // Different streams, the parent itself, and another seed's stream all differ.
  Rng s1 = Rng(2024).Child(1);
  Rng s2 = Rng(2024).Child(2);
  Rng parent(2024);
  Rng other_seed = Rng(2025).Child(1);
  const std::vector<uint64_t> d1 = Draw(s1, 32);
  CHECK(d1 != Draw(s2, 32));
  CHECK(d1 != Draw(parent, 32));
  CHECK(d1 != Draw(other_seed, 32));
}

}  // namespace
}  // namespace lake
