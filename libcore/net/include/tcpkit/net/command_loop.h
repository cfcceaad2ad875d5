// The event loop of a command that runs one task to its end (connect, send, listen, -z).
#pragma once

#include <asio/awaitable.hpp>

namespace tcpkit {

// Runs `task` on an event loop of its own and returns the exit status it returns. SIGINT or
// SIGTERM stop the loop instead (status 130, interrupted): through the loop, so that standard
// input's flags are restored as its stream is destroyed. Rethrows what the task threw.
int run_to_exit_status(asio::awaitable<int> task);

}  // namespace tcpkit
