#include "local/pinned_version.h"

#include <strings.h>

#include "common/hash.h"
#include "local/network_catalog.h"
#include "store/catalog.h"

namespace lake::local {

Result<std::optional<PinnedVersion>> CurrentVersion(store::ChunkStore& store,
                                                    const std::string& name) {
  LAKE_ASSIGN_OR_RETURN(std::optional<store::Manifest> manifest, store::LoadManifest(store, name));
  if (!manifest) {
    LAKE_ASSIGN_OR_RETURN(std::vector<store::Manifest> all, store::ListManifests(store));
    for (store::Manifest& m : all) {
      if (strcasecmp(m.name.c_str(), name.c_str()) == 0) manifest = std::move(m);
    }
    if (!manifest) return std::optional<PinnedVersion>();
  }
  LAKE_ASSIGN_OR_RETURN(std::optional<dht::DatasetPointer> pointer,
                        NetworkCatalog(store).Pointer(manifest->name));
  if (pointer && !pointer->deleted) {
    // The pointer's manifest object, not the dataset record: an adoption between two reads
    // cannot pair one version's id with another's chunks.
    LAKE_ASSIGN_OR_RETURN(std::optional<Bytes> bytes,
                          LoadManifestObject(store, pointer->manifest_id));
    if (bytes) {
      LAKE_ASSIGN_OR_RETURN(store::Manifest pinned, store::DecodeManifest(*bytes));
      return std::optional<PinnedVersion>(
          PinnedVersion{std::move(pinned), pointer->manifest_id, true});
    }
  }
  const Id id = Blake2b256(store::EncodeManifest(*manifest));
  return std::optional<PinnedVersion>(PinnedVersion{std::move(*manifest), id, false});
}

}  // namespace lake::local
