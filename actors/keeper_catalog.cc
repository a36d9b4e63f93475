#include "actors/keeper_ops.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "actors/errors.h"
#include "actors/node_events.h"
#include "store/manifest.h"

namespace lake::actors::keeper {
namespace {

using dht::ChunkMessage;
using dht::ChunkMessageKind;
using dht::ObjectKind;

// Tells the node's watchers of a version adopted from the network (`manifest` is its encoding,
// null for a tombstone; Adopt has decoded it once already, so it decodes).
void PublishAdopted(Self self, const dht::DatasetPointer& pointer, const Bytes* manifest) {
  if (pointer.deleted || manifest == nullptr) {
    PublishEvent(self->system(), event_type::kDatasetDeleted,
                 {{"name", pointer.name}, {"version", pointer.version}});
    return;
  }
  Result<store::Manifest> decoded = store::DecodeManifest(*manifest);
  if (!decoded.ok()) return;
  PublishDatasetStored(self->system(),
                       {pointer.name, pointer.manifest_id, pointer.version, decoded->total_rows,
                        decoded->chunks.size(), decoded->total_bytes},
                       "network");
}

void AdoptAndGossip(Self self, const dht::DatasetPointer& pointer, const Bytes* manifest,
                    const NodeId& from) {
  Result<bool> adopted = self->state.catalog->Adopt(pointer, manifest);
  if (!adopted.ok()) {
    spdlog::warn("keeper: not adopting {} v{} from {}: {}", pointer.name, pointer.version,
                 from.ShortHex(), adopted.status().ToString());
    return;
  }
  if (!*adopted) return;
  spdlog::info("keeper: {} {} version {} (from {})", pointer.deleted ? "deleted" : "adopted",
               pointer.name, pointer.version, from.ShortHex());
  PublishAdopted(self, pointer, manifest);
  Gossip(self, pointer, from);
}

// Sends our whole catalog in pages of at most max_pointers, each naming the range of names it
// covers (pointers come sorted by name), so the peer answers each page for its range alone.
void SendFullCatalog(Self self, const NodeId& to) {
  Result<std::vector<dht::DatasetPointer>> pointers = self->state.catalog->Pointers();
  if (!pointers.ok()) return;
  const size_t page_size = dht::ChunkMessageLimits().max_pointers;
  size_t start = 0;
  do {
    const size_t end = std::min(pointers->size(), start + page_size);
    ChunkMessage page;
    page.kind = ChunkMessageKind::kCatalog;
    page.full = true;
    if (start > 0) page.range_low = (*pointers)[start].name;
    if (end < pointers->size()) page.range_high = (*pointers)[end].name;
    for (size_t i = start; i < end; ++i)
      page.pointers.push_back(EncodeDatasetPointer((*pointers)[i]));
    Send(self, to, page);
    start = end;
  } while (start < pointers->size());
}

}  // namespace

void Gossip(Self self, const dht::DatasetPointer& pointer, const std::optional<NodeId>& except) {
  auto& st = self->state;
  std::vector<NodeId> targets;
  for (const auto& [id, address] : st.contacts) {
    if (!except || id != *except) targets.push_back(id);
  }
  std::shuffle(targets.begin(), targets.end(), st.rng);
  if (targets.size() > st.options.gossip_fanout) targets.resize(st.options.gossip_fanout);
  ChunkMessage catalog;
  catalog.kind = ChunkMessageKind::kCatalog;
  catalog.pointers.push_back(dht::EncodeDatasetPointer(pointer));
  for (const NodeId& to : targets) Send(self, to, catalog);
}

void PutInDht(Self self, const dht::DatasetPointer& pointer) {
  auto& st = self->state;
  self->request(st.router, st.options.request_timeout, put_atom::value,
                store::DatasetKey(pointer.name), dht::EncodeDatasetPointer(pointer))
      .then([](uint64_t) {},
            [name = pointer.name](const caf::error& error) {
              spdlog::warn("keeper: pointer of {} not stored in the DHT: {}", name,
                           ToStatus(error).ToString());
            });
}

void OnCatalog(Self self, const NodeId& from, const ChunkMessage& message) {
  auto& st = self->state;
  std::vector<dht::DatasetPointer> theirs;
  for (const Bytes& bytes : message.pointers) {
    Result<dht::DatasetPointer> pointer = dht::DecodeDatasetPointer(bytes);
    if (!pointer.ok()) {
      ++st.counters.pushes_refused;
      spdlog::warn("keeper: refusing a pointer from {}: {}", from.ShortHex(),
                   pointer.status().ToString());
      continue;
    }
    theirs.push_back(std::move(pointer).value());
  }
  if (message.full) {
    Result<std::vector<dht::DatasetPointer>> offer =
        st.catalog->ToOffer(theirs, {message.range_low, message.range_high});
    if (offer.ok() && !offer->empty()) {
      ChunkMessage reply;
      reply.kind = ChunkMessageKind::kCatalog;
      for (const dht::DatasetPointer& p : *offer) reply.pointers.push_back(EncodeDatasetPointer(p));
      Send(self, from, reply);
    }
  }
  Result<std::vector<dht::DatasetPointer>> adopt = st.catalog->ToAdopt(theirs);
  if (!adopt.ok()) {
    spdlog::error("keeper: cannot read the catalog: {}", adopt.status().ToString());
    return;
  }
  for (const dht::DatasetPointer& pointer : *adopt) {
    Result<std::optional<Bytes>> held = st.catalog->ManifestObject(pointer.manifest_id);
    if (pointer.deleted || (held.ok() && held->has_value())) {
      AdoptAndGossip(self, pointer, pointer.deleted ? nullptr : &**held, from);
      continue;
    }
    ChunkMessage fetch;
    fetch.kind = ChunkMessageKind::kFetch;
    fetch.object = ObjectKind::kManifest;
    fetch.id = pointer.manifest_id;
    Ask(self, from, fetch, [self, pointer, from](const ChunkMessage* reply) {
      if (reply == nullptr || !reply->ok) {
        spdlog::warn("keeper: could not fetch the manifest of {} v{} from {}", pointer.name,
                     pointer.version, from.ShortHex());
        return;
      }
      AdoptAndGossip(self, pointer, &reply->data, from);
    });
  }
}

void SyncCatalog(Self self) {
  WithFreshContacts(
      self,
      [self] {
        auto& st = self->state;
        std::erase_if(st.synced, [&](const NodeId& id) { return st.contacts.count(id) == 0; });
        std::vector<NodeId> ids;
        for (const auto& [id, address] : st.contacts) {
          ids.push_back(id);
          if (st.synced.insert(id).second) SendFullCatalog(self, id);
        }
        if (!ids.empty()) {
          SendFullCatalog(self,
                          ids[std::uniform_int_distribution<size_t>(0, ids.size() - 1)(st.rng)]);
        }
      },
      [](const caf::error&) {});
}

}  // namespace lake::actors::keeper
