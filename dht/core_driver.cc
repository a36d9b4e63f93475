#include "dht/core_driver.h"

#include <utility>

#include "dht/messages.h"

namespace lake::dht {

CoreDriver::CoreDriver(std::unique_ptr<DhtCore> core, Callbacks callbacks)
    : core_(std::move(core)), callbacks_(std::move(callbacks)) {}

void CoreDriver::Flush() {
  DhtCore::Outbox out = core_->TakeOutbox();
  for (const DhtCore::Send& send : out.sends) callbacks_.send(send.to, EncodeMessage(send.message));
  for (const std::string& address : out.dials) callbacks_.dial(address);
  for (DhtCore::OperationResult& result : out.results) {
    ++operations_finished_;
    auto it = waiting_.find(result.id);
    if (it == waiting_.end()) continue;  // maintenance lookups nobody waits for
    Completion done = std::move(it->second);
    waiting_.erase(it);
    done(std::move(result));
  }
  const TimePoint wake = core_->NextWakeup();
  if (wake == TimePoint{} || (armed_ && *armed_ <= wake)) return;
  armed_ = wake;
  callbacks_.schedule(wake);
}

void CoreDriver::Await(DhtCore::OperationId id, Completion done) {
  waiting_.emplace(id, std::move(done));
  Flush();
}

void CoreDriver::OnWakeup(TimePoint now) {
  // The armed tick is spent once its time has come; a stale, later tick leaves it armed.
  if (armed_ && *armed_ <= now) armed_.reset();
  core_->OnTimer(now);
  Flush();
}

}  // namespace lake::dht
