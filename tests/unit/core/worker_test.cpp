#include "ad/core/worker.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

using ad::SerialWorker;

TEST_SUITE("worker") {
  TEST_CASE("tasks run one at a time, in the order they were handed over") {
    std::vector<int> seen;  // touched only by the worker until wait() returns
    std::atomic<int> running{0}, most{0};
    SerialWorker w(2);
    for (int i = 0; i < 200; ++i)
      w.submit([&, i] {
        int now = ++running;
        if (now > most) most = now;
        if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        seen.push_back(i);
        --running;
      });
    w.wait();
    REQUIRE(seen.size() == 200);
    for (int i = 0; i < 200; ++i) CHECK(seen[static_cast<std::size_t>(i)] == i);
    CHECK(most == 1);
  }

  TEST_CASE("submit blocks while depth tasks wait, so at most depth + 1 are handed over") {
    std::atomic<int> submitted{0}, started{0};
    std::atomic<bool> release{false};
    SerialWorker w(1);
    std::thread caller([&] {
      for (int i = 0; i < 4; ++i) {
        w.submit([&] {
          ++started;
          while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        });
        ++submitted;
      }
    });
    for (int ms = 0; ms < 5000 && submitted < 2; ++ms) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(started.load() == 1);
    CHECK(submitted.load() == 2);  // one running, one waiting; the third submit waits
    release = true;
    caller.join();
    w.wait();
    CHECK(started == 4);
  }

  TEST_CASE("the first error is rethrown to the caller, and later tasks do not run") {
    std::vector<int> ran;
    SerialWorker w(1);
    w.submit([&] { ran.push_back(1); });
    w.submit([&] { throw std::runtime_error("disk full"); });
    bool threw = false;
    try {
      for (int i = 0; i < 10; ++i) w.submit([&] { ran.push_back(2); });
      w.wait();
    } catch (const std::runtime_error& e) {
      threw = std::string(e.what()) == "disk full";
    }
    CHECK(threw);
    CHECK_THROWS_AS(w.wait(), std::runtime_error);
    CHECK(ran == std::vector<int>{1});
  }

  TEST_CASE("the destructor runs the tasks already handed over") {
    std::atomic<int> ran{0};
    {
      SerialWorker w(3);
      for (int i = 0; i < 4; ++i)
        w.submit([&] {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          ++ran;
        });
    }
    CHECK(ran == 4);
  }
}
