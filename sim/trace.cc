#include "sim/trace.h"

#include <cstdint>

namespace lake::sim {

void Trace::Delivery(TimePoint at, size_t from, size_t to, ByteView bytes) {
  const uint64_t header[3] = {static_cast<uint64_t>(ToMicros(at)), from, to};
  hasher_.Update(ByteView(reinterpret_cast<const uint8_t*>(header), sizeof header));
  hasher_.Update(bytes);
}

void Trace::Event(TimePoint at, ByteView event) {
  const uint64_t time = static_cast<uint64_t>(ToMicros(at));
  hasher_.Update(ByteView(reinterpret_cast<const uint8_t*>(&time), sizeof time));
  hasher_.Update(event);
}

std::string Trace::Hash() const {
  Blake2bHasher copy = hasher_;
  return copy.Finish().ToHex();
}

}  // namespace lake::sim
