#include "tcpkit/signals.h"

#include <csignal>

#ifndef _WIN32
#include <sys/resource.h>
#endif

namespace tcpkit {

void ignore_broken_pipes() {
#ifndef _WIN32
    std::signal(SIGPIPE, SIG_IGN);
#endif
}

void raise_open_file_limit() {
#ifndef _WIN32
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);  // best effort: the old limit still works, just lower
    }
#endif
}

StopSignals::StopSignals(asio::io_context& context, std::function<void(int)> on_stop)
    : signals_(context, SIGINT, SIGTERM), on_stop_(std::move(on_stop)) {
#ifdef _WIN32
    // Ctrl+C arrives as SIGINT through the C runtime's console handler; Ctrl+Break (and
    // GenerateConsoleCtrlEvent for a process group) as SIGBREAK. SIGTERM never comes.
    signals_.add(SIGBREAK);
#endif
    arm();
}

void StopSignals::arm() {
    signals_.async_wait([this](const std::error_code& error, int /*signal*/) {
        if (error) {
            return;
        }
        on_stop_(++count_);
        arm();
    });
}

void StopSignals::cancel() {
    std::error_code ignored;
    signals_.cancel(ignored);
}

}  // namespace tcpkit
