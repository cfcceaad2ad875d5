#include "tcpkit/client/client.h"

#include "tcpkit/base/errors.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/net/command_loop.h"
#include "tcpkit/stream/describe.h"
#include "tcpkit/stream/tcp_stream.h"
#include "tcpkit/terminal/local_end.h"
#include "tcpkit/tls/tls_client.h"

namespace tcpkit {
namespace {

asio::awaitable<int> connect_and_relay(const ClientOptions& options, TlsClient* tls,
                                       const InputFactory& make_input) {
    auto executor = co_await asio::this_coro::executor;
    RelayOptions relay_options = options.relay;
    relay_options.started_at = std::chrono::steady_clock::now();
    // Before connecting: a missing input file is a usage error, not a network one. (The
    // terminal is only set up for editing once the relay reads it.)
    LocalEnd local(executor, options.line_mode, [&] { return make_input(executor); });
    if (options.udp) {
        auto socket = co_await connect_udp(options.connect);
        log().debug("connected to {} (udp)", describe(socket.remote_endpoint()));
        auto result = co_await relay(socket, local.input(), local.output(), relay_options);
        local.finish();
        co_return report_relay_end(result, relay_options);
    }
    auto socket = co_await connect_tcp(options.connect);
    // Typed lines should leave at once; bulk data is sent in full chunks anyway.
    socket.set_option(asio::ip::tcp::no_delay(true));
    std::unique_ptr<ByteStream> stream;
    if (tls != nullptr) {
        std::string peer = describe(socket.remote_endpoint());
        log().debug("connected to {}", peer);
        stream = co_await tls->handshake(std::move(socket), peer, options.connect.timeout);
    } else {
        stream = std::make_unique<TcpStream>(std::move(socket));
        log().debug("connected to {}", stream->peer());
    }
    auto result = co_await relay(*stream, local.input(), local.output(), relay_options);
    local.finish();
    co_return report_relay_end(result, relay_options);
}

}  // namespace

int run_client(const ClientOptions& options, const InputFactory& make_input) {
    // Before connecting: an unreadable certificate file is a usage error, not a network one.
    std::unique_ptr<TlsClient> tls;
    if (options.tls.enabled) {
        tls = std::make_unique<TlsClient>(options.tls, options.connect.host);
    }
    return run_to_exit_status(connect_and_relay(options, tls.get(), make_input));
}

}  // namespace tcpkit
