// Resolving host names to the addresses a server listens on or a client connects to.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tcpkit/base/address.h"

namespace tcpkit {

// Resolves `host` to addresses of the allowed family, duplicates removed, in resolver order.
// `passive` asks for addresses to listen on. Throws NetworkError ("cannot resolve ...").
std::vector<asio::ip::address> resolve_addresses(const asio::any_io_executor& executor,
                                                 const std::string& host, IpFamily family,
                                                 bool passive);

// The same for a client, without blocking the event loop, and given up at `deadline` (nullopt):
// the system's resolver cannot be cancelled and may wait on unanswered name servers for as long
// as its configuration says, so it runs on a thread of its own, abandoned at the deadline.
asio::awaitable<std::optional<std::vector<asio::ip::address>>> resolve_addresses_before(
    std::string host, IpFamily family, std::chrono::steady_clock::time_point deadline);

}  // namespace tcpkit
