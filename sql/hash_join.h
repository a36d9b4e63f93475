// HashJoinTable: the build side of a hash join. It indexes the build rows by their key tuple
// with a GroupTable (each distinct tuple a group) and lists each group's rows contiguously, so a
// probe vector finds its groups in one vectorised lookup and expands them into (probe row,
// build row) pairs in a tight loop over arrays. Rows with a NULL key are never indexed and
// probe rows with one never match (SQL equality). With no keys every pair matches: the table is
// then a nested loop's inner side.
// Thread-safety: immutable after construction; Probe may run concurrently (scratch per caller).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/vector.h"
#include "sql/group_table.h"
#include "sql/selected_vector.h"

namespace lake::sql {

class HashJoinTable {
 public:
  // `keys`: one whole column per key (equally long, `rows` rows), of the key types.
  HashJoinTable(const std::vector<Vector>& keys, size_t rows);

  // Per-caller scratch for Probe.
  struct Scratch {
    std::vector<uint32_t> groups;
    std::vector<uint64_t> hashes;
  };

  // For logical rows [0, count) of `keys` (one per key column, as built), appends a pair per
  // match: the probe row to probe_rows and the build row to build_rows, probe rows ascending.
  void Probe(const std::vector<SelectedVector>& keys, size_t count, Scratch* scratch,
             std::vector<uint32_t>* probe_rows, std::vector<uint32_t>* build_rows) const;

  size_t rows() const { return rows_; }

 private:
  size_t rows_;
  std::optional<GroupTable> groups_;  // absent without keys
  std::vector<uint32_t> starts_;      // group g's rows: rows_of_[starts_[g], starts_[g + 1])
  std::vector<uint32_t> rows_of_;
};

}  // namespace lake::sql
