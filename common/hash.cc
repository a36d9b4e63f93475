#include "common/hash.h"

#include <sodium.h>

#include <array>
#include <cstdlib>

namespace lake {
namespace {

static_assert(crypto_generichash_BYTES == Id::kBytes);

// libsodium must be initialised once before use; sodium_init() is idempotent and thread-safe.
void EnsureSodium() {
  static const bool initialised = [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness source: nothing can be trusted
    return true;
  }();
  (void)initialised;
}

crypto_generichash_state* AsState(unsigned char* raw) {
  static_assert(sizeof(crypto_generichash_state) <= 384);
  return reinterpret_cast<crypto_generichash_state*>(raw);
}

}  // namespace

Id Blake2b256(ByteView data) {
  EnsureSodium();
  std::array<uint8_t, Id::kBytes> out;
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), nullptr, 0);
  return Id(out);
}

Blake2bHasher::Blake2bHasher() {
  EnsureSodium();
  crypto_generichash_init(AsState(state_), nullptr, 0, Id::kBytes);
}

void Blake2bHasher::Update(ByteView data) {
  crypto_generichash_update(AsState(state_), data.data(), data.size());
}

Id Blake2bHasher::Finish() {
  std::array<uint8_t, Id::kBytes> out;
  crypto_generichash_final(AsState(state_), out.data(), out.size());
  return Id(out);
}

}  // namespace lake
