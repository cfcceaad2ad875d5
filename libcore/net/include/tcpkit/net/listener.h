// The server side: listen on every address a host name resolves to, and accept connections
// without ever spinning when the process runs out of file descriptors.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/base/address.h"
#include "tcpkit/base/duration.h"

namespace tcpkit {

// `localhost` as in the tutorial: nothing is exposed to the network unless asked for.
inline constexpr std::string_view default_listen_host = "localhost";
inline constexpr std::uint16_t default_listen_port = 8080;

struct ListenRequest {
    std::string host{default_listen_host};
    std::uint16_t port = default_listen_port;  // 0 picks a free port, shared by every address
    IpFamily family = IpFamily::any;
    int backlog = 1024;
};

// How long the accept loop pauses when accept() fails for lack of descriptors or memory.
inline constexpr Milliseconds accept_backoff{100};

class Listener {
  public:
    // Binds and listens at once, so that a port in use is reported before anything starts.
    // Throws NetworkError ("cannot listen on 127.0.0.1:8080: address already in use").
    Listener(asio::io_context& context, const ListenRequest& request);

    const std::vector<asio::ip::tcp::endpoint>& endpoints() const { return endpoints_; }

    using ContextPicker = std::function<asio::io_context&()>;
    using AcceptHandler = std::function<void(asio::ip::tcp::socket)>;

    // Accepts until close(); each new socket lives on the context `pick_context` returns.
    void start(ContextPicker pick_context, AcceptHandler on_accept);
    void close();

  private:
    asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor);

    std::vector<asio::ip::tcp::acceptor> acceptors_;
    std::vector<asio::ip::tcp::endpoint> endpoints_;
    ContextPicker pick_context_;
    AcceptHandler on_accept_;
};

// The UDP counterpart: one bound socket per address, all on one port.
std::vector<asio::ip::udp::socket> bind_udp(asio::io_context& context,
                                            const ListenRequest& request);

}  // namespace tcpkit
