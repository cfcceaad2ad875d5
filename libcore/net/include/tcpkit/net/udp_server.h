// A datagram server: each datagram may get one reply, sent back to where it came from.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/net/address_filter.h"
#include "tcpkit/net/listener.h"

namespace tcpkit {

class UdpServer {
  public:
    // Returns the reply to send, or nullopt for none. The view may point into `datagram`.
    using DatagramHandler = std::function<std::optional<std::string_view>(std::string_view datagram,
                                                                          const std::string& peer)>;

    // Binds at once; throws NetworkError when an address cannot be used. Datagrams from peers
    // that `access` refuses are dropped unanswered (UDP has nothing like a reset to send).
    UdpServer(const ListenRequest& request, DatagramHandler handler, AddressFilter access = {});

    // Logs `listening on ADDRESS:PORT (udp)` for each address and serves until SIGINT/SIGTERM.
    void run();

  private:
    asio::awaitable<void> serve(asio::ip::udp::socket& socket);
    void note_refused(const asio::ip::udp::endpoint& sender);

    asio::io_context context_{1};
    std::vector<asio::ip::udp::socket> sockets_;
    DatagramHandler handler_;
    AddressFilter access_;
    // Refused addresses already logged: once each, and at most this many, so that a flood from
    // spoofed sources can neither fill the log nor grow the set without bound.
    static constexpr std::size_t max_refused_logged = 256;
    std::set<asio::ip::address> refused_logged_;
    std::uint64_t datagrams_ = 0;
    std::uint64_t refused_ = 0;
    std::uint64_t bytes_received_ = 0;
    std::uint64_t bytes_sent_ = 0;
};

}  // namespace tcpkit
