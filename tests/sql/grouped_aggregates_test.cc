// GroupedAggregates against a brute-force reference: group keys of every type (NULLs, -0.0 and
// 0.0 among them), every aggregate kind, DISTINCT ones over numbers, dates and strings, rows read
// through selection vectors and spread unevenly over several partials, which merge on one thread
// or several, below and past the partition threshold, and after a trip through their wire form.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/batch.h"
#include "common/msgpack_util.h"
#include "common/rng.h"
#include "common/task_runner.h"
#include "sql/grouped_aggregates.h"
#include "tests/sql/key_cells.h"

namespace lake::sql {
namespace {

using testing::Cell;
using testing::CellOf;
using testing::RandomColumn;

// The arguments, after the keys: x BIGINT, y DOUBLE (multiples of 0.25, so that every sum is exact
// in any order), s VARCHAR, d DATE; each NULL one time in ten.
std::vector<Vector> RandomArguments(size_t rows, Rng& rng) {
  std::vector<Vector> cols;
  for (LogicalType t :
       {LogicalType::kBigInt, LogicalType::kDouble, LogicalType::kVarchar, LogicalType::kDate}) {
    cols.emplace_back(t);
  }
  for (size_t i = 0; i < rows; ++i) {
    for (Vector& c : cols) {
      if (rng.Uniform(10) == 0) {
        c.AppendNull();
        continue;
      }
      const int64_t v = static_cast<int64_t>(rng.Uniform(41)) - 20;
      switch (c.type()) {
        case LogicalType::kBigInt:
          c.Append<int64_t>(v * 3);
          break;
        case LogicalType::kDouble:
          c.Append<double>(v == 0 && rng.Uniform(2) ? -0.0 : static_cast<double>(v) / 4);
          break;
        case LogicalType::kVarchar:
          c.AppendString("s" + std::to_string(v + 20));
          break;
        default:
          c.Append<int32_t>(static_cast<int32_t>(v));
          break;
      }
    }
  }
  return cols;
}

BoundAggregate Aggregate(AggregateKind kind, bool distinct, size_t column, LogicalType arg,
                         LogicalType result) {
  BoundAggregate a;
  a.kind = kind;
  a.distinct = distinct;
  if (kind != AggregateKind::kCountStar) {
    a.argument = std::make_unique<BoundExpr>();
    a.argument->kind = BoundExpr::Kind::kColumn;
    a.argument->column = column;
    a.argument->type = arg;
  }
  a.type = result;
  return a;
}

// Every aggregate the reference below computes, over argument columns x, y, s, d at `first`.
std::vector<BoundAggregate> Aggregates(size_t first) {
  using K = AggregateKind;
  using T = LogicalType;
  const size_t x = first, y = first + 1, s = first + 2, d = first + 3;
  std::vector<BoundAggregate> a;
  a.push_back(Aggregate(K::kCountStar, false, 0, T::kBigInt, T::kBigInt));
  a.push_back(Aggregate(K::kCount, false, y, T::kDouble, T::kBigInt));
  a.push_back(Aggregate(K::kSum, false, x, T::kBigInt, T::kBigInt));
  a.push_back(Aggregate(K::kAvg, false, y, T::kDouble, T::kDouble));
  a.push_back(Aggregate(K::kMin, false, s, T::kVarchar, T::kVarchar));
  a.push_back(Aggregate(K::kMax, false, y, T::kDouble, T::kDouble));
  a.push_back(Aggregate(K::kMin, false, x, T::kBigInt, T::kBigInt));
  a.push_back(Aggregate(K::kCount, true, s, T::kVarchar, T::kBigInt));
  a.push_back(Aggregate(K::kSum, true, x, T::kBigInt, T::kBigInt));
  a.push_back(Aggregate(K::kCount, true, y, T::kDouble, T::kBigInt));
  a.push_back(Aggregate(K::kAvg, true, y, T::kDouble, T::kDouble));
  a.push_back(Aggregate(K::kMax, true, d, T::kDate, T::kDate));
  a.push_back(Aggregate(K::kMin, true, s, T::kVarchar, T::kVarchar));
  return a;
}

// One group's inputs, and the answers of Aggregates() over them, as cells.
struct Inputs {
  int64_t rows = 0;
  std::vector<int64_t> x;
  std::vector<double> y;  // -0.0 as 0.0
  std::vector<std::string> s;
  std::vector<int32_t> d;

