#include "tcpkit/base/port_list.h"

#include <fmt/format.h>

#include <bitset>
#include <memory>

#include "tcpkit/base/address.h"
#include "tcpkit/base/errors.h"

namespace tcpkit {

PortRange parse_port_range(std::string_view text) {
    std::size_t dash = text.find('-');
    if (dash == std::string_view::npos) {
        std::uint16_t port = parse_port(text);
        return {port, port};
    }
    auto bad_range = [&](std::string_view why) {
        return UsageError(fmt::format("invalid port range '{}': {}", text, why));
    };
    std::string_view first_text = text.substr(0, dash);
    std::string_view last_text = text.substr(dash + 1);
    PortRange range;
    try {
        range.first = parse_port(first_text);
        range.last = parse_port(last_text);
    } catch (const UsageError&) {
        throw bad_range("expected N-M, two numbers from 0 to 65535");
    }
    if (range.first > range.last) {
        throw bad_range("the first port is above the last");
    }
    return range;
}

std::vector<std::uint16_t> parse_port_list(const std::vector<std::string>& items) {
    // One bit per port: the whole list is at most the 65535 connectable ports, however many
    // times ranges overlap, so the 65536-port bound holds by construction.
    auto seen = std::make_unique<std::bitset<65536>>();
    std::vector<std::uint16_t> ports;
    for (const std::string& item : items) {
        PortRange range = parse_port_range(item);
        if (range.first == 0) {
            throw UsageError(fmt::format(
                "invalid port '{}': port 0 cannot be connected to (expected 1 to 65535)", item));
        }
        for (unsigned port = range.first; port <= range.last; ++port) {
            if (!seen->test(port)) {
                seen->set(port);
                ports.push_back(static_cast<std::uint16_t>(port));
            }
        }
    }
    return ports;
}

}  // namespace tcpkit
