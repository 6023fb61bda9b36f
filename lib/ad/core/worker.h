// worker.h: a background thread that runs tasks in the order they are handed over.
//
// A pipeline of two stages, for example reading and parsing on the caller's thread and
// scoring and writing on the worker's: the caller fills a buffer, submit()s a task
// that processes it, and goes on filling another while the worker runs the task.
// Tasks run one at a time in submission order, so whatever they write comes out in
// input order. At most `depth` tasks wait besides the one running, and submit() blocks
// while that many wait, so memory stays bounded. A caller that cycles through
// depth + 2 buffers never refills one a task may still be reading: when submit() of
// buffer k returns, the task of buffer k - 2 has started, so that of k - depth - 2 has
// ended.
//
// Errors: the first exception a task throws is kept, later tasks are not run, and
// submit() or wait() rethrows it on the caller's thread. The destructor lets the
// worker run the tasks already handed over (as a caller that stops early for an error
// of its own would have done their work before stopping), drops any new error, and
// joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace ad {

class SerialWorker {
 public:
  explicit SerialWorker(std::size_t depth = 1);
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;
  ~SerialWorker();

  // Hands a task over. Rethrows the first error of an earlier task.
  void submit(std::function<void()> task);
  // Waits until every task handed over has run. Rethrows the first error of one.
  void wait();

 private:
  void loop();

  std::size_t depth_;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool busy_ = false, stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace ad
