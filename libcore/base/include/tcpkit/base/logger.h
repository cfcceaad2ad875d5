// Logging to stderr: levels, timestamps, colour only on a terminal, or one JSON object a line.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "tcpkit/base/byte_escape.h"  // json_escape, the escaping of JSON lines

namespace tcpkit {

// `status` lines (such as `listening on ...`) are shown even with --quiet: scripts wait for them.
enum class LogLevel { debug, info, status, warn, error };
enum class LogFormat { text, json };
enum class ColorMode { automatic, always, never };

struct LoggerOptions {
    LogLevel min_level = LogLevel::info;
    LogFormat format = LogFormat::text;
    ColorMode color = ColorMode::automatic;
    // Servers stamp every line; one-shot clients print `tcpkit: message` like other Unix tools.
    bool timestamps = true;
    std::string program = "tcpkit";
};

class Logger {
  public:
    // Lines go to stderr unless a sink is given (tests capture them).
    explicit Logger(LoggerOptions options = {},
                    std::function<void(std::string_view)> sink = nullptr);

    void configure(LoggerOptions options);
    bool enabled(LogLevel level) const {
        return level >= options_.min_level || level == LogLevel::status;
    }

    void write(LogLevel level, std::string_view message);

    template <typename... Args>
    void debug(fmt::format_string<Args...> format, Args&&... args) {
        log(LogLevel::debug, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void info(fmt::format_string<Args...> format, Args&&... args) {
        log(LogLevel::info, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void status(fmt::format_string<Args...> format, Args&&... args) {
        log(LogLevel::status, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void warn(fmt::format_string<Args...> format, Args&&... args) {
        log(LogLevel::warn, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void error(fmt::format_string<Args...> format, Args&&... args) {
        log(LogLevel::error, format, std::forward<Args>(args)...);
    }

  private:
    template <typename... Args>
    void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
        if (enabled(level)) {
            write(level, fmt::format(format, std::forward<Args>(args)...));
        }
    }
    std::string format_line(LogLevel level, std::string_view message) const;

    LoggerOptions options_;
    bool colored_ = false;
    std::function<void(std::string_view)> sink_;
    std::mutex mutex_;  // one whole line per write, even with --threads
};

// The process-wide logger that commands configure once from their options.
Logger& log();

}  // namespace tcpkit
