// gateway/bounded_task_queue.h: jobs within the bound run on the workers, in order; past it they
// run on the shedding thread at once, which says so; shutdown runs what is queued.
#include "gateway/bounded_task_queue.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <vector>

namespace lake::gateway {
namespace {

TEST_CASE("Jobs past the workers and the queue bound run on the shedding thread",
          "[gateway][pool]") {
  std::mutex mu;
  std::vector<std::pair<int, bool>> ran;  // job number, on the shedding thread
  auto record = [&](int job) {
    std::lock_guard<std::mutex> lock(mu);
    ran.emplace_back(job, BoundedTaskQueue::OnSheddingThread());
  };
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;

  BoundedTaskQueue queue(/*workers=*/1, /*max_waiting=*/1);
  queue.enqueue([&] {
    record(1);
    holding.set_value();
    released.wait();  // holds the one worker
  });
  holding.get_future().wait();
  queue.enqueue([&] { record(2); });  // waits for the worker
  std::promise<void> shed_done;
  queue.enqueue([&] {  // past the bound: shed, while the worker is still held
    record(3);
    shed_done.set_value();
  });
  REQUIRE(shed_done.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK_FALSE(BoundedTaskQueue::OnSheddingThread());  // only that thread is one
  release.set_value();
  queue.shutdown();  // runs job 2 first
  queue.shutdown();  // idempotent

  const std::vector<std::pair<int, bool>> expected{{1, false}, {3, true}, {2, false}};
  CHECK(ran == expected);
}

TEST_CASE("A free worker takes a job however small the queue bound", "[gateway][pool]") {
  BoundedTaskQueue queue(/*workers=*/2, /*max_waiting=*/0);
  std::promise<bool> first;
  std::promise<bool> second;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  queue.enqueue([&] {
    first.set_value(BoundedTaskQueue::OnSheddingThread());
    released.wait();
  });
  queue.enqueue([&] { second.set_value(BoundedTaskQueue::OnSheddingThread()); });
  CHECK_FALSE(first.get_future().get());
  CHECK_FALSE(second.get_future().get());
  release.set_value();
  // The jobs refer to this scope's promises: they must be done before those are destroyed.
  queue.shutdown();
}

}  // namespace
}  // namespace lake::gateway
