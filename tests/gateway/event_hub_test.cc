// The event hub and its subscriber streams, driven by calls: numbering, the SSE text, replay after
// a Last-Event-ID, bounded history, dropping a subscriber that falls behind, the subscriber limit,
// and a stream read from another thread.
#include "gateway/event_hub.h"

#include <catch2/catch.hpp>

#include <string>
#include <thread>

namespace lake::gateway {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The JSON data of one SSE message text ("id: N\ndata: {...}\n\n").
json DataOf(const EventStream::Text& text) {
  const std::string& s = *text;
  const size_t data = s.find("\ndata: ");
  REQUIRE(data != std::string::npos);
  REQUIRE(s.size() >= 2);
  REQUIRE(s.substr(s.size() - 2) == "\n\n");
  return json::parse(s.substr(data + 7, s.size() - data - 9));
}

std::vector<uint64_t> DrainIds(EventStream& stream) {
  std::vector<uint64_t> ids;
  while (auto text = stream.Next(Clock::now())) ids.push_back(DataOf(*text)["id"]);
  return ids;
}

TEST_CASE("Events are numbered from 1 and sent as one SSE message each with their fields",
          "[event_hub]") {
  EventHub hub(EventHubOptions{});
  auto stream = hub.Subscribe(std::nullopt);
  REQUIRE(stream.ok());
  CHECK(hub.Publish("dataset.stored", {{"name", "a\nb"}, {"rows", 3}}, 1700000000000) == 1);
  CHECK(hub.Publish("peer.left", {{"nodeId", "ab"}}, 1700000000001) == 2);
  auto first = (*stream)->Next(Clock::now());
  REQUIRE(first);
  CHECK((**first).rfind("id: 1\ndata: ", 0) == 0);
  // A newline inside a field stays escaped: the data is one line.
  CHECK(std::count((**first).begin(), (**first).end(), '\n') == 3);
  const json data = DataOf(*first);
  CHECK(data == json{{"id", 1},
                     {"type", "dataset.stored"},
                     {"time", 1700000000000},
                     {"name", "a\nb"},
                     {"rows", 3}});
  CHECK(DrainIds(**stream) == std::vector<uint64_t>{2});
  CHECK(hub.stats().published == 2);
}

TEST_CASE("A first subscriber gets only what comes after it; a returning one what it missed",
          "[event_hub]") {
  EventHub hub(EventHubOptions{});
  for (int i = 0; i < 5; ++i) hub.Publish("query.done", json::object(), i);
  auto fresh = hub.Subscribe(std::nullopt);
  auto returning = hub.Subscribe(3);
  auto from_start = hub.Subscribe(0);
  REQUIRE((fresh.ok() && returning.ok() && from_start.ok()));
  hub.Publish("query.done", json::object(), 5);
  CHECK(DrainIds(**fresh) == std::vector<uint64_t>{6});
  CHECK(DrainIds(**returning) == std::vector<uint64_t>{4, 5, 6});
  CHECK(DrainIds(**from_start) == std::vector<uint64_t>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("The hub holds only the last `history` events for returning subscribers", "[event_hub]") {
  EventHubOptions options;
  options.history = 3;
  EventHub hub(options);
  for (int i = 0; i < 10; ++i) hub.Publish("peer.joined", json::object(), i);
  auto returning = hub.Subscribe(2);
  REQUIRE(returning.ok());
  CHECK(DrainIds(**returning) == std::vector<uint64_t>{8, 9, 10});
}

TEST_CASE("A subscriber that falls behind is dropped, keeps what it had, and others go on",
          "[event_hub]") {
  EventHubOptions options;
  options.stream_capacity = 4;
  options.history = 2;
  EventHub hub(options);
  auto slow = hub.Subscribe(std::nullopt);
  auto fast = hub.Subscribe(std::nullopt);
  REQUIRE((slow.ok() && fast.ok()));
  for (int i = 0; i < 6; ++i) {
    hub.Publish("query.done", json::object(), i);
    CHECK(DrainIds(**fast) == std::vector<uint64_t>{uint64_t(i) + 1});
  }
  CHECK((*slow)->closed());
  CHECK(DrainIds(**slow) == std::vector<uint64_t>{1, 2, 3, 4});
  const EventHubStats stats = hub.stats();
  CHECK(stats.subscribers_dropped == 1);
  CHECK(stats.subscribers == 1);
  CHECK_FALSE((*fast)->closed());
}

TEST_CASE("Subscribers past the limit are refused until one leaves", "[event_hub]") {
  EventHubOptions options;
  options.max_subscribers = 2;
  EventHub hub(options);
  auto a = hub.Subscribe(std::nullopt);
  auto b = hub.Subscribe(std::nullopt);
  REQUIRE((a.ok() && b.ok()));
  auto refused = hub.Subscribe(std::nullopt);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Status::Code::kUnavailable);
  CHECK(hub.stats().subscribers_refused == 1);
  (*a)->Close();  // its reader left
  CHECK(hub.Subscribe(std::nullopt).ok());
  CHECK(hub.stats().subscribers == 2);
}

TEST_CASE("CloseAll ends every stream, waking a reader that waits", "[event_hub]") {
  EventHub hub(EventHubOptions{});
  auto stream = hub.Subscribe(std::nullopt);
  REQUIRE(stream.ok());
  std::optional<EventStream::Text> got = EventStream::Text{};
  const auto started = Clock::now();
  std::thread reader([&] { got = (*stream)->Next(Clock::now() + std::chrono::seconds(30)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  hub.CloseAll();
  reader.join();
  CHECK_FALSE(got);
  CHECK((*stream)->closed());
  CHECK(Clock::now() - started < std::chrono::seconds(10));
  CHECK(hub.stats().subscribers == 0);
}

TEST_CASE("A reader on another thread receives what is published, in order", "[event_hub]") {
  EventHub hub(EventHubOptions{});
  auto stream = hub.Subscribe(std::nullopt);
  REQUIRE(stream.ok());
  std::vector<uint64_t> ids;
  std::thread reader([&] {
    while (ids.size() < 200) {
      auto text = (*stream)->Next(Clock::now() + std::chrono::seconds(10));
      if (!text) break;
      ids.push_back(DataOf(*text)["id"]);
    }
  });
  for (int i = 0; i < 200; ++i) hub.Publish("query.done", json::object(), i);
  reader.join();
  REQUIRE(ids.size() == 200);
  for (size_t i = 0; i < ids.size(); ++i) CHECK(ids[i] == i + 1);
}

}  // namespace
}  // namespace lake::gateway
