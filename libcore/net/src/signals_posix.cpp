// The POSIX side of the signal policy: SIGPIPE ignored, the open-file limit raised.
#include <csignal>

#include <sys/resource.h>

#include "signals_platform.h"
#include "tcpkit/net/signals.h"

namespace tcpkit {

void ignore_broken_pipes() {
    std::signal(SIGPIPE, SIG_IGN);
}

void raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);  // best effort: the old limit still works, just lower
    }
}

void add_platform_stop_signals(asio::signal_set& /*signals*/) {}

}  // namespace tcpkit
