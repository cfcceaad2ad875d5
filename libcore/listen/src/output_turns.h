// Several writers (clients, sockets) sharing standard output, one whole write at a time: what a
// client sent is never interleaved with what another sent.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <memory>
#include <string_view>

#include "tcpkit/stream/stdio_stream.h"

namespace tcpkit {

class OutputTurns {
  public:
    explicit OutputTurns(const asio::any_io_executor& executor)
        : output_(OutputStream::standard_output(executor)),
          // Never expires: waiters wake when cancel() says the turn is free. (Setting the
          // expiry in write_all would cancel the other waiters, which would then cancel it.)
          free_(executor, std::chrono::steady_clock::time_point::max()) {}

    // Waits for the turn, then writes all of `data`; throws std::system_error when standard
    // output fails (its reader went away).
    asio::awaitable<void> write_all(std::string_view data) {
        while (writing_) {
            std::error_code ignored;  // cancelled when the writer is done: look again
            co_await free_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
        writing_ = true;
        try {
            co_await output_->write_all(data);
        } catch (...) {
            writing_ = false;
            free_.cancel();
            throw;
        }
        writing_ = false;
        free_.cancel();
    }

  private:
    std::unique_ptr<OutputStream> output_;
    asio::steady_timer free_;
    bool writing_ = false;
};

}  // namespace tcpkit
