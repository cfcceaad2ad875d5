// `tcpkit listen -u PORT`: like `nc -lu`, every datagram received is written to standard
// output, and each line of standard input goes as one datagram to whoever sent last.
#include <fmt/format.h>

#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

#include "input_gate.h"
#include "listen_modes.h"
#include "output_turns.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/codec/crlf_translator.h"
#include "tcpkit/net/listener.h"
#include "tcpkit/net/signals.h"
#include "tcpkit/stream/describe.h"
#include "tcpkit/stream/spawn.h"

namespace tcpkit {
namespace {

using Clock = std::chrono::steady_clock;

class Datagrams {
  public:
    explicit Datagrams(const ListenSettings& settings)
        : settings_(settings),
          sockets_(bind_udp(context_, settings.server.listen)),
          output_(context_.get_executor()),
          sender_known_(context_, Clock::time_point::max()),
          idle_timer_(context_) {}

    int run() {
        for (auto& socket : sockets_) {
            log().status("listening on {} (udp)", describe(socket.local_endpoint()));
            spawn_logged(context_.get_executor(), receive(socket), "receive");
        }
        spawn_logged(context_.get_executor(), send_input(), "input");
        if (settings_.relay.idle_timeout.count() > 0) {
            spawn_logged(context_.get_executor(), watch_idle(), "idle timer");
        }
        StopSignals signals(context_, [this](int /*count*/) { context_.stop(); });
        context_.run();
        return status_;
    }

  private:
    struct Sender {
        asio::ip::udp::socket* socket;
        asio::ip::udp::endpoint endpoint;
    };

    asio::awaitable<void> receive(asio::ip::udp::socket& socket) {
        std::vector<char> buffer(65536);
        for (;;) {
            asio::ip::udp::endpoint from;
            std::error_code error;
            std::size_t count = co_await socket.async_receive_from(
                asio::buffer(buffer), from, asio::redirect_error(asio::use_awaitable, error));
            if (error) {
                // An ICMP error for an earlier reply (the last sender went away), not ours.
                log().debug("receive failed: {}", describe(error));
                continue;
            }
            if (!settings_.server.access.admits(from.address())) {
                log().debug("refused a datagram from {}: not allowed by --allow/--deny",
                            describe(from));
                continue;
            }
            last_activity_ = Clock::now();
            if (!last_sender_ || last_sender_->endpoint != from) {
                log().info("datagram from {}", describe(from));
            }
            last_sender_ = Sender{&socket, from};
            sender_known_.cancel();
            try {
                co_await output_.write_all(std::string_view(buffer.data(), count));
            } catch (const std::system_error& failure) {
                log().debug("output closed ({}): stopping", describe(failure.code()));
                status_ = to_int(ExitStatus::success);
                context_.stop();
                co_return;
            }
        }
    }

    asio::awaitable<void> send_input() {
        auto input = InputStream::standard_input(co_await asio::this_coro::executor);
        std::vector<char> buffer(relay_input_chunk_bytes);
        std::string pending;  // a line not ended yet
        CrlfTranslator crlf;
        for (;;) {
            // Nobody to answer yet: standard input waits, unread, for the first datagram.
            std::size_t count = co_await read_for_recipients(
                *input, buffer, sender_known_, [this] { return last_sender_.has_value(); });
            if (count == 0) {
                break;
            }
            pending.append(buffer.data(), count);
            std::size_t start = 0;
            for (;;) {
                std::size_t newline = pending.find('\n', start);
                std::size_t available = pending.size() - start;
                if (newline == std::string::npos && available < max_udp_payload) {
                    break;
                }
                std::size_t length = newline == std::string::npos
                                         ? max_udp_payload
                                         : std::min(newline + 1 - start, max_udp_payload);
                co_await send_line(std::string_view(pending).substr(start, length), crlf);
                start += length;
            }
            pending.erase(0, start);
        }
        if (!pending.empty()) {
            co_await send_line(pending, crlf);  // the last line, without its line end
        }
        // UDP has no close to send: go on printing what arrives until interrupted or idle.
    }

    asio::awaitable<void> send_line(std::string_view line, CrlfTranslator& crlf) {
        std::string translated;
        if (settings_.relay.crlf) {
            crlf.translate(line, translated);
            line = translated;
        }
        Sender to = *last_sender_;
        std::error_code error;
        co_await to.socket->async_send_to(asio::buffer(line.data(), line.size()), to.endpoint,
                                          asio::redirect_error(asio::use_awaitable, error));
        last_activity_ = Clock::now();
        if (error) {
            log().warn("cannot send to {}: {}", describe(to.endpoint), describe(error));
        }
    }

    asio::awaitable<void> watch_idle() {
        const auto idle = settings_.relay.idle_timeout;
        for (;;) {
            auto deadline = last_activity_ + idle;
            if (Clock::now() >= deadline) {
                log().debug("nothing sent or received for {}: done", format_duration(idle));
                status_ = to_int(ExitStatus::success);
                context_.stop();
                co_return;
            }
            idle_timer_.expires_at(deadline);
            std::error_code ignored;
            co_await idle_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
    }

    const ListenSettings& settings_;
    asio::io_context context_{1};
    std::vector<asio::ip::udp::socket> sockets_;
    OutputTurns output_;
    std::optional<Sender> last_sender_;
    asio::steady_timer sender_known_;  // never expires; cancelled by each datagram
    asio::steady_timer idle_timer_;
    Clock::time_point last_activity_ = Clock::now();
    int status_ = to_int(ExitStatus::interrupted);
};

}  // namespace

int relay_datagrams(const ListenSettings& settings) {
    Datagrams datagrams(settings);
    return datagrams.run();
}

}  // namespace tcpkit
