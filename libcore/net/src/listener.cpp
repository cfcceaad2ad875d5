#include "tcpkit/net/listener.h"

#include <fmt/format.h>

#include <asio/ip/v6_only.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "tcpkit/base/errors.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/net/resolver.h"
#include "tcpkit/stream/describe.h"
#include "tcpkit/stream/spawn.h"

namespace tcpkit {
namespace {

// With --port 0 the second address may find the first one's port taken; start over then.
constexpr int max_bind_rounds = 8;

bool is_out_of_resources(const std::error_code& error) {
    return error == asio::error::no_descriptors || error == asio::error::no_buffer_space ||
           error == asio::error::no_memory || error == std::errc::too_many_files_open_in_system;
}

void prepare_acceptor(asio::ip::tcp::acceptor& acceptor, const asio::ip::tcp::endpoint& endpoint,
                      int backlog, std::error_code& error) {
    acceptor.open(endpoint.protocol(), error);
#ifndef _WIN32
    // On POSIX this only lets a restarted server reuse a port in TIME_WAIT.
    // (On Windows the same option would let two servers share a port, so it stays off.)
    if (!error) {
        acceptor.set_option(asio::socket_base::reuse_address(true), error);
    }
#endif
    if (!error && endpoint.address().is_v6()) {
        // `::` serves IPv4 too where the OS allows; a specific IPv6 address serves only itself.
        acceptor.set_option(asio::ip::v6_only(!endpoint.address().is_unspecified()), error);
    }
    if (!error) {
        acceptor.bind(endpoint, error);
    }
    if (!error) {
        acceptor.listen(backlog, error);
    }
}

void prepare_udp(asio::ip::udp::socket& socket, const asio::ip::udp::endpoint& endpoint,
                 int /*backlog*/, std::error_code& error) {
    socket.open(endpoint.protocol(), error);
    if (!error && endpoint.address().is_v6()) {
        socket.set_option(asio::ip::v6_only(!endpoint.address().is_unspecified()), error);
    }
    if (!error) {
        socket.bind(endpoint, error);
    }
}

// Binds one socket per resolved address, all to the same port. An address that cannot be used
// at all (say ::1 on a host without IPv6) is skipped with a warning when others work.
template <typename Protocol, typename Socket, typename Prepare>
std::vector<Socket> bind_all(asio::io_context& context, const ListenRequest& request,
                             Prepare prepare) {
    auto addresses = resolve_addresses(context.get_executor(), request.host, request.family, true);
    for (int round = 1;; ++round) {
        std::vector<Socket> sockets;
        std::uint16_t port = request.port;
        bool retry = false;
        std::string skipped;
        for (const auto& address : addresses) {
            typename Protocol::endpoint endpoint(address, port);
            Socket socket(context);
            std::error_code error;
            prepare(socket, endpoint, request.backlog, error);
            if (!error) {
                port = socket.local_endpoint().port();
                sockets.push_back(std::move(socket));
                continue;
            }
            if (request.port == 0 && !sockets.empty() && error == asio::error::address_in_use &&
                round < max_bind_rounds) {
                retry = true;
                break;
            }
            if (addresses.size() > 1 && error == std::errc::address_not_available) {
                log().warn("not listening on {}: {}", format_host_port(address.to_string(), port),
                           describe(error));
                continue;
            }
            throw NetworkError(fmt::format("cannot listen on {}: {}",
                                           format_host_port(address.to_string(), port),
                                           describe(error)));
        }
        if (retry) {
            continue;
        }
        if (sockets.empty()) {
            throw NetworkError(fmt::format("cannot listen on {}: no usable address",
                                           format_host_port(request.host, request.port)));
        }
        return sockets;
    }
}

}  // namespace

Listener::Listener(asio::io_context& context, const ListenRequest& request)
    : acceptors_(
          bind_all<asio::ip::tcp, asio::ip::tcp::acceptor>(context, request, prepare_acceptor)) {
    for (auto& acceptor : acceptors_) {
        endpoints_.push_back(acceptor.local_endpoint());
    }
}

void Listener::start(ContextPicker pick_context, AcceptHandler on_accept) {
    pick_context_ = std::move(pick_context);
    on_accept_ = std::move(on_accept);
    for (auto& acceptor : acceptors_) {
        spawn_logged(acceptor.get_executor(), accept_loop(acceptor),
                     fmt::format("accepting on {}", describe(acceptor.local_endpoint())));
    }
}

void Listener::close() {
    for (auto& acceptor : acceptors_) {
        std::error_code ignored;
        acceptor.close(ignored);
    }
}

asio::awaitable<void> Listener::accept_loop(asio::ip::tcp::acceptor& acceptor) {
    asio::steady_timer backoff(acceptor.get_executor());
    auto last_warning = std::chrono::steady_clock::time_point{};
    for (;;) {
        asio::ip::tcp::socket socket(pick_context_());
        std::error_code error;
        co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, error));
        if (!error) {
            on_accept_(std::move(socket));
            continue;
        }
        if (error == asio::error::operation_aborted || !acceptor.is_open()) {
            co_return;
        }
        if (is_out_of_resources(error)) {
            // Waiting beats spinning: the pending connection stays in the backlog until a
            // descriptor frees up. Warn at most every 10 s so the log stays readable.
            auto now = std::chrono::steady_clock::now();
            if (now - last_warning > std::chrono::seconds(10)) {
                log().warn("cannot accept: {}; pausing accepts for {} at a time", describe(error),
                           format_duration(accept_backoff));
                last_warning = now;
            }
            backoff.expires_after(accept_backoff);
            co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, error));
            continue;
        }
        // The client gave up between SYN and accept(), or similar: only that connection is lost.
        log().debug("accept failed: {}", describe(error));
    }
}

std::vector<asio::ip::udp::socket> bind_udp(asio::io_context& context,
                                            const ListenRequest& request) {
    return bind_all<asio::ip::udp, asio::ip::udp::socket>(context, request, prepare_udp);
}

}  // namespace tcpkit
