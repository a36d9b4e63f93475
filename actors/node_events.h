// Node events: what a node's actors tell whoever watches the node (the gateway's live feed and
// its metrics): a peer session opened or closed, a dataset stored or deleted, an upload's parsing
// progress or its failure, a repair round moved copies, a query finished. Publishers send them to
// the node's event group (one per actor system); the gateway actor joins it. With nobody
// watching, an event goes nowhere.
// Thread-safety: PublishEvent may be called from any actor or thread.
#pragma once

#include <caf/all.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "common/id.h"

namespace lake::actors {

// The event types, as /api/events names them.
namespace event_type {
inline constexpr const char* kPeerJoined = "peer.joined";          // {nodeId, address}
inline constexpr const char* kPeerLeft = "peer.left";              // {nodeId}
inline constexpr const char* kDatasetStored = "dataset.stored";    // {name, datasetId, version,
                                                                   //  rows, chunks, bytes, origin}
inline constexpr const char* kDatasetDeleted = "dataset.deleted";  // {name, version}
inline constexpr const char* kUploadProgress = "upload.progress";  // {name, percent, bytes}
inline constexpr const char* kUploadFailed = "upload.failed";      // {name, error}
inline constexpr const char* kReplicaRepaired = "replica.repaired";  // {copies, handoffs, pending}
inline constexpr const char* kQueryDone = "query.done";  // {sql, outcome, ms, rows, nodesContacted}
}  // namespace event_type

// One event: its type and its fields (a JSON object). The watcher numbers and times it.
struct NodeEvent {
  std::string type;
  nlohmann::json fields;
};

using event_atom = caf::atom_constant<caf::atom("event")>;

// The group every event of `system`'s node goes to: (event_atom, NodeEvent).
caf::group NodeEventGroup(caf::actor_system& system);

void PublishEvent(caf::actor_system& system, std::string type, nlohmann::json fields);

// dataset.stored, from an upload through this node (origin "upload") or a version adopted from
// the network (origin "network").
struct StoredDataset {
  std::string name;
  Id manifest_id;
  uint64_t version = 0;
  uint64_t rows = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;
};
void PublishDatasetStored(caf::actor_system& system, const StoredDataset& dataset,
                          const char* origin);

}  // namespace lake::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lake::actors::NodeEvent)
