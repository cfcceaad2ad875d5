#include "tcpkit/base/logger.h"

#include "tcpkit/base/byte_escape.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "platform_console.h"

namespace tcpkit {
namespace {

std::string_view level_name(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return "debug";
        case LogLevel::info:
        case LogLevel::status:
            return "info";
        case LogLevel::warn:
            return "warn";
        case LogLevel::error:
            return "error";
    }
    return "info";
}

std::string_view level_color(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return "\x1b[2m";
        case LogLevel::info:
        case LogLevel::status:
            return "\x1b[32m";
        case LogLevel::warn:
            return "\x1b[33m";
        case LogLevel::error:
            return "\x1b[1;31m";
    }
    return "";
}

// RFC 3339 in UTC with milliseconds: sortable, unambiguous across machines.
std::string utc_timestamp() {
    auto now = std::chrono::system_clock::now();
    auto seconds = std::chrono::system_clock::to_time_t(now);
    auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm parts = utc_calendar_time(seconds);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", parts.tm_year + 1900,
                       parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                       millis);
}

bool stderr_wants_color(ColorMode mode) {
    if (mode != ColorMode::automatic) {
        return mode == ColorMode::always;
    }
    // https://no-color.org: any non-empty NO_COLOR turns automatic colour off.
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && *no_color != '\0') {
        return false;
    }
    return stderr_shows_colour();
}

}  // namespace

Logger::Logger(LoggerOptions options, std::function<void(std::string_view)> sink)
    : sink_(std::move(sink)) {
    configure(std::move(options));
}

void Logger::configure(LoggerOptions options) {
    options_ = std::move(options);
    colored_ = options_.format == LogFormat::text &&
               (sink_ ? options_.color == ColorMode::always : stderr_wants_color(options_.color));
}

std::string Logger::format_line(LogLevel level, std::string_view message) const {
    if (options_.format == LogFormat::json) {
        return fmt::format(R"({{"time":"{}","level":"{}","program":"{}","message":"{}"}})"
                           "\n",
                           utc_timestamp(), level_name(level), json_escape(options_.program),
                           json_escape(message));
    }
    std::string line;
    if (options_.timestamps) {
        line = utc_timestamp();
        line += ' ';
        std::string_view name = level_name(level);
        if (colored_) {
            line += fmt::format("{}{:<5}\x1b[0m", level_color(level), name);
        } else {
            line += fmt::format("{:<5}", name);
        }
        line += ' ';
    } else {
        line = options_.program + ": ";
        if (level == LogLevel::warn || level == LogLevel::error) {
            std::string_view name = level == LogLevel::warn ? "warning" : "error";
            line += colored_ ? fmt::format("{}{}\x1b[0m: ", level_color(level), name)
                             : fmt::format("{}: ", name);
        }
    }
    // One message, one line: a line break inside (say, in a quoted argument) is shown escaped.
    for (char c : message) {
        if (c == '\n') {
            line += "\\n";
        } else if (c == '\r') {
            line += "\\r";
        } else {
            line += c;
        }
    }
    line += '\n';
    return line;
}

void Logger::write(LogLevel level, std::string_view message) {
    if (!enabled(level)) {
        return;
    }
    std::string line = format_line(level, message);
    std::lock_guard lock(mutex_);
    if (sink_) {
        sink_(line);
    } else {
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fflush(stderr);
    }
}

Logger& log() {
    static const bool prepared = (prepare_stderr_for_logs(), true);
    (void)prepared;
    static Logger instance;
    return instance;
}

}  // namespace tcpkit
