// Durations as users type them on the command line: 500ms, 3s, 2m, 1h, 1.5s; a bare number is
// seconds.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace tcpkit {

using Milliseconds = std::chrono::milliseconds;

// Throws UsageError naming the bad text. Zero is allowed: options document it as "off".
Milliseconds parse_duration(std::string_view text);

// The shortest exact form: "500ms", "3s", "2m", "1h", "1500ms".
std::string format_duration(Milliseconds duration);

}  // namespace tcpkit
