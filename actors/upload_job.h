// An upload job: one network upload from a spooled CSV to a published dataset, run as a
// blocking actor of its own (parsing and encoding take seconds to minutes; the keeper must keep
// serving peers meanwhile). It stages the CSV in the local store (nothing visible), asks the
// keeper to push every chunk to its R closest nodes, stores and replicates the manifest, and
// only when every chunk and the manifest are durable on W nodes asks the keeper to publish the
// signed pointer. Any failure before that abandons the staged chunks: the upload is either
// acknowledged and complete, or not acknowledged and invisible. Chunks already pushed to peers
// are then referenced by no manifest anywhere, and no query can reach them.
// Thread-safety: runs on its own thread; talks to the keeper and the router by messages.
#pragma once

#include <memory>

#include <caf/all.hpp>

#include "actors/chunk_keeper.h"
#include "actors/interfaces.h"
#include "dht/identity.h"
#include "store/chunk_store.h"

namespace lake::actors {

struct UploadJobContext {
  ChunkKeeperActor keeper;
  DhtRouterActor router;
  std::shared_ptr<store::ChunkStore> store;
  std::optional<dht::Identity> identity;
  ChunkKeeperOptions options;
};

// Runs upload `upload_id` and sends its outcome to the keeper as (upload_atom, id, outcome).
// The spooled file is deleted when the job ends.
void UploadJob(caf::blocking_actor* self, UploadJobContext context, uint64_t upload_id,
               UploadRequest request);

}  // namespace lake::actors
