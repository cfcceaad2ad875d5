// `tcpkit listen PORT`: like `nc -l`, one connection, relayed exactly as `connect` relays.
#include <fmt/format.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <exception>
#include <memory>
#include <string>

#include "listen_modes.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/net/address_filter.h"
#include "tcpkit/net/listener.h"
#include "tcpkit/net/signals.h"
#include "tcpkit/stream/describe.h"
#include "tcpkit/stream/spawn.h"
#include "tcpkit/stream/tcp_stream.h"
#include "tcpkit/terminal/local_end.h"

namespace tcpkit {
namespace {

class OneConnection {
  public:
    explicit OneConnection(const ListenSettings& settings)
        : settings_(settings), listener_(context_, settings.server.listen) {}

    int run() {
        log_listening(listener_.endpoints(), settings_.server.tls.get());
        listener_.start([this]() -> asio::io_context& { return context_; },
                        [this](asio::ip::tcp::socket socket) { accept(std::move(socket)); });
        // Ctrl+C ends the run through the event loop, so that standard input's flags are
        // restored, with status 130 as for connect.
        StopSignals signals(context_, [this](int /*count*/) { context_.stop(); });
        context_.run();
        if (failure_) {
            std::rethrow_exception(failure_);
        }
        return status_;
    }

  private:
    void accept(asio::ip::tcp::socket socket) {
        std::error_code error;
        auto remote = socket.remote_endpoint(error);
        if (error || chosen_) {
            return;  // gone already, or a second client racing the first: closed here
        }
        std::string peer = describe(remote);
        if (!admit_or_reset(settings_.server.access, socket, remote.address(), peer)) {
            return;  // and go on listening for one that is allowed
        }
        if (!settings_.server.tls) {
            chosen(std::make_unique<TcpStream>(std::move(socket), std::move(peer)));
            return;
        }
        // Several handshakes may run at once (a port scanner next to the real client): the
        // first to succeed is the connection; a failed one is logged and listening goes on.
        spawn_logged(context_.get_executor(), handshake(std::move(socket), std::move(peer)),
                     "handshake");
    }

    asio::awaitable<void> handshake(asio::ip::tcp::socket socket, std::string peer) {
        std::string failure;
        auto stream = co_await settings_.server.tls->handshake(std::move(socket), peer, failure);
        if (!stream) {
            log().info("{}: tls handshake {}", peer, failure);
            co_return;
        }
        if (!chosen_) {
            chosen(std::move(stream));
        }
    }

    void chosen(std::unique_ptr<ByteStream> stream) {
        chosen_ = true;
        listener_.close();  // as nc -l: whoever comes next is refused by the OS
        std::string security = stream->security_summary();
        log().info("connection from {}{}", stream->peer(),
                   security.empty() ? std::string() : fmt::format(" ({})", security));
        asio::co_spawn(context_, relay_standard_io(std::move(stream)),
                       [this](const std::exception_ptr& error, int result) {
                           failure_ = error;
                           status_ = result;
                           context_.stop();
                       });
    }

    asio::awaitable<int> relay_standard_io(std::unique_ptr<ByteStream> stream) {
        auto executor = co_await asio::this_coro::executor;
        RelayOptions options = settings_.relay;
        options.started_at = std::chrono::steady_clock::now();
        LocalEnd local(executor, settings_.line_mode,
                       [&] { return InputStream::standard_input(executor); });
        auto result = co_await relay(*stream, local.input(), local.output(), options);
        local.finish();
        co_return report_relay_end(result, options);
    }

    const ListenSettings& settings_;
    asio::io_context context_{1};
    Listener listener_;
    bool chosen_ = false;
    int status_ = to_int(ExitStatus::interrupted);
    std::exception_ptr failure_;
};

}  // namespace

int relay_one_connection(const ListenSettings& settings) {
    OneConnection connection(settings);
    return connection.run();
}

}  // namespace tcpkit