  std::vector<Cell> Answers() const {
    const auto real = [](double v) -> Cell { return std::to_string(v); };
    const auto integer = [](int64_t v) -> Cell { return std::to_string(v); };
    const std::set<int64_t> xs(x.begin(), x.end());
    const std::set<double> ys(y.begin(), y.end());
    const std::set<std::string> ss(s.begin(), s.end());
    const std::set<int32_t> ds(d.begin(), d.end());
    double y_sum = 0, distinct_y_sum = 0;
    for (double v : y) y_sum += v;
    for (double v : ys) distinct_y_sum += v;
    int64_t x_sum = 0, distinct_x_sum = 0;
    for (int64_t v : x) x_sum += v;
    for (int64_t v : xs) distinct_x_sum += v;
    return {
        integer(rows),
        integer(static_cast<int64_t>(y.size())),
        x.empty() ? Cell() : integer(x_sum),
        y.empty() ? Cell() : real(y_sum / static_cast<double>(y.size())),
        ss.empty() ? Cell() : *ss.begin(),
        ys.empty() ? Cell() : real(*ys.rbegin()),
        xs.empty() ? Cell() : integer(*xs.begin()),
        integer(static_cast<int64_t>(ss.size())),
        xs.empty() ? Cell() : integer(distinct_x_sum),
        integer(static_cast<int64_t>(ys.size())),
        ys.empty() ? Cell() : real(distinct_y_sum / static_cast<double>(ys.size())),
        ds.empty() ? Cell() : std::to_string(*ds.rbegin()),
        ss.empty() ? Cell() : *ss.begin(),
    };
  }
};

// `partial` packed and unpacked again.
std::unique_ptr<GroupedAggregates> ThroughWire(const GroupedAggregates& partial,
                                               const std::vector<LogicalType>& key_types,
                                               const std::vector<BoundAggregate>& aggregates) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  partial.Pack(pk);
  const Bytes bytes = BufferBytes(buffer);  // the unpacked object points into it
  msgpack::object_handle handle;
  REQUIRE(UnpackUntrusted(bytes, &handle).ok());
  Result<std::unique_ptr<GroupedAggregates>> back =
      GroupedAggregates::Unpack(handle.get(), key_types, aggregates);
  REQUIRE(back.ok());
  return std::move(*back);
}

TEST_CASE(
    "Partial aggregates merged in parallel, partitioned or not, match a brute-force reference",
    "[sql][aggregates]") {
  const std::vector<std::vector<LogicalType>> shapes = {
      {},
      {LogicalType::kBigInt},
      {LogicalType::kVarchar},
      {LogicalType::kDouble},
      {LogicalType::kVarchar, LogicalType::kDate, LogicalType::kBoolean},
      {LogicalType::kTimestamp, LogicalType::kVarchar},
  };
  Rng rng(21);
  ThreadPool pool(3);
  InlineTaskRunner here;
  int merges = 0;
  for (size_t threshold : {size_t{0}, size_t{1}, size_t{50}}) {
    testing::ScopedPartitionThreshold split_at(threshold);
    for (const std::vector<LogicalType>& shape : shapes) {
      for (uint64_t distinct : {4u, 300u, 2000u}) {
        for (size_t workers : {1u, 3u}) {
          const bool wire = (merges++ % 3) == 0;
          const size_t rows = 6000;
          std::vector<Vector> columns;
          for (LogicalType t : shape) columns.push_back(RandomColumn(t, rows, distinct, rng));
          for (Vector& a : RandomArguments(rows, rng)) columns.push_back(std::move(a));
          const std::vector<BoundAggregate> aggregates = Aggregates(shape.size());

          // Rows go out in pieces of 500, every other piece through a selection of about half
          // of them; partial 0 gets only the first piece, so that its tables stay small.
          std::map<std::vector<Cell>, Inputs> reference;
          std::vector<std::unique_ptr<GroupedAggregates>> partials;
          for (size_t w = 0; w < workers; ++w) {
            partials.push_back(std::make_unique<GroupedAggregates>(shape, aggregates));
          }
          for (size_t offset = 0, piece = 0; offset < rows; offset += 500, ++piece) {
            std::vector<uint32_t> selection;
            for (size_t r = offset; r < std::min(rows, offset + 500); ++r) {
              if (piece % 2 == 0 || rng.Uniform(2) == 0) {
                selection.push_back(static_cast<uint32_t>(r));
              }
            }
            std::vector<SelectedVector> keys, arguments;
            for (size_t k = 0; k < shape.size(); ++k) {
              keys.push_back(SelectedVector{&columns[k], selection.data()});
            }
            for (const BoundAggregate& a : aggregates) {
              arguments.push_back(
                  a.argument ? SelectedVector{&columns[a.argument->column], selection.data()}
                             : SelectedVector{});
            }
            const size_t w = piece == 0 ? 0 : 1 + piece % std::max<size_t>(1, workers - 1);
            partials[std::min(w, workers - 1)]->Update(keys, arguments, selection.size());
            for (uint32_t r : selection) {
              std::vector<Cell> tuple;
              for (size_t k = 0; k < shape.size(); ++k) tuple.push_back(CellOf(columns[k], r));
              Inputs& in = reference[tuple];
              const size_t x = shape.size();
              ++in.rows;
              if (columns[x].IsValid(r)) in.x.push_back(columns[x].Get<int64_t>(r));
              if (columns[x + 1].IsValid(r)) {
                const double y = columns[x + 1].Get<double>(r);
                in.y.push_back(y == 0 ? 0.0 : y);
              }
              if (columns[x + 2].IsValid(r)) in.s.emplace_back(columns[x + 2].GetString(r));
              if (columns[x + 3].IsValid(r)) in.d.push_back(columns[x + 3].Get<int32_t>(r));
            }
          }
          if (shape.empty() && reference.empty()) reference[{}];  // the one group of no rows
          if (wire) {
            for (auto& p : partials) p = ThroughWire(*p, shape, aggregates);
          }
          std::unique_ptr<GroupedAggregates> total = GroupedAggregates::Merge(
              std::move(partials), workers > 1 ? static_cast<TaskRunner*>(&pool) : &here);
          Result<std::vector<Vector>> out = total->Finalize();
          REQUIRE(out.ok());
          INFO("threshold " << threshold << ", " << shape.size() << " keys, " << distinct
                            << " values, " << workers << " partials" << (wire ? ", wire" : ""));
          REQUIRE(out->size() == shape.size() + aggregates.size());
          REQUIRE((*out)[0].size() == reference.size());
          std::set<std::vector<Cell>> seen;
          for (size_t g = 0; g < reference.size(); ++g) {
            std::vector<Cell> tuple, answers;
            for (size_t k = 0; k < shape.size(); ++k) tuple.push_back(CellOf((*out)[k], g));
            for (size_t a = 0; a < aggregates.size(); ++a) {
              answers.push_back(CellOf((*out)[shape.size() + a], g));
            }
            REQUIRE(seen.insert(tuple).second);
            REQUIRE(reference.count(tuple) == 1);
            CHECK(answers == reference[tuple].Answers());
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace lake::sql
