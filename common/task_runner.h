// TaskRunner: how pure code asks for data parallelism without owning threads. The simulator and
// deterministic tests pass an InlineTaskRunner; the CLI and nodes pass a ThreadPool.
// Thread-safety: ParallelFor may be called from one thread at a time per runner.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lake {

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  // Runs task(i) for every i in [0, n) and returns when all have finished. Tasks must not throw.
  virtual void ParallelFor(size_t n, const std::function<void(size_t)>& task) = 0;
  virtual size_t parallelism() const = 0;
};

// Runs tasks one after another on the calling thread, in index order.
class InlineTaskRunner final : public TaskRunner {
 public:
  void ParallelFor(size_t n, const std::function<void(size_t)>& task) override {
    for (size_t i = 0; i < n; ++i) task(i);
  }
  size_t parallelism() const override { return 1; }
};

// A fixed set of worker threads; the calling thread works too, so `threads` = 1 means no workers.
class ThreadPool final : public TaskRunner {
 public:
  // REQUIRES: threads >= 1.
  explicit ThreadPool(size_t threads);
  ~ThreadPool() override;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void ParallelFor(size_t n, const std::function<void(size_t)>& task) override;
  size_t parallelism() const override { return workers_.size() + 1; }

 private:
  void WorkerLoop();
  // Claims and runs indices of the current job until none is left. REQUIRES: mu_ held via lock.
  void RunClaimed(std::unique_lock<std::mutex>& lock);

  std::vector<std::thread> workers_;
  // State below is protected by mu_.
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  const std::function<void(size_t)>* task_ = nullptr;
  size_t job_size_ = 0;
  size_t next_index_ = 0;
  size_t unfinished_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
};

}  // namespace lake
