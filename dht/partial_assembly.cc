#include "dht/partial_assembly.h"

#include <string>
#include <utility>

namespace lake::dht {

Result<std::optional<Bytes>> PartialAssembly::Add(const QueryMessage& piece) {
  if (spent_) return Status::Corruption("partial result: a piece after the last");
  if (piece.kind != QueryMessageKind::kPartial || piece.piece != next_piece_) {
    spent_ = true;
    return Status::Corruption("partial result: piece " + std::to_string(piece.piece) +
                              " where piece " + std::to_string(next_piece_) + " was due");
  }
  if (piece.data.size() > max_bytes_ - bytes_.size()) {
    spent_ = true;
    return Status::Corruption("partial result: larger than " + std::to_string(max_bytes_) +
                              " bytes");
  }
  bytes_.insert(bytes_.end(), piece.data.begin(), piece.data.end());
  ++next_piece_;
  if (!piece.last) return std::optional<Bytes>();
  spent_ = true;
  return std::optional<Bytes>(std::move(bytes_));
}

}  // namespace lake::dht
