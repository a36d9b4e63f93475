#include "gateway/bounded_task_queue.h"

#include <cassert>

namespace lake::gateway {
namespace {

thread_local bool on_shedding_thread = false;

}  // namespace

BoundedTaskQueue::BoundedTaskQueue(size_t workers, size_t max_waiting)
    : workers_count_(workers), max_waiting_(max_waiting) {
  assert(workers >= 1);
  threads_.reserve(workers + 1);
  for (size_t i = 0; i < workers; ++i) {
    threads_.emplace_back([this] { Serve(jobs_, work_ready_, &busy_); });
  }
  threads_.emplace_back([this] {
    on_shedding_thread = true;
    Serve(shed_jobs_, shed_ready_, nullptr);
  });
}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

void BoundedTaskQueue::enqueue(std::function<void()> job) {
  std::unique_lock lock(mutex_);
  // Each worker is running a job or about to take one of jobs_: what is left over waits.
  if (busy_ + jobs_.size() < workers_count_ + max_waiting_) {
    jobs_.push_back(std::move(job));
    lock.unlock();
    work_ready_.notify_one();
  } else {
    shed_jobs_.push_back(std::move(job));
    lock.unlock();
    shed_ready_.notify_one();
  }
}

void BoundedTaskQueue::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  work_ready_.notify_all();
  shed_ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

bool BoundedTaskQueue::OnSheddingThread() { return on_shedding_thread; }

void BoundedTaskQueue::Serve(Jobs& jobs, std::condition_variable& ready, size_t* busy) {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready.wait(lock, [&] { return stopping_ || !jobs.empty(); });
      if (jobs.empty()) return;  // stopping, and nothing left to run
      job = std::move(jobs.front());
      jobs.pop_front();
      if (busy != nullptr) ++*busy;
    }
    job();
    if (busy != nullptr) {
      std::lock_guard lock(mutex_);
      --*busy;
    }
  }
}

}  // namespace lake::gateway
