// Process-wide signal policy: SIGINT/SIGTERM end a command cleanly, SIGPIPE never kills it.
#pragma once

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include <functional>

namespace tcpkit {

// Writing to a closed socket or pipe must be an error we report, not a silent death.
void ignore_broken_pipes();

// Servers hold a descriptor per client: take the hard limit, not the historical 1024.
void raise_open_file_limit();

// Calls `on_stop(count)` on each SIGINT/SIGTERM: 1 for the first (stop gracefully),
// 2 and more for later ones (the user insists: stop now).
class StopSignals {
  public:
    StopSignals(asio::io_context& context, std::function<void(int count)> on_stop);
    void cancel();

  private:
    void arm();

    asio::signal_set signals_;
    std::function<void(int)> on_stop_;
    int count_ = 0;
};

}  // namespace tcpkit
