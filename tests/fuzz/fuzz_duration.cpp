// Durations as users type them (base/duration.h).
// Invariants: only UsageError is thrown; a duration is between zero and a week; it prints
// (format_duration) and parses back to itself.
#include <chrono>
#include <string>

#include "fuzz_support.h"
#include "tcpkit/base/duration.h"
#include "tcpkit/base/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = tcpkit::fuzz::as_text(data, size);
    tcpkit::Milliseconds duration{};
    try {
        duration = tcpkit::parse_duration(text);
    } catch (const tcpkit::UsageError&) {
        return 0;
    }
    FUZZ_CHECK(duration.count() >= 0, "a negative duration");
    FUZZ_CHECK(duration <= std::chrono::hours(24 * 7), "a duration over a week");
    std::string printed = tcpkit::format_duration(duration);
    try {
        FUZZ_CHECK(tcpkit::parse_duration(printed) == duration, "a duration that does not print");
    } catch (const tcpkit::UsageError&) {
        FUZZ_CHECK(false, "a printed duration refused");
    }
    return 0;
}
