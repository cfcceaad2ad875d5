// Resolving host names to the addresses a server listens on or a client connects to.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/ip/address.hpp>

#include <string>
#include <vector>

#include "tcpkit/base/address.h"

namespace tcpkit {

// Resolves `host` to addresses of the allowed family, duplicates removed, in resolver order.
// `passive` asks for addresses to listen on. Throws NetworkError ("cannot resolve ...").
std::vector<asio::ip::address> resolve_addresses(const asio::any_io_executor& executor,
                                                 const std::string& host, IpFamily family,
                                                 bool passive);

}  // namespace tcpkit
