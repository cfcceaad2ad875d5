// Resolving names to endpoints and describing endpoints and errors the way users read them.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "tcpkit/address.h"

namespace tcpkit {

// `127.0.0.1:8080` or `[::1]:8080`.
std::string describe(const asio::ip::tcp::endpoint& endpoint);
std::string describe(const asio::ip::udp::endpoint& endpoint);

// The OS's message in lower case ("connection refused"), as it reads inside a sentence.
std::string describe(const std::error_code& error);

// True for errors that mean the peer went away rather than that we misbehaved.
bool is_connection_reset(const std::error_code& error);

// Resolves `host` to addresses of the allowed family, duplicates removed, in resolver order.
// `passive` asks for addresses to listen on. Throws NetworkError ("cannot resolve ...").
std::vector<asio::ip::address> resolve_addresses(const asio::any_io_executor& executor,
                                                 const std::string& host, IpFamily family,
                                                 bool passive);

}  // namespace tcpkit
