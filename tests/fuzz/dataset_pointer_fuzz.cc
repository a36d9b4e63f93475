// Fuzz target: dataset pointer records, the signed name -> manifest entries peers gossip. The
// first byte picks the input: 0 the record's bytes themselves; 1 the fields of a pointer an
// honest node signs (name, version, flags), whose encoding then has one byte changed where the
// input says. A record decodes only if its signature verifies, and then re-encodes to itself;
// of two decoded records at most one supersedes the other.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "dht/dataset_pointer.h"
#include "tests/fuzz/fuzz_check.h"

namespace lake::dht {
namespace {

const Identity& Signer() {
  static const Identity identity([] {
    Identity::Seed seed;
    seed.fill(7);
    return seed;
  }());
  return identity;
}

// Decodes `bytes`; a pointer that decodes must survive a round trip unchanged.
std::optional<DatasetPointer> CheckDecode(ByteView bytes) {
  Result<DatasetPointer> pointer = DecodeDatasetPointer(bytes);
  if (!pointer.ok()) return std::nullopt;
  Result<DatasetPointer> again = DecodeDatasetPointer(EncodeDatasetPointer(*pointer));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *pointer);
  return *pointer;
}

void CheckSigned(fuzz::FuzzInput& input) {
  const uint8_t flags = input.Byte();
  uint64_t version = 0;
  for (int i = 0; i < 8; ++i) version = version << 8 | input.Byte();
  std::array<uint8_t, Id::kBytes> id_bytes{};
  const ByteView given = input.Take(id_bytes.size());
  std::copy(given.begin(), given.end(), id_bytes.begin());
  const Id manifest_id(id_bytes);
  // Names of up to 128 bytes: a node signs only valid dataset names (store::ValidateDatasetName).
  const size_t name_length = input.Byte() % 129;
  const std::string name(AsChars(input.Take(name_length)));
  const DatasetPointer signed_pointer = SignDatasetPointer(
      Signer(), name, version, manifest_id, (flags & 1) != 0, static_cast<int64_t>(version) - 5);
  Bytes encoded = EncodeDatasetPointer(signed_pointer);
  const std::optional<DatasetPointer> honest = CheckDecode(encoded);
  FUZZ_CHECK(honest.has_value() && *honest == signed_pointer);
  if (flags & 2) {
    const size_t at = (size_t{input.Byte()} << 8 | input.Byte()) % encoded.size();
    encoded[at] ^= input.Byte() | 1;
    const std::optional<DatasetPointer> changed = CheckDecode(encoded);
    if (changed.has_value()) {
      FUZZ_CHECK(!(Supersedes(*changed, signed_pointer) && Supersedes(signed_pointer, *changed)));
    }
  }
}

}  // namespace
}  // namespace lake::dht

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lake::fuzz::FuzzInput input(data, size);
  if (input.Byte() % 2 == 0) {
    lake::dht::CheckDecode(input.Rest());
  } else {
    lake::dht::CheckSigned(input);
  }
  return 0;
}
