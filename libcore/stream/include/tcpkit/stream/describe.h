// Describing endpoints and errors the way users read them.
#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include <string>
#include <system_error>

namespace tcpkit {

// `127.0.0.1:8080` or `[::1]:8080`.
std::string describe(const asio::ip::tcp::endpoint& endpoint);
std::string describe(const asio::ip::udp::endpoint& endpoint);

// The OS's message in lower case ("connection refused"), as it reads inside a sentence.
std::string describe(const std::error_code& error);

// True for errors that mean the peer went away rather than that we misbehaved.
bool is_connection_reset(const std::error_code& error);

}  // namespace tcpkit
