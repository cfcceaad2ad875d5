#include "tcpkit/net/signals.h"

#include <csignal>

#include "signals_platform.h"

namespace tcpkit {

StopSignals::StopSignals(asio::io_context& context, std::function<void(int)> on_stop)
    : signals_(context, SIGINT, SIGTERM), on_stop_(std::move(on_stop)) {
    add_platform_stop_signals(signals_);
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
