#include "tcpkit/stream/relay.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <type_traits>
#include <vector>

#include <asio/buffer.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "tcpkit/base/errors.h"
#include "tcpkit/base/hex_dump.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/codec/crlf_translator.h"
#include "tcpkit/stream/describe.h"
#include "tcpkit/stream/progress.h"

namespace tcpkit {
namespace {

using Clock = std::chrono::steady_clock;

struct RelayState {
    RelayState(const RelayOptions& relay_options, const asio::any_io_executor& executor)
        : options(relay_options),
          started(relay_options.started_at.value_or(Clock::now())),
          watch_timer(executor) {}

    // The first branch to finish decides how the relay ended; the others are then cancelled.
    void finish(RelayEnd end, std::string detail = {}) {
        if (!finished) {
            finished = true;
            result.end = end;
            result.detail = std::move(detail);
        }
    }
    void touch() { last_activity = Clock::now(); }

    const RelayOptions& options;
    RelayResult result;
    bool finished = false;
    bool input_done = false;
    Clock::time_point started;
    Clock::time_point last_activity = Clock::now();
    asio::steady_timer watch_timer;
    HexDumper sent_dump{'>'};
    HexDumper received_dump{'<'};
    std::unique_ptr<TransferProgress> progress;  // with --progress only
};

// The relay runs over a ByteStream (TCP, and whatever else implements it) or a connected UDP
// socket, which has datagrams instead of a stream.
template <typename Transport>
constexpr bool is_udp = std::is_same_v<Transport, asio::ip::udp::socket>;

// Hex dumps go to stderr unbuffered and unprefixed, like `ncat -x -`; stdout carries only data.
void write_to_stderr(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

// A hex dump and a --progress line redrawn in place share the terminal: the dump starts on a
// cleared line, and the next report draws the status line below it.
void clear_progress_line(RelayState& state) {
    if (state.progress) {
        state.progress->clear_line();
    }
}

asio::awaitable<void> wait_until_cancelled() {
    asio::steady_timer never(co_await asio::this_coro::executor, Clock::time_point::max());
    co_await never.async_wait(asio::use_awaitable);
}

template <typename Transport>
asio::awaitable<std::error_code> send_bytes(Transport& transport, std::string_view data) {
    std::error_code error;
    if constexpr (is_udp<Transport>) {
        // One datagram per piece; --crlf may have grown a full chunk past the UDP limit.
        while (!data.empty() && !error) {
            std::string_view piece = data.substr(0, max_udp_payload);
            co_await transport.async_send(asio::buffer(piece.data(), piece.size()),
                                          asio::redirect_error(asio::use_awaitable, error));
            data.remove_prefix(piece.size());
        }
    } else {
        asio::const_buffer buffer(data.data(), data.size());  // in this frame for the whole write
        co_await transport.write_all(std::span(&buffer, 1), error);
    }
    co_return error;
}

template <typename Transport>
asio::awaitable<void> send_input(Transport& transport, InputStream& input, RelayState& state) {
    if (state.options.receive_only) {
        co_await wait_until_cancelled();
        co_return;
    }
    std::vector<char> buffer(is_udp<Transport> ? max_udp_payload : relay_input_chunk_bytes);
    CrlfTranslator crlf;
    std::string translated;
    try {
        for (;;) {
            std::size_t count = co_await input.read_some(buffer);
            if (count == 0) {
                break;
            }
            std::string_view data(buffer.data(), count);
            if (state.options.crlf) {
                translated.clear();
                crlf.translate(data, translated);
                data = translated;
            }
            if (state.options.hex) {
                clear_progress_line(state);
                write_to_stderr(state.sent_dump.dump(data));
            }
            if (state.progress) {
                state.progress->about_to_send(Clock::now());
            }
            if (auto error = co_await send_bytes(transport, data)) {
                state.finish(RelayEnd::connection_failed, describe(error));
                co_return;
            }
            state.result.bytes_sent += data.size();
            state.touch();
            if (state.progress) {
                state.progress->sent(data.size(), count, state.last_activity);
            }
        }
    } catch (const std::system_error& error) {
        state.finish(RelayEnd::input_failed, describe(error.code()));
        co_return;
    }
    state.input_done = true;
    state.touch();
    if constexpr (is_udp<Transport>) {
        state.watch_timer.cancel();  // the reply wait starts now
    } else if (state.options.half_close_at_end) {
        // The first step of TCP's four-step close: "I have nothing more to say", while we
        // keep listening until the server closes its side. A failure shows in the next read.
        std::error_code ignored;
        co_await transport.shutdown_send(ignored);
    }
    co_await wait_until_cancelled();
}

// With --lines N, the length of `data` up to and including the Nth line end still owed.
std::optional<std::size_t> reply_cut(std::string_view data, std::size_t& lines_left) {
    std::size_t position = 0;
    while (lines_left > 0) {
        std::size_t newline = data.find('\n', position);
        if (newline == std::string_view::npos) {
            return std::nullopt;
        }
        position = newline + 1;
        if (--lines_left == 0) {
            return position;
        }
    }
    return std::nullopt;
}

template <typename Transport>
asio::awaitable<void> receive_output(Transport& transport, OutputStream& output,
                                     RelayState& state) {
    std::vector<char> buffer(is_udp<Transport> ? 65536 : relay_receive_chunk_bytes);
    std::size_t lines_left = state.options.max_reply_lines.value_or(0);
    for (;;) {
        std::error_code error;
        std::size_t count = 0;
        if constexpr (is_udp<Transport>) {
            count = co_await transport.async_receive(
                asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, error));
        } else {
            count = co_await transport.read_some(buffer, error, {});
        }
        if (error == asio::error::eof) {
            state.finish(RelayEnd::peer_closed);
            co_return;
        }
        if (error) {
            state.finish(RelayEnd::connection_failed, describe(error));
            co_return;
        }
        state.result.bytes_received += count;
        state.touch();
        if (state.progress) {
            state.progress->received(count, state.last_activity);
        }
        std::string_view data(buffer.data(), count);
        bool complete = false;
        if (state.options.max_reply_lines) {
            if (auto cut = reply_cut(data, lines_left)) {
                data = data.substr(0, *cut);
                complete = true;
            }
        }
        if (state.options.hex) {
            clear_progress_line(state);
            write_to_stderr(state.received_dump.dump(data));
        }
        try {
            co_await output.write_all(data);
        } catch (const std::system_error& failure) {
            state.finish(RelayEnd::output_closed, describe(failure.code()));
            co_return;
        }
        if (complete) {
            state.finish(RelayEnd::reply_complete);
            co_return;
        }
    }
}

template <typename Transport>
asio::awaitable<void> watch_time(RelayState& state) {
    const auto& options = state.options;
    for (;;) {
        auto deadline = Clock::time_point::max();
        RelayEnd reason = RelayEnd::idle_timeout;
        auto idle = options.idle_timeout;
        if (is_udp<Transport> && state.input_done) {
            // UDP has no close: once the input is over, replies are awaited this long.
            idle = idle.count() > 0 ? idle : udp_reply_wait;
            reason = RelayEnd::input_finished;
        }
        if (idle.count() > 0) {
            deadline = state.last_activity + idle;
        }
        if (options.overall_timeout.count() > 0 &&
            state.started + options.overall_timeout < deadline) {
            deadline = state.started + options.overall_timeout;
            reason = RelayEnd::overall_timeout;
        }
        state.watch_timer.expires_at(deadline);
        std::error_code ignored;
        co_await state.watch_timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        if (state.finished) {
            co_return;
        }
        if (deadline != Clock::time_point::max() && Clock::now() >= deadline) {
            state.finish(reason);
            co_return;
        }
        // Activity moved the idle deadline, or the input ended: look again.
    }
}

// --progress: a line now and then from the counters the other branches bump. It never ends
// first; it stops when the relay has finished and cancels it.
asio::awaitable<void> show_progress(RelayState& state) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        timer.expires_after(state.progress->interval());
        std::error_code error;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
        if (state.finished) {
            co_return;
        }
        if (error) {
            co_await wait_until_cancelled();  // a timer fails only when cancelled: never first
        }
        state.progress->report(Clock::now());
    }
}

