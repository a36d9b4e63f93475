#include "common/task_runner.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace lake {
namespace {

// Runs ParallelFor(n) and returns how many times each index ran.
std::vector<int> RunCounts(TaskRunner& runner, size_t n) {
  std::unique_ptr<std::atomic<int>[]> counts(new std::atomic<int>[n == 0 ? 1 : n]);
  for (size_t i = 0; i < n; ++i) counts[i] = 0;
  std::atomic<size_t> out_of_range{0};
  runner.ParallelFor(n, [&](size_t i) {
    if (i >= n) {
      ++out_of_range;
      return;
    }
    // Uneven task lengths make the workers interleave differently.
    if (i % 97 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    counts[i].fetch_add(1);
  });
  CHECK(out_of_range == 0);
  std::vector<int> result(n);
  for (size_t i = 0; i < n; ++i) result[i] = counts[i].load();
  return result;
}

std::unique_ptr<TaskRunner> MakeRunner(int kind) {
  if (kind == 0) return std::make_unique<InlineTaskRunner>();
  return std::make_unique<ThreadPool>(static_cast<size_t>(kind));
}

TEST_CASE("TaskRunner runs each index exactly once", "[common][task_runner]") {
  const int kind = GENERATE(0, 1, 2, 4);  // 0: InlineTaskRunner, else ThreadPool(kind)
  const size_t n = GENERATE(size_t{0}, size_t{1}, size_t{1000});
  INFO("runner " << kind << ", n " << n);
  std::unique_ptr<TaskRunner> runner = MakeRunner(kind);
  const std::vector<int> counts = RunCounts(*runner, n);
  REQUIRE(counts.size() == n);
  size_t wrong = 0;
  for (int c : counts) wrong += c != 1;
  CHECK(wrong == 0);
}

TEST_CASE("TaskRunner with n = 0 never calls the task", "[common][task_runner]") {
  const int kind = GENERATE(0, 1, 3);
  std::unique_ptr<TaskRunner> runner = MakeRunner(kind);
  std::atomic<int> calls{0};
  runner->ParallelFor(0, [&](size_t) { ++calls; });
  CHECK(calls == 0);
}

TEST_CASE("ThreadPool can be reused across many ParallelFor calls", "[common][task_runner]") {
  ThreadPool pool(4);
  for (size_t round = 0; round < 200; ++round) {
    const size_t n = (round * 37) % 130;  // includes 0 and 1-element jobs
    const std::vector<int> counts = RunCounts(pool, n);
    size_t wrong = 0;
    for (int c : counts) wrong += c != 1;
    INFO("round " << round << ", n " << n);
    REQUIRE(wrong == 0);
  }
}

TEST_CASE("ParallelFor returns only after every task has finished", "[common][task_runner]") {
  ThreadPool pool(3);
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> finished{0};
    pool.ParallelFor(12, [&](size_t i) {
      std::this_thread::sleep_for(std::chrono::microseconds(100 * (i % 4)));
      ++finished;
    });
    REQUIRE(finished == 12);
  }
}

TEST_CASE("InlineTaskRunner runs in index order on the calling thread", "[common][task_runner]") {
  InlineTaskRunner runner;
  CHECK(runner.parallelism() == 1);
  std::vector<size_t> order;
  std::set<std::thread::id> threads;
  runner.ParallelFor(50, [&](size_t i) {
    order.push_back(i);
    threads.insert(std::this_thread::get_id());
  });
  REQUIRE(order.size() == 50);
  for (size_t i = 0; i < order.size(); ++i) CHECK(order[i] == i);
  CHECK(threads == std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST_CASE("ThreadPool's parallelism counts the calling thread", "[common][task_runner]") {
  CHECK(ThreadPool(1).parallelism() == 1);
  CHECK(ThreadPool(4).parallelism() == 4);

  // With one thread there are no workers: every task runs on the caller.
  ThreadPool single(1);
  std::set<std::thread::id> threads;
  single.ParallelFor(100, [&](size_t) { threads.insert(std::this_thread::get_id()); });
  CHECK(threads == std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST_CASE("ThreadPool runs tasks concurrently", "[common][task_runner]") {
  // Two tasks wait for each other: that only completes if two threads run them at once. A
  // generous timeout keeps a serial pool from hanging the suite; it then fails the check.
  ThreadPool pool(2);
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  std::atomic<int> met{0};
  pool.ParallelFor(2, [&](size_t) {
    std::unique_lock<std::mutex> lock(mu);
    ++arrived;
    cv.notify_all();
    if (cv.wait_for(lock, std::chrono::seconds(10), [&] { return arrived == 2; })) ++met;
  });
  CHECK(met == 2);
}

}  // namespace
}  // namespace lake
