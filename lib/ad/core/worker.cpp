#include "ad/core/worker.h"

namespace ad {

SerialWorker::SerialWorker(std::size_t depth) : depth_(depth < 1 ? 1 : depth), thread_([this] { loop(); }) {}

SerialWorker::~SerialWorker() {
  {
    std::lock_guard<std::mutex> lock(m_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SerialWorker::submit(std::function<void()> task) {
  std::unique_lock<std::mutex> lock(m_);
  cv_.wait(lock, [&] { return error_ || queue_.size() < depth_; });
  if (error_) std::rethrow_exception(error_);
  queue_.push_back(std::move(task));
  cv_.notify_all();
}

void SerialWorker::wait() {
  std::unique_lock<std::mutex> lock(m_);
  cv_.wait(lock, [&] { return error_ || (queue_.empty() && !busy_); });
  if (error_) std::rethrow_exception(error_);
}

void SerialWorker::loop() {
  std::unique_lock<std::mutex> lock(m_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopped, and nothing left to run
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();  // a submit() waiting for room
    if (!error_) {
      busy_ = true;
      lock.unlock();
      std::exception_ptr failure;
      try {
        task();
      } catch (...) {
        failure = std::current_exception();
      }
      task = nullptr;  // what it holds goes before the caller is told it ended
      lock.lock();
      busy_ = false;
      if (failure) error_ = failure;
    }
    cv_.notify_all();
  }
}

}  // namespace ad
