// The Windows side of the signal policy: no SIGPIPE and no descriptor limit to raise, and
// Ctrl+Break stops a command as Ctrl+C does.
#include <csignal>

#include "signals_platform.h"
#include "tcpkit/net/signals.h"

namespace tcpkit {

void ignore_broken_pipes() {}

void raise_open_file_limit() {}

void add_platform_stop_signals(asio::signal_set& signals) {
    // Ctrl+C arrives as SIGINT through the C runtime's console handler; Ctrl+Break (and
    // GenerateConsoleCtrlEvent for a process group) as SIGBREAK. SIGTERM never comes.
    signals.add(SIGBREAK);
}

}  // namespace tcpkit
