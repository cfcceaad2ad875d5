// --progress: how far a relay's transfer has come, on stderr. The relay only bumps counters
// here; the lines are made and printed from a timer, so watching a transfer never slows it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tcpkit {

// "0 B", "12 B", "1.5 KiB", "512.0 MiB", "1.0 GiB": binary units, one decimal above bytes.
std::string format_byte_count(std::uint64_t bytes);
// "812.3 MiB/s".
std::string format_byte_rate(double bytes_per_second);

enum class ProgressDisplay {
    redraw_in_place,  // a terminal: one line rewritten (`\r`, ESC[K), ten times a second at most
    line_by_line,     // a pipe or a file: one line a second, so that logs stay readable
};

class TransferProgress {
  public:
    using Clock = std::chrono::steady_clock;
    using Sink = std::function<void(std::string_view)>;

    // `input_size`: how many bytes the input holds, when that is known (a regular file, the
    // TEXT of `send`); it adds the percentage and the time left. `started`: when the transfer
    // began, for the rates.
    TransferProgress(std::optional<std::uint64_t> input_size, ProgressDisplay display, Sink sink,
                     Clock::time_point started = Clock::now());
    // Lines to stderr, redrawn in place when stderr is a terminal.
    static std::unique_ptr<TransferProgress> to_stderr(std::optional<std::uint64_t> input_size);
    // A transfer cut short (Ctrl+C stops the event loop) still gets its summary.
    ~TransferProgress();
    TransferProgress(const TransferProgress&) = delete;
    TransferProgress& operator=(const TransferProgress&) = delete;

    // The data path: counters and timestamps only, nothing printed.
    // Before a write, so that the first one's time counts in the sending rate.
    void about_to_send(Clock::time_point now) {
        if (!first_send_) {
            first_send_ = now;
        }
    }
    // `bytes` went out for `input_bytes` of input (more with --crlf); the percentage counts input.
    void sent(std::uint64_t bytes, std::uint64_t input_bytes, Clock::time_point now) {
        bytes_sent_ += bytes;
        input_sent_ += input_bytes;
        last_send_ = now;
    }
    void received(std::uint64_t bytes, Clock::time_point now) {
        if (!first_receive_) {
            first_receive_ = now;
        }
        bytes_received_ += bytes;
        last_receive_ = now;
    }

    // How often report() is meant to be called: 100ms on a terminal, 1s otherwise.
    Clock::duration interval() const;
    // Prints the status line for `now`.
    void report(Clock::time_point now);
    // Prints the summary line; only the first call prints.
    void finish();
    // Before something else is written to stderr: a status line drawn in place is cleared
    // first (the next report draws it again), so that the other text starts on a clean line.
    void clear_line();

    // The lines themselves, without the terminal's control characters (for tests).
    // `sent 512.0 MiB of 1.0 GiB (50%, 812.3 MiB/s, 1s left), received 0 B`; the rates are
    // over about the last second, so this also moves the window they are measured over.
    std::string status_line(Clock::time_point now);
    // `sent 1.0 GiB in 1.3s (790.1 MiB/s), received 12 B`.
    std::string summary_line() const;

  private:
    struct Sample {
        Clock::time_point time;
        std::uint64_t sent = 0;
        std::uint64_t input_sent = 0;
        std::uint64_t received = 0;
    };

    std::optional<std::uint64_t> input_size_;
    ProgressDisplay display_;
    Sink sink_;
    bool finished_ = false;
    bool line_drawn_ = false;  // a status line is on the terminal, without a newline
    std::uint64_t bytes_sent_ = 0;
    std::uint64_t input_sent_ = 0;
    std::uint64_t bytes_received_ = 0;
    std::optional<Clock::time_point> first_send_;
    Clock::time_point last_send_;
    std::optional<Clock::time_point> first_receive_;
    Clock::time_point last_receive_;
    // Counters at earlier reports, the oldest about a second old: the rates' window.
    std::deque<Sample> samples_;
};

}  // namespace tcpkit
