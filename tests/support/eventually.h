// Eventually: waits for a condition that other threads, actors or processes make true, by asking
// it every `step` until it holds or `timeout` has passed. Returns its last answer.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace lake::testing {

inline bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds step = std::chrono::milliseconds(50)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

}  // namespace lake::testing
