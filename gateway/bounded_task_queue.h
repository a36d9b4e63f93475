// BoundedTaskQueue: the HTTP server's worker pool, with a bound on the connections that wait for
// a worker. httplib hands each accepted connection over as a job that owns the socket and cannot
// be refused, so a job past the bound runs on one shedding thread instead, where every request is
// answered 503 at once (the server's pre-routing handler asks OnSheddingThread()). The server
// owns it (httplib::Server::new_task_queue). Thread-safety: enqueue and shutdown from any thread.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lake::gateway {

class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  // `workers` threads serve connections; up to `max_waiting` more wait for one of them.
  // REQUIRES: workers >= 1
  BoundedTaskQueue(size_t workers, size_t max_waiting);
  BoundedTaskQueue(const BoundedTaskQueue&) = delete;
  BoundedTaskQueue& operator=(const BoundedTaskQueue&) = delete;
  ~BoundedTaskQueue() override;  // shuts down if not yet done

  void enqueue(std::function<void()> job) override;
  // Runs the jobs already queued, then joins every thread. Idempotent.
  void shutdown() override;

  // True on the shedding thread of any BoundedTaskQueue: its requests are to be answered 503.
  static bool OnSheddingThread();

 private:
  using Jobs = std::deque<std::function<void()>>;

  // Runs the jobs of `jobs` until shutdown finds it empty; `busy` (if given) counts the running.
  void Serve(Jobs& jobs, std::condition_variable& ready, size_t* busy);

  // Immutable after construction
  const size_t workers_count_;
  const size_t max_waiting_;

  // Mutable state, guarded by mutex_
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable shed_ready_;
  Jobs jobs_;        // connections waiting for a worker
  Jobs shed_jobs_;   // connections past the bound
  size_t busy_ = 0;  // workers running a job
  bool stopping_ = false;

  // Started by the constructor, joined by shutdown()
  std::vector<std::thread> threads_;  // the workers, then the shedding thread
};

}  // namespace lake::gateway
