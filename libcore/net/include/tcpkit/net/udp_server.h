// A datagram server: each datagram may get one reply, sent back to where it came from.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/net/listener.h"

namespace tcpkit {

class UdpServer {
  public:
    // Returns the reply to send, or nullopt for none. The view may point into `datagram`.
    using DatagramHandler = std::function<std::optional<std::string_view>(std::string_view datagram,
                                                                          const std::string& peer)>;

    // Binds at once; throws NetworkError when an address cannot be used.
    UdpServer(const ListenRequest& request, DatagramHandler handler);

    // Logs `listening on ADDRESS:PORT (udp)` for each address and serves until SIGINT/SIGTERM.
    void run();

  private:
    asio::awaitable<void> serve(asio::ip::udp::socket& socket);

    asio::io_context context_{1};
    std::vector<asio::ip::udp::socket> sockets_;
    DatagramHandler handler_;
    std::uint64_t datagrams_ = 0;
    std::uint64_t bytes_received_ = 0;
    std::uint64_t bytes_sent_ = 0;
};

}  // namespace tcpkit
