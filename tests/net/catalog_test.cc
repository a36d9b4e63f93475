// The catalog across real `p2plake node` processes on 127.0.0.1: a pointer made on one node (an
// upload's, a delete's tombstone) reaches the others by gossip, one round trip after the answer,
// rather than waiting for the next anti-entropy exchange (every 2 s).
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "tests/net/node_api.h"
#include "tests/net/node_process.h"

namespace lake::nettest {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

TEST_CASE(
    "A dataset deleted through a node that has just started disappears from every node at "
    "once",
    "[net][catalog]") {
  const std::string dir = FreshTestDir("catalog-delete");
  NodeProcess a(dir + "/a"), b(dir + "/b"), c(dir + "/c");
  // b is the seed: it starts alone, and its first view of its contacts is empty.
  StartMesh({&b, &a, &c}, {});
  const UploadReply upload = PostCsv(a.http_port(), "doomed", "id,name\n1,x\n2,y\n");
  INFO("upload: " << upload);
  REQUIRE(upload.status == 201);
  REQUIRE(Eventually(
      [&] {
        return ListsVersion(a, "doomed", 1) && ListsVersion(b, "doomed", 1) &&
               ListsVersion(c, "doomed", 1);
      },
      seconds(5)));

  REQUIRE(DeleteDataset(b.http_port(), "doomed"));
  const auto deleted = Clock::now();
  // Gossip takes one round trip on loopback; anti-entropy alone would take up to 2 s.
  const bool gone = Eventually([&] { return Unlisted(a, "doomed") && Unlisted(c, "doomed"); },
                               std::chrono::milliseconds(800), std::chrono::milliseconds(10));
  INFO("gone after "
       << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - deleted).count()
       << " ms");
  CHECK(gone);
  CHECK(Eventually([&] { return Unlisted(a, "doomed") && Unlisted(c, "doomed"); }, seconds(5)));
}

}  // namespace
}  // namespace lake::nettest
