// BLAKE2b-256 (libsodium's crypto_generichash, unkeyed): the content hash behind chunk ids,
// manifest ids and node ids. Blake2b256 hashes one buffer; Blake2bHasher hashes a stream.
// Thread-safety: a Blake2bHasher belongs to one thread; Blake2b256 is reentrant.
#pragma once

#include <string_view>

#include "common/bytes.h"
#include "common/id.h"

namespace lake {

Id Blake2b256(ByteView data);
inline Id Blake2b256(std::string_view data) { return Blake2b256(AsBytes(data)); }

class Blake2bHasher {
 public:
  Blake2bHasher();
  void Update(ByteView data);
  void Update(std::string_view data) { Update(AsBytes(data)); }
  // REQUIRES: called once; the hasher is spent afterwards.
  Id Finish();

 private:
  alignas(64) unsigned char state_[384];  // crypto_generichash_state, opaque (checked in .cc)
};

}  // namespace lake
