#include "tcpkit/stream/progress.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdio>

#include "tcpkit/base/console.h"

namespace tcpkit {
namespace {

using Clock = TransferProgress::Clock;

// The rates are measured over about this long: long enough to be steady, short enough to
// follow a transfer that speeds up or stalls.
constexpr auto rate_window = std::chrono::seconds(1);
// A direction that took less than this shows no time or rate in the summary: one read or one
// buffered write has no rate worth printing.
constexpr auto shortest_timed_span = std::chrono::milliseconds(10);

std::string format_binary(double value, std::string_view suffix) {
    static constexpr std::array<std::string_view, 7> units = {"B",   "KiB", "MiB", "GiB",
                                                              "TiB", "PiB", "EiB"};
    if (value < 1024) {
        return fmt::format("{:.0f} B{}", value, suffix);
    }
    std::size_t unit = 0;
    // 1023.96 KiB would print as "1024.0 KiB": move up while one decimal would round to 1024.
    while (value >= 1023.95 && unit + 1 < units.size()) {
        value /= 1024;
        ++unit;
    }
    return fmt::format("{:.1f} {}{}", value, units[unit], suffix);
}

double seconds_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

// How long a direction took, in the summary: "250ms", "1.3s", "2m05s", "1h02m05s".
std::string format_elapsed(Clock::duration span) {
    double seconds = std::chrono::duration<double>(span).count();
    if (seconds < 1) {
        return fmt::format("{}ms",
                           std::chrono::duration_cast<std::chrono::milliseconds>(span).count());
    }
    if (seconds < 60) {
        return fmt::format("{:.1f}s", seconds);
    }
    auto whole = static_cast<long long>(seconds);
    if (whole < 3600) {
        return fmt::format("{}m{:02}s", whole / 60, whole % 60);
    }
    return fmt::format("{}h{:02}m{:02}s", whole / 3600, whole / 60 % 60, whole % 60);
}

// The time left, rounded up to a whole second: "1s", "2m05s", "3h20m".
std::string format_time_left(double seconds) {
    auto whole = static_cast<long long>(std::ceil(seconds));
    if (whole < 60) {
        return fmt::format("{}s", whole);
    }
    if (whole < 3600) {
        return fmt::format("{}m{:02}s", whole / 60, whole % 60);
    }
    return fmt::format("{}h{:02}m", whole / 3600, whole / 60 % 60);
}

std::string summarise_direction(std::string_view verb, std::uint64_t bytes,
                                std::optional<Clock::time_point> first, Clock::time_point last) {
    if (bytes == 0 || !first || last - *first < shortest_timed_span) {
        return fmt::format("{} {}", verb, format_byte_count(bytes));
    }
    return fmt::format(
        "{} {} in {} ({})", verb, format_byte_count(bytes), format_elapsed(last - *first),
        format_byte_rate(static_cast<double>(bytes) / seconds_between(*first, last)));
}

void write_to_stderr(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

}  // namespace

std::string format_byte_count(std::uint64_t bytes) {
    return format_binary(static_cast<double>(bytes), "");
}

std::string format_byte_rate(double bytes_per_second) {
    return format_binary(bytes_per_second, "/s");
}

TransferProgress::TransferProgress(std::optional<std::uint64_t> input_size, ProgressDisplay display,
                                   Sink sink, Clock::time_point started)
    : input_size_(input_size),
      display_(display),
      sink_(std::move(sink)),
      last_send_(started),
      last_receive_(started) {
    samples_.push_back(Sample{started});
}

std::unique_ptr<TransferProgress> TransferProgress::to_stderr(
    std::optional<std::uint64_t> input_size) {
    auto display =
        stderr_is_terminal() ? ProgressDisplay::redraw_in_place : ProgressDisplay::line_by_line;
    return std::make_unique<TransferProgress>(input_size, display, write_to_stderr);
}

TransferProgress::~TransferProgress() {
    finish();
}

Clock::duration TransferProgress::interval() const {
    if (display_ == ProgressDisplay::redraw_in_place) {
        return std::chrono::milliseconds(100);
    }
    return std::chrono::seconds(1);
}

void TransferProgress::report(Clock::time_point now) {
    if (finished_) {
        return;
    }
    std::string line = status_line(now);
    if (display_ == ProgressDisplay::redraw_in_place) {
        sink_(fmt::format("\r{}\x1b[K", line));
        line_drawn_ = true;
    } else {
        sink_(line + '\n');
    }
}

void TransferProgress::finish() {
    if (finished_) {
        return;
    }
    finished_ = true;
    std::string line = summary_line();
    if (display_ == ProgressDisplay::redraw_in_place) {
        sink_(fmt::format("\r{}\x1b[K\n", line));
    } else {
        sink_(line + '\n');
    }
}

void TransferProgress::clear_line() {
    if (line_drawn_) {
        sink_("\r\x1b[K");
        line_drawn_ = false;
    }
}

std::string TransferProgress::status_line(Clock::time_point now) {
    // Measure from the newest sample that is at least a window old.
    while (samples_.size() > 1 && samples_[1].time <= now - rate_window) {
        samples_.pop_front();
    }
    const Sample& oldest = samples_.front();
    double window = seconds_between(oldest.time, now);
    auto rate = [window](std::uint64_t now_count, std::uint64_t then_count) {
        return window > 0 ? static_cast<double>(now_count - then_count) / window : 0.0;
    };
    double send_rate = rate(bytes_sent_, oldest.sent);
    double input_rate = rate(input_sent_, oldest.input_sent);
    double receive_rate = rate(bytes_received_, oldest.received);

    std::string line;
    // A size the input outgrew (a file still being written) is no measure any more.
    if (input_size_ && input_sent_ <= *input_size_) {
        std::uint64_t left = *input_size_ - input_sent_;
        double percent = *input_size_ == 0 ? 100.0
                                           : std::floor(100.0 * static_cast<double>(input_sent_) /
                                                        static_cast<double>(*input_size_));
        line = fmt::format("sent {} of {} ({:.0f}%, {}", format_byte_count(bytes_sent_),
                           format_byte_count(*input_size_), percent, format_byte_rate(send_rate));
        if (left > 0 && input_rate > 0) {
            line +=
                fmt::format(", {} left", format_time_left(static_cast<double>(left) / input_rate));
        }
        line += ')';
    } else if (bytes_sent_ > 0) {
        line = fmt::format("sent {} ({})", format_byte_count(bytes_sent_),
                           format_byte_rate(send_rate));
    } else {
        line = "sent 0 B";
    }
    if (bytes_received_ > 0) {
        line += fmt::format(", received {} ({})", format_byte_count(bytes_received_),
                            format_byte_rate(receive_rate));
    } else {
        line += ", received 0 B";
    }

    samples_.push_back(Sample{now, bytes_sent_, input_sent_, bytes_received_});
    return line;
}

std::string TransferProgress::summary_line() const {
    return summarise_direction("sent", bytes_sent_, first_send_, last_send_) + ", " +
           summarise_direction("received", bytes_received_, first_receive_, last_receive_);
}

}  // namespace tcpkit
