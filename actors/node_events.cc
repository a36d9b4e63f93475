#include "actors/node_events.h"

namespace lake::actors {

caf::group NodeEventGroup(caf::actor_system& system) {
  return system.groups().get_local("p2plake.node_events");
}

void PublishEvent(caf::actor_system& system, std::string type, nlohmann::json fields) {
  caf::anon_send(NodeEventGroup(system), event_atom::value,
                 NodeEvent{std::move(type), std::move(fields)});
}

void PublishDatasetStored(caf::actor_system& system, const StoredDataset& dataset,
                          const char* origin) {
  PublishEvent(system, event_type::kDatasetStored,
               {{"name", dataset.name},
                {"datasetId", dataset.manifest_id.ToHex()},
                {"version", dataset.version},
                {"rows", dataset.rows},
                {"chunks", dataset.chunks},
                {"bytes", dataset.bytes},
                {"origin", origin}});
}

}  // namespace lake::actors
