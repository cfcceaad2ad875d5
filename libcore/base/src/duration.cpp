#include "tcpkit/base/duration.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "tcpkit/base/errors.h"

namespace tcpkit {
namespace {

// A week is far beyond any sensible network timeout; refusing more keeps arithmetic safe.
constexpr double max_milliseconds = 7.0 * 24 * 3600 * 1000;

double unit_in_milliseconds(std::string_view unit) {
    if (unit.empty() || unit == "s") {
        return 1000;
    }
    if (unit == "ms") {
        return 1;
    }
    if (unit == "m") {
        return 60'000;
    }
    if (unit == "h") {
        return 3'600'000;
    }
    return -1;
}

}  // namespace

Milliseconds parse_duration(std::string_view text) {
    auto fail = [&] {
        return UsageError(
            fmt::format("invalid duration '{}': expected a number with an optional unit ms, s, m "
                        "or h (e.g. 500ms, 3s)",
                        text));
    };
    std::size_t digits_end = 0;
    bool seen_digit = false;
    bool seen_point = false;
    while (digits_end < text.size()) {
        char c = text[digits_end];
        if (c >= '0' && c <= '9') {
            seen_digit = true;
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
        ++digits_end;
    }
    if (!seen_digit) {
        throw fail();
    }
    double unit = unit_in_milliseconds(text.substr(digits_end));
    if (unit < 0) {
        throw fail();
    }
    // strtod needs a terminated string; the number part is short and validated above.
    std::string number(text.substr(0, digits_end));
    double value = std::strtod(number.c_str(), nullptr) * unit;
    if (!std::isfinite(value) || value > max_milliseconds) {
        throw UsageError(fmt::format("invalid duration '{}': longer than a week", text));
    }
    return Milliseconds(static_cast<Milliseconds::rep>(std::llround(value)));
}

std::string format_duration(Milliseconds duration) {
    auto ms = duration.count();
    if (ms != 0 && ms % 3'600'000 == 0) {
        return fmt::format("{}h", ms / 3'600'000);
    }
    if (ms != 0 && ms % 60'000 == 0) {
        return fmt::format("{}m", ms / 60'000);
    }
    if (ms % 1000 == 0) {
        return fmt::format("{}s", ms / 1000);
    }
    return fmt::format("{}ms", ms);
}

}  // namespace tcpkit
