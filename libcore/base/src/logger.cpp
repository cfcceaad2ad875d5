#include "tcpkit/base/logger.h"

#include "tcpkit/base/byte_escape.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX 1
#endif
#include <fcntl.h>
#include <io.h>
#include <windows.h>
#define TCPKIT_ISATTY _isatty
#define TCPKIT_FILENO _fileno
#else
#include <unistd.h>
#define TCPKIT_ISATTY isatty
#define TCPKIT_FILENO fileno
#endif

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
    std::tm parts{};
#ifdef _WIN32
    gmtime_s(&parts, &seconds);
#else
    gmtime_r(&seconds, &parts);
#endif
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
#ifdef _WIN32
    // _isatty() is also true for NUL, and a console shows escape sequences as text unless
    // asked to obey them (Windows 10 and later): colour only on a console that agrees.
    HANDLE handle = GetStdHandle(STD_ERROR_HANDLE);
    DWORD console_mode = 0;
    if (handle == INVALID_HANDLE_VALUE || handle == nullptr ||
        !GetConsoleMode(handle, &console_mode)) {
        return false;
    }
    return (console_mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0 ||
           SetConsoleMode(handle, console_mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0;
#else
    return TCPKIT_ISATTY(TCPKIT_FILENO(stderr)) != 0;
#endif
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
#ifdef _WIN32
    // stderr is the process-wide logger's: its lines (and hex dumps) end in \n as everywhere
    // else, JSON lines included, not in the C runtime's text-mode \r\n; consoles show either.
    static const bool binary_stderr = _setmode(_fileno(stderr), _O_BINARY) != -1;
    (void)binary_stderr;
#endif
    static Logger instance;
    return instance;
}

}  // namespace tcpkit
