// Signed dataset pointers: a signed pointer survives encode/decode; any altered byte, a forged
// uploader or a foreign signature makes decoding fail; Supersedes is a strict order by version,
// then manifest id.
#include "dht/dataset_pointer.h"

#include <catch2/catch.hpp>

#include <msgpack.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "common/msgpack_util.h"
#include "common/rng.h"

namespace lake::dht {
namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

Identity TestIdentity(uint8_t fill) {
  Identity::Seed seed;
  seed.fill(fill);
  return Identity(seed);
}

Id IdOf(uint8_t first, uint8_t last = 0) {
  std::array<uint8_t, 32> bytes{};
  bytes[0] = first;
  bytes[31] = last;
  return Id(bytes);
}

// The pointer's fields packed in wire order, as the format in dataset_pointer.h describes it;
// with `signature` the whole encoding, without it the map the signature covers.
Bytes PackByHand(const DatasetPointer& p, const Identity::Signature* signature) {
  msgpack::sbuffer buffer;
  if (signature == nullptr) {
    const std::string domain = "p2plake/dataset-pointer/1";
    buffer.write(domain.data(), domain.size());
  }
  Packer pk(buffer);
  pk.pack_map(signature == nullptr ? 8 : 9);
  pk.pack("v");
  pk.pack(1);
  pk.pack("name");
  pk.pack(p.name);
  pk.pack("ver");
  pk.pack(p.version);
  pk.pack("man");
  PackId(pk, p.manifest_id);
  pk.pack("del");
  pk.pack(p.deleted);
  pk.pack("up");
  PackId(pk, p.uploader);
  pk.pack("pk");
  PackBin(pk, p.key.data(), p.key.size());
  pk.pack("at");
  pk.pack(p.created_us);
  if (signature != nullptr) {
    pk.pack("sig");
    PackBin(pk, signature->data(), signature->size());
  }
  return BufferBytes(buffer);
}

// Where `field`'s value starts in an encoded pointer (just past its key).
size_t ValueOffset(const Bytes& encoded, const std::string& field) {
  Bytes key{static_cast<uint8_t>(0xa0 | field.size())};
  key.insert(key.end(), field.begin(), field.end());
  const auto at = std::search(encoded.begin(), encoded.end(), key.begin(), key.end());
  REQUIRE(at != encoded.end());
  return static_cast<size_t>(at - encoded.begin()) + key.size();
}

TEST_CASE("A signed pointer survives encode and decode unchanged", "[dht][pointer]") {
  const Identity uploader = TestIdentity(1);
  const DatasetPointer live =
      SignDatasetPointer(uploader, "sales_2024", 7, IdOf(0x42, 9), false, 1'700'000'000'000'000);
  CHECK(live.uploader == uploader.node_id());
  CHECK(live.key == uploader.public_key());
  const DatasetPointer tombstone = SignDatasetPointer(uploader, "gone", 8, Id(), true, -5);
  const DatasetPointer extremes =
      SignDatasetPointer(uploader, std::string(128, 'n'), UINT64_MAX, IdOf(0xff, 0xff), false,
                         INT64_MIN);
  for (const DatasetPointer& p : {live, tombstone, extremes}) {
    INFO(p.name);
    const Bytes encoded = EncodeDatasetPointer(p);
    // The format of the header, byte for byte: other implementations sign the same bytes.
    CHECK(encoded == PackByHand(p, &p.signature));
    Result<DatasetPointer> decoded = DecodeDatasetPointer(encoded);
    REQUIRE(decoded.ok());
    CHECK(*decoded == p);
  }
  // Signing is deterministic (Ed25519), so the same fields give the same bytes.
  CHECK(EncodeDatasetPointer(SignDatasetPointer(uploader, "sales_2024", 7, IdOf(0x42, 9), false,
                                                1'700'000'000'000'000)) ==
        EncodeDatasetPointer(live));
}

TEST_CASE("A pointer with any field altered does not decode", "[dht][pointer]") {
  const Identity uploader = TestIdentity(2);
  const DatasetPointer p =
      SignDatasetPointer(uploader, "orders", 300, IdOf(0x10, 0x20), false, 123'456'789);
  const Bytes encoded = EncodeDatasetPointer(p);
  REQUIRE(DecodeDatasetPointer(encoded).ok());

  SECTION("a flipped bit in every byte of the signature, name, version, manifest id and key") {
    struct Field {
      std::string name;
      size_t header;  // type bytes before the payload
      size_t length;
    };
    const std::vector<Field> fields{
        {"sig", 2, 64}, {"name", 1, 6}, {"ver", 1, 2}, {"man", 2, 32}, {"pk", 2, 32}};
    for (const Field& field : fields) {
      const size_t start = ValueOffset(encoded, field.name) + field.header;
      for (size_t i = 0; i < field.length; ++i) {
        for (uint8_t bit : {0x01, 0x80}) {
          Bytes altered = encoded;
          altered[start + i] ^= bit;
          Result<DatasetPointer> decoded = DecodeDatasetPointer(altered);
          if (decoded.ok() || !decoded.status().IsCorruption()) {
            FAIL(field.name << " byte " << i << " ^ " << int{bit} << " decoded: "
                            << decoded.status().ToString());
          }
        }
      }
    }
    // Tombstone bit, uploader and time are covered too.
    for (const std::string name : {"del", "up", "at"}) {
      Bytes altered = encoded;
      altered[ValueOffset(encoded, name) + (name == "up" ? 2 : 0) + (name == "at" ? 1 : 0)] ^= 1;
      CHECK(DecodeDatasetPointer(altered).status().IsCorruption());
    }
  }
  SECTION("any byte changed anywhere fails, or decodes to the very same pointer") {
    // A few type bytes have equivalent forms (an integer's width): the content cannot change.
    Rng rng(11);
    for (size_t pos = 0; pos < encoded.size(); ++pos) {
      for (int trial = 0; trial < 3; ++trial) {
        Bytes altered = encoded;
        altered[pos] ^= static_cast<uint8_t>(1 + rng.Uniform(255));
        Result<DatasetPointer> decoded = DecodeDatasetPointer(altered);
        if (decoded.ok() && !(*decoded == p)) FAIL("byte " << pos << " changed the pointer");
        if (!decoded.ok()) CHECK(decoded.status().IsCorruption());
      }
    }
  }
  SECTION("every truncation") {
    for (size_t n = 0; n < encoded.size(); ++n) {
      CHECK(DecodeDatasetPointer(ByteView(encoded.data(), n)).status().IsCorruption());
    }
  }
  SECTION("another node's signature over the same fields") {
    const Identity other = TestIdentity(3);
    DatasetPointer forged = p;
    forged.signature = SignDatasetPointer(other, p.name, p.version, p.manifest_id, p.deleted,
                                          p.created_us)
                           .signature;
    CHECK(DecodeDatasetPointer(EncodeDatasetPointer(forged)).status().IsCorruption());
  }
  SECTION("an unknown format version, even when signed") {
    Bytes signed_fields = PackByHand(p, nullptr);
    const size_t v = ValueOffset(signed_fields, "v");
    REQUIRE(signed_fields[v] == 1);
    signed_fields[v] = 2;
    const Identity::Signature signature = uploader.Sign(signed_fields);
    Bytes wire = PackByHand(p, &signature);
    wire[ValueOffset(wire, "v")] = 2;
    CHECK(DecodeDatasetPointer(wire).status().IsCorruption());
  }
}

TEST_CASE("A pointer whose uploader is not the hash of its key does not decode",
          "[dht][pointer]") {
  const Identity signer = TestIdentity(4);
  const Identity victim = TestIdentity(5);
  DatasetPointer p;
  p.name = "claims";
  p.version = 2;
  p.manifest_id = IdOf(7);
  p.created_us = 99;
  p.key = signer.public_key();

  // Control: signed by hand over the fields as the format describes, the honest pointer decodes.
  p.uploader = signer.node_id();
  p.signature = signer.Sign(PackByHand(p, nullptr));
  Result<DatasetPointer> honest = DecodeDatasetPointer(PackByHand(p, &p.signature));
  REQUIRE(honest.ok());
  CHECK(*honest == p);

  // The same, validly signed by the key it carries, but naming another node as its uploader.
  p.uploader = victim.node_id();
  p.signature = signer.Sign(PackByHand(p, nullptr));
  REQUIRE(Identity::Verify(ByteView(p.key.data(), p.key.size()), PackByHand(p, nullptr),
                           ByteView(p.signature.data(), p.signature.size())));
  Result<DatasetPointer> forged = DecodeDatasetPointer(PackByHand(p, &p.signature));
  REQUIRE_FALSE(forged.ok());
  CHECK(forged.status().IsCorruption());
  CHECK(forged.status().message().find("uploader") != std::string::npos);
}

TEST_CASE("Malformed pointers are Corruption", "[dht][pointer]") {
  const Identity uploader = TestIdentity(6);
  const DatasetPointer p = SignDatasetPointer(uploader, "t", 1, IdOf(1), false, 0);
  CHECK(DecodeDatasetPointer(Bytes{}).status().IsCorruption());
  CHECK(DecodeDatasetPointer(PackToBytes(std::vector<int>{1, 2, 3})).status().IsCorruption());
  Bytes trailing = EncodeDatasetPointer(p);
  trailing.push_back(0xc0);
  CHECK(DecodeDatasetPointer(trailing).status().IsCorruption());
  // A name over 128 bytes is refused before anything else is looked at.
  DatasetPointer long_name = SignDatasetPointer(uploader, std::string(129, 'x'), 1, IdOf(1), false, 0);
  CHECK(DecodeDatasetPointer(EncodeDatasetPointer(long_name)).status().IsCorruption());
}

TEST_CASE("Supersedes orders pointers by version, then manifest id, strictly",
          "[dht][pointer]") {
  const Identity a = TestIdentity(7);
  const Identity b = TestIdentity(8);
  std::vector<DatasetPointer> pointers;
  for (uint64_t version : {1, 2, 10}) {
    for (uint8_t first : {0x00, 0x01, 0x80, 0xff}) {
      pointers.push_back(SignDatasetPointer(a, "d", version, IdOf(first, 1), false, 0));
    }
  }
  pointers.push_back(SignDatasetPointer(a, "d", 3, Id(), true, 0));

  CHECK(Supersedes(pointers[4], pointers[3]));  // v2 beats v1 whatever the ids
  CHECK_FALSE(Supersedes(pointers[3], pointers[4]));
  CHECK(Supersedes(pointers[1], pointers[0]));  // same version: the higher id wins
  CHECK(Supersedes(pointers[3], pointers[2]));  // ids compare from their first byte
  CHECK(Supersedes(pointers[12], pointers[7]));  // a tombstone at v3 replaces v2
  CHECK(Supersedes(pointers[8], pointers[12]));  // and v10 replaces the tombstone

  // The same version and manifest from another uploader or at another time: neither replaces
  // the other.
  const DatasetPointer twin = SignDatasetPointer(b, "d", 2, IdOf(0x01, 1), false, 77);
  CHECK_FALSE(Supersedes(twin, pointers[5]));
  CHECK_FALSE(Supersedes(pointers[5], twin));

  for (const DatasetPointer& x : pointers) {
    CHECK_FALSE(Supersedes(x, x));  // irreflexive
    for (const DatasetPointer& y : pointers) {
      CHECK_FALSE((Supersedes(x, y) && Supersedes(y, x)));  // asymmetric
      // Total on distinct (version, manifest id): exactly one of them wins.
      if (x.version != y.version || x.manifest_id != y.manifest_id) {
        CHECK(Supersedes(x, y) != Supersedes(y, x));
      }
      for (const DatasetPointer& z : pointers) {
        if (Supersedes(x, y) && Supersedes(y, z)) CHECK(Supersedes(x, z));  // transitive
      }
    }
  }
}

}  // namespace
}  // namespace lake::dht
