// How values order: doubles totally, as PostgreSQL orders them (NaN after every other value and
// equal to itself), so ORDER BY, set operations and correlated lookups see a strict weak order.
#include "sql/value.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include "sql/row_order.h"

namespace lake::sql {
namespace {

TEST_CASE("Doubles order totally: NaN after infinity, equal to NaN", "[sql][value]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> ascending = {-inf, -1.5, 0.0, 2.0, inf, nan};
  for (size_t i = 0; i < ascending.size(); ++i) {
    for (size_t j = 0; j < ascending.size(); ++j) {
      const int expected = i < j ? -1 : (i > j ? 1 : 0);
      INFO(ascending[i] << " vs " << ascending[j]);
      CHECK(CompareDoubles(ascending[i], ascending[j]) == expected);
      CHECK(CompareValues(Value::Double(ascending[i]), Value::Double(ascending[j])) == expected);
    }
  }
  CHECK(CompareDoubles(nan, -nan) == 0);

  // Rows keyed by NaN are found again, and counted once.
  std::set<Row, RowLess> rows;
  rows.insert({Value::Double(nan)});
  rows.insert({Value::Double(1.0)});
  rows.insert({Value::Double(nan)});
  CHECK(rows.size() == 2);
  CHECK(rows.count({Value::Double(nan)}) == 1);
  CHECK(rows.count({Value::Double(2.0)}) == 0);
}

TEST_CASE("ORDER BY over a column with NaN sorts it last ascending", "[sql][value]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Vector column(LogicalType::kDouble);
  for (double d : {3.0, nan, -1.0, nan, 0.5}) column.Append<double>(d);
  const std::vector<Vector> columns{column};
  const std::vector<BoundOrder> ascending{BoundOrder{0, false, false}};
  std::vector<size_t> rows = {0, 1, 2, 3, 4};
  std::sort(rows.begin(), rows.end(),
            [&](size_t a, size_t b) { return CompareRows(columns, ascending, a, b) < 0; });
  CHECK(column.Get<double>(rows[0]) == -1.0);
  CHECK(column.Get<double>(rows[1]) == 0.5);
  CHECK(column.Get<double>(rows[2]) == 3.0);
  CHECK(std::isnan(column.Get<double>(rows[3])));
  CHECK(std::isnan(column.Get<double>(rows[4])));
}

}  // namespace
}  // namespace lake::sql
