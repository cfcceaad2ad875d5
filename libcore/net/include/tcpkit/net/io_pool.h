// One io_context per I/O thread: a connection lives on one thread, so its handlers never
// contend for a lock, and `--threads N` scales by handing new connections out in turn.
#pragma once

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace tcpkit {

class IoPool {
  public:
    explicit IoPool(std::size_t threads);
    IoPool(const IoPool&) = delete;
    IoPool& operator=(const IoPool&) = delete;

    // Context 0 runs on the thread that calls run(): listeners and signals live there.
    asio::io_context& main() { return *contexts_.front(); }
    // The context for the next new connection, in turn.
    asio::io_context& next();
    std::size_t size() const { return contexts_.size(); }

    // Runs every context until stop(); returns once all threads have finished.
    void run();
    // Safe to call from any thread.
    void stop();

  private:
    std::vector<std::unique_ptr<asio::io_context>> contexts_;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace tcpkit
