// Splits a byte stream into lines with a hard cap on line length, so that a peer that never
// sends a newline cannot make us buffer without bound.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace tcpkit {

struct LineEvent {
    enum class Kind {
        line,      // `text` is one line without its `\n` and without an optional `\r` before it
        too_long,  // a line passed the limit; the rest of it, up to its `\n`, is dropped
    };
    Kind kind;
    std::string_view text;  // valid only during the callback
};

class LineReader {
  public:
    explicit LineReader(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

    // Calls `on_event(const LineEvent&)` for each complete line or overflow in `data`.
    // Lines wholly inside `data` are passed without copying. When `on_event` returns a bool,
    // false stops the feed after that event: the bytes of `data` not taken yet are the
    // caller's to feed again later. Returns how many bytes of `data` were taken.
    template <typename OnEvent>
    std::size_t feed(std::string_view data, OnEvent&& on_event);

    // At end of input: the last line if it had no `\n`.
    std::optional<std::string> take_unterminated();

    std::size_t buffered_bytes() const { return pending_.size(); }
    std::size_t max_line_bytes() const { return max_line_bytes_; }

  private:
    static std::string_view without_cr(std::string_view line) {
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        return line;
    }

    std::size_t max_line_bytes_;
    std::string pending_;
    bool discarding_ = false;
};

template <typename OnEvent>
std::size_t LineReader::feed(std::string_view data, OnEvent&& on_event) {
    const std::size_t size = data.size();
    // Whether to go on after an event.
    auto deliver = [&on_event](const LineEvent& event) {
        if constexpr (std::is_same_v<decltype(on_event(event)), bool>) {
            return on_event(event);
        } else {
            on_event(event);
            return true;
        }
    };
    while (!data.empty()) {
        std::size_t newline = data.find('\n');
        if (discarding_) {
            if (newline == std::string_view::npos) {
                return size;
            }
            discarding_ = false;
            data.remove_prefix(newline + 1);
            continue;
        }
        if (newline == std::string_view::npos) {
            // A CR may still precede the LF to come, so allow one byte more while waiting.
            if (pending_.size() + data.size() > max_line_bytes_ + 1) {
                pending_.clear();
                discarding_ = true;
                deliver(LineEvent{LineEvent::Kind::too_long, {}});
                return size;
            }
            pending_.append(data);
            return size;
        }
        std::string_view tail = data.substr(0, newline);
        data.remove_prefix(newline + 1);
        std::string_view line;
        if (pending_.empty()) {
            line = without_cr(tail);
        } else {
            pending_.append(tail);
            line = without_cr(pending_);
        }
        bool go_on = line.size() > max_line_bytes_
                         ? deliver(LineEvent{LineEvent::Kind::too_long, {}})
                         : deliver(LineEvent{LineEvent::Kind::line, line});
        pending_.clear();
        if (!go_on) {
            return size - data.size();
        }
    }
    return size;
}

}  // namespace tcpkit
