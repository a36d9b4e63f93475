#include "gateway/event_route.h"

#include <httplib.h>

#include <optional>
#include <string>

#include "gateway/gateway_actor.h"
#include "gateway/http_reply.h"

namespace lake::gateway {
namespace {

// The id a reconnecting client last saw: the Last-Event-ID header EventSource sends, or a
// lastEventId parameter for clients that cannot set headers. Anything but a number is ignored
// (the client then starts from now, as on a first connection).
std::optional<uint64_t> LastSeenId(const httplib::Request& req) {
  std::string text = req.get_header_value("Last-Event-ID");
  if (text.empty()) text = req.get_param_value("lastEventId");
  if (text.empty() || text.size() > 19 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoull(text);
}

}  // namespace

void ServeEvents(caf::actor_system& system, const caf::actor& gateway,
                 std::chrono::milliseconds heartbeat, const httplib::Request& req,
                 httplib::Response& res) {
  Result<std::shared_ptr<EventStream>> subscribed = Ask<std::shared_ptr<EventStream>>(
      system, gateway, std::chrono::seconds(5), subscribe_atom::value, LastSeenId(req));
  if (!subscribed.ok()) {
    if (subscribed.status().code() == Status::Code::kUnavailable) {
      res.set_header("Retry-After", "1");
    }
    return ReplyError(res, subscribed.status());
  }
  std::shared_ptr<EventStream> stream = std::move(subscribed).value();
  res.set_header("Cache-Control", "no-cache");
  // Proxies that buffer (nginx) would hold the events back.
  res.set_header("X-Accel-Buffering", "no");
  auto opened = std::make_shared<bool>(false);
  res.set_chunked_content_provider(
      "text/event-stream",
      [stream, heartbeat, opened](size_t, httplib::DataSink& sink) {
        if (!*opened) {
          *opened = true;
          static const std::string kHello = "retry: 2000\n\n";
          return sink.write(kHello.data(), kHello.size());
        }
        std::optional<EventStream::Text> text =
            stream->Next(std::chrono::steady_clock::now() + heartbeat);
        if (text) return sink.write((*text)->data(), (*text)->size());
        if (stream->closed()) {
          sink.done();  // dropped for falling behind, or the gateway is stopping
          return true;
        }
        static const std::string kHeartbeat = ": keep-alive\n\n";
        return sink.write(kHeartbeat.data(), kHeartbeat.size());  // false: the client left
      },
      [stream](bool) { stream->Close(); });
}

}  // namespace lake::gateway
