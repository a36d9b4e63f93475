#include "dht/identity.h"

#include <cctype>
#include <string>

#include <catch2/catch.hpp>

#include "common/hash.h"

namespace lake::dht {
namespace {

Identity::Seed SeedOf(uint8_t fill) {
  Identity::Seed seed;
  seed.fill(fill);
  return seed;
}

ByteView View(const Identity::PublicKey& key) { return ByteView(key.data(), key.size()); }
ByteView View(const Identity::Signature& sig) { return ByteView(sig.data(), sig.size()); }

TEST_CASE("Identity is a deterministic function of its seed", "[dht][identity]") {
  const Identity a(SeedOf(7));
  const Identity b(SeedOf(7));
  CHECK(a.public_key() == b.public_key());
  CHECK(a.node_id() == b.node_id());
  CHECK(a.node_id() == Blake2b256(View(a.public_key())));
  CHECK(a.node_id() == NodeIdOfKey(View(a.public_key())));
  // Ed25519 signatures are deterministic too.
  CHECK(a.Sign(AsBytes("hello")) == b.Sign(AsBytes("hello")));
}

TEST_CASE("Identities from different seeds differ", "[dht][identity]") {
  Identity::Seed seed = SeedOf(7);
  const Identity a(seed);
  seed[31] ^= 1;
  const Identity b(seed);
  CHECK(a.public_key() != b.public_key());
  CHECK(a.node_id() != b.node_id());
}

TEST_CASE("Identity signatures verify and any flipped bit fails", "[dht][identity]") {
  const Identity id(SeedOf(1));
  const Identity other(SeedOf(2));
  const std::string message = "the transcript of a handshake";
  Identity::Signature sig = id.Sign(AsBytes(message));
  REQUIRE(Identity::Verify(View(id.public_key()), AsBytes(message), View(sig)));
  CHECK_FALSE(Identity::Verify(View(other.public_key()), AsBytes(message), View(sig)));

  SECTION("a bit flipped in the signature") {
    for (size_t bit = 0; bit < sig.size() * 8; bit += 37) {
      Identity::Signature bad = sig;
      bad[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
      INFO("bit " << bit);
      CHECK_FALSE(Identity::Verify(View(id.public_key()), AsBytes(message), View(bad)));
    }
  }
  SECTION("a bit flipped in the message") {
    std::string bad = message;
    bad[3] ^= 0x10;
    CHECK_FALSE(Identity::Verify(View(id.public_key()), AsBytes(bad), View(sig)));
  }
  SECTION("a bit flipped in the public key") {
    Identity::PublicKey key = id.public_key();
    key[0] ^= 0x01;
    CHECK_FALSE(Identity::Verify(View(key), AsBytes(message), View(sig)));
  }
  SECTION("wrong sizes are rejected, not read past") {
    CHECK_FALSE(Identity::Verify(View(id.public_key()).first(31), AsBytes(message), View(sig)));
    CHECK_FALSE(Identity::Verify(View(id.public_key()), AsBytes(message), View(sig).first(63)));
    CHECK_FALSE(Identity::Verify(ByteView(), AsBytes(message), ByteView()));
  }
}

TEST_CASE("Identity key file round-trips the seed", "[dht][identity]") {
  Identity::Seed seed;
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i * 9 + 250);
  const Identity id(seed);
  const std::string text = id.ToKeyFile();
  CHECK(text == "p2plake-node-key-v1\n" + ToHex(ByteView(seed.data(), seed.size())) + "\n");
  Result<Identity> back = Identity::FromKeyFile(text);
  REQUIRE(back.ok());
  CHECK(back->public_key() == id.public_key());
  CHECK(back->node_id() == id.node_id());
  CHECK(back->ToKeyFile() == text);

  SECTION("upper-case hex is accepted") {
    std::string upper = text;
    for (size_t i = 20; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
    Result<Identity> parsed = Identity::FromKeyFile(upper);
    REQUIRE(parsed.ok());
    CHECK(parsed->node_id() == id.node_id());
  }
}

TEST_CASE("Identity rejects malformed key files", "[dht][identity]") {
  const std::string good = Identity(Identity::Seed{}).ToKeyFile();
  const std::string hex = good.substr(20, 64);
  REQUIRE(Identity::FromKeyFile(good).ok());

  for (const std::string& text :
       {std::string(), std::string("p2plake-node-key-v1"),
        std::string("p2plake-node-key-v2\n") + hex + "\n",
        std::string("P2PLAKE-NODE-KEY-V1\n") + hex + "\n", hex + "\n", "\n" + good}) {
    INFO("text: " << text);
    CHECK(Identity::FromKeyFile(text).status().IsInvalidArgument());
  }
  for (const std::string& text : {
           std::string("p2plake-node-key-v1\n"),
           "p2plake-node-key-v1\n" + hex,                    // no final newline
           "p2plake-node-key-v1\n" + hex + "\n\n",           // trailing line
           "p2plake-node-key-v1\n" + hex.substr(2) + "\n",   // 31 bytes
           "p2plake-node-key-v1\n" + hex + "00\n",           // 33 bytes
           "p2plake-node-key-v1\n" + hex.substr(1) + "g\n",  // not hex
           "p2plake-node-key-v1\n " + hex.substr(1) + "\n",  // leading space
           "p2plake-node-key-v1\n" + hex + "\r\n",
           "p2plake-node-key-v1\n" + hex.substr(0, 63) + "\n\n",
       }) {
    INFO("text: " << text);
    CHECK(Identity::FromKeyFile(text).status().IsCorruption());
  }
}

}  // namespace
}  // namespace lake::dht