template <typename Transport>
asio::awaitable<RelayResult> run_relay(Transport& transport, InputStream& input,
                                       OutputStream& output, const RelayOptions& options) {
    using namespace asio::experimental::awaitable_operators;
    RelayState state(options, co_await asio::this_coro::executor);
    if (options.progress) {
        // Asked now, before the first read: what is left of the input is what will be sent.
        state.progress = TransferProgress::to_stderr(input.known_size());
        co_await (send_input(transport, input, state) || receive_output(transport, output, state) ||
                  watch_time<Transport>(state) || show_progress(state));
        state.progress->finish();
    } else {
        co_await (send_input(transport, input, state) || receive_output(transport, output, state) ||
                  watch_time<Transport>(state));
    }
    co_return state.result;
}

}  // namespace

std::string RelayResult::describe(const RelayOptions& options) const {
    switch (end) {
        case RelayEnd::peer_closed:
            return "connection closed by peer";
        case RelayEnd::reply_complete:
            return fmt::format("received {} line(s)", options.max_reply_lines.value_or(0));
        case RelayEnd::input_finished:
            return "input ended";
        case RelayEnd::output_closed:
            return fmt::format("output closed ({})", detail);
        case RelayEnd::idle_timeout:
            return fmt::format("idle timeout: nothing sent or received for {}",
                               format_duration(options.idle_timeout));
        case RelayEnd::overall_timeout:
            return fmt::format("timed out after {}", format_duration(options.overall_timeout));
        case RelayEnd::connection_failed:
            return detail;
        case RelayEnd::input_failed:
            return fmt::format("cannot read input: {}", detail);
    }
    return detail;
}

int report_relay_end(const RelayResult& result, const RelayOptions& options) {
    if (result.succeeded()) {
        log().debug("{} (sent {} bytes, received {} bytes)", result.describe(options),
                    result.bytes_sent, result.bytes_received);
        return to_int(ExitStatus::success);
    }
    log().error("{} (sent {} bytes, received {} bytes)", result.describe(options),
                result.bytes_sent, result.bytes_received);
    return to_int(ExitStatus::network_failure);
}

asio::awaitable<RelayResult> relay(ByteStream& stream, InputStream& input, OutputStream& output,
                                   const RelayOptions& options) {
    return run_relay(stream, input, output, options);
}

asio::awaitable<RelayResult> relay(asio::ip::udp::socket& socket, InputStream& input,
                                   OutputStream& output, const RelayOptions& options) {
    return run_relay(socket, input, output, options);
}

}  // namespace tcpkit
