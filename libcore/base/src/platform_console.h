// What the logger needs from each platform's console and C runtime (platform_console_posix.cpp,
// platform_console_windows.cpp).
#pragma once

#include <ctime>

namespace tcpkit {

// True when stderr is a terminal that obeys colour escape sequences.
bool stderr_shows_colour();

// `seconds` as UTC calendar time.
std::tm utc_calendar_time(std::time_t seconds);

// Called once, before the first log line: stderr's line ends must stay "\n".
void prepare_stderr_for_logs();

}  // namespace tcpkit
