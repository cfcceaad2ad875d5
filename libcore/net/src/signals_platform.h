// What the signal policy needs from each platform (signals_posix.cpp, signals_windows.cpp).
#pragma once

#include <asio/signal_set.hpp>

namespace tcpkit {

// Adds the platform's further "stop" signals to SIGINT and SIGTERM.
void add_platform_stop_signals(asio::signal_set& signals);

}  // namespace tcpkit
