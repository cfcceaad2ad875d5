#include <cstdio>

#include <unistd.h>

#include "platform_console.h"
#include "tcpkit/base/console.h"

namespace tcpkit {

bool stderr_shows_colour() {
    return isatty(fileno(stderr)) != 0;
}

bool stderr_is_terminal() {
    return isatty(fileno(stderr)) != 0;
}

std::tm utc_calendar_time(std::time_t seconds) {
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    return parts;
}

void prepare_stderr_for_logs() {}

}  // namespace tcpkit
