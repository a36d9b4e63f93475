#include "dht/seed.h"

namespace lake::dht {

Result<Seed> ParseSeed(std::string_view text) {
  Seed seed;
  const size_t at = text.find('@');
  if (at != std::string_view::npos) {
    const std::string_view hex = text.substr(0, at);
    seed.id = NodeId::FromHex(hex);
    if (hex.size() != 2 * Id::kBytes || !seed.id) {
      return Status::InvalidArgument("seed '" + std::string(text) +
                                     "': the part before '@' must be a node id (64 hex digits)");
    }
    text.remove_prefix(at + 1);
  }
  if (text.empty()) return Status::InvalidArgument("seed without an address");
  seed.address = std::string(text);
  return seed;
}

}  // namespace lake::dht
