#include "common/task_runner.h"

namespace lake {

ThreadPool::ThreadPool(size_t threads) {
  for (size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::ParallelFor(size_t n, const std::function<void(size_t)>& task) {
  if (n == 0) return;
  std::unique_lock<std::mutex> lock(mu_);
  task_ = &task;
  job_size_ = n;
  next_index_ = 0;
  unfinished_ = n;
  ++generation_;
  work_cv_.notify_all();
  RunClaimed(lock);
  done_cv_.wait(lock, [this] { return unfinished_ == 0; });
  task_ = nullptr;
}

void ThreadPool::RunClaimed(std::unique_lock<std::mutex>& lock) {
  while (task_ != nullptr && next_index_ < job_size_) {
    const size_t index = next_index_++;
    const auto* task = task_;
    lock.unlock();
    (*task)(index);
    lock.lock();
    if (--unfinished_ == 0) done_cv_.notify_all();
  }
}

void ThreadPool::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t seen_generation = 0;
  while (true) {
    work_cv_.wait(lock, [&] { return stopping_ || generation_ != seen_generation; });
    if (stopping_) return;
    seen_generation = generation_;
    RunClaimed(lock);
  }
}

}  // namespace lake
