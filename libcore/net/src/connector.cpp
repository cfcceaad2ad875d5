#include "tcpkit/net/connector.h"

#include <fmt/format.h>

#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>

#include "tcpkit/base/errors.h"
#include "tcpkit/net/resolver.h"
#include "tcpkit/stream/deadline.h"
#include "tcpkit/stream/describe.h"

namespace tcpkit {
namespace {

using Clock = std::chrono::steady_clock;

asio::awaitable<std::error_code> attempt_connect(asio::ip::tcp::socket& socket,
                                                 asio::ip::tcp::endpoint endpoint) {
    std::error_code error;
    co_await socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, error));
    co_return error;
}

Clock::time_point deadline_of(const ConnectRequest& request) {
    return request.timeout.count() > 0 ? Clock::now() + request.timeout : Clock::time_point::max();
}

asio::awaitable<std::vector<asio::ip::address>> resolve_before(const ConnectRequest& request,
                                                               Clock::time_point deadline) {
    auto addresses = co_await resolve_addresses_before(request.host, request.family, deadline);
    if (!addresses) {
        throw NetworkError(fmt::format("cannot resolve '{}': timed out after {}", request.host,
                                       format_duration(request.timeout)));
    }
    co_return std::move(*addresses);
}

}  // namespace

asio::awaitable<asio::ip::tcp::socket> connect_tcp(const ConnectRequest& request) {
    auto executor = co_await asio::this_coro::executor;
    // One deadline for everything: resolving the name, then each address in turn.
    auto deadline = deadline_of(request);
    auto addresses = co_await resolve_before(request, deadline);

    std::string last_failure;
    for (const auto& address : addresses) {
        asio::ip::tcp::endpoint endpoint(address, request.port);
        asio::ip::tcp::socket socket(executor);
        auto result = co_await until_deadline(attempt_connect(socket, endpoint), deadline);
        if (!result) {
            throw NetworkError(fmt::format("cannot connect to {}: timed out after {}",
                                           format_host_port(request.host, request.port),
                                           format_duration(request.timeout)));
        }
        if (!*result) {
            co_return socket;
        }
        last_failure = fmt::format("{} ({})", describe(*result), describe(endpoint));
    }
    throw NetworkError(fmt::format("cannot connect to {}: {}",
                                   format_host_port(request.host, request.port), last_failure));
}

asio::awaitable<asio::ip::udp::socket> connect_udp(const ConnectRequest& request) {
    auto executor = co_await asio::this_coro::executor;
    auto addresses = co_await resolve_before(request, deadline_of(request));
    std::string last_failure;
    for (const auto& address : addresses) {
        asio::ip::udp::endpoint endpoint(address, request.port);
        asio::ip::udp::socket socket(executor);
        std::error_code error;
        socket.open(endpoint.protocol(), error);
        if (!error) {
            socket.connect(endpoint, error);
        }
        if (!error) {
            co_return socket;
        }
        last_failure = fmt::format("{} ({})", describe(error), describe(endpoint));
    }
    throw NetworkError(fmt::format("cannot connect to {}: {}",
                                   format_host_port(request.host, request.port), last_failure));
}

}  // namespace tcpkit
