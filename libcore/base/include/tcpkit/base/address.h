// Parsing and printing of hosts and ports as users type them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tcpkit {

// Which address families a command may use (-4, -6, or both).
enum class IpFamily { any, v4, v6 };

// Parses a decimal port 0-65535; throws UsageError naming the bad text.
std::uint16_t parse_port(std::string_view text);

// Accepts `localhost`, IPv4, IPv6 with or without brackets (`[::1]`, `::1`) and DNS names;
// returns the host without brackets. Throws UsageError for anything else.
std::string parse_host(std::string_view text);

// `127.0.0.1:8080`, `[::1]:8080`, `example.org:80`: the form users paste back into commands.
std::string format_host_port(std::string_view host, std::uint16_t port);

}  // namespace tcpkit
