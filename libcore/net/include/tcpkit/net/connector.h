// The client side: resolve a host and connect to the first of its addresses that answers.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include <cstdint>
#include <string>

#include "tcpkit/base/address.h"
#include "tcpkit/base/duration.h"

namespace tcpkit {

struct ConnectRequest {
    std::string host;
    std::uint16_t port = 0;
    IpFamily family = IpFamily::any;
    Milliseconds timeout{0};  // resolving and all attempts together; 0 leaves it to the OS
};

// Tries each resolved address in turn. Throws NetworkError naming the host, the port and the
// last address's failure (refused, unreachable, timed out) when none answers.
asio::awaitable<asio::ip::tcp::socket> connect_tcp(const ConnectRequest& request);

// UDP has no handshake: this only fixes the peer, so that replies from others are filtered out
// and an ICMP "port unreachable" surfaces as "connection refused" on the next receive.
asio::awaitable<asio::ip::udp::socket> connect_udp(const ConnectRequest& request);

}  // namespace tcpkit
