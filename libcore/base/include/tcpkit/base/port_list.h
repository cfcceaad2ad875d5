// The PORT arguments of `connect -z`: single ports and inclusive ranges (`22 80 8000-8010`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tcpkit {

struct PortRange {
    std::uint16_t first = 0;
    std::uint16_t last = 0;  // inclusive; equal to `first` for a single port
    bool is_single() const { return first == last; }
};

// Parses `N` or `N-M` (0-65535, N <= M). Throws UsageError naming the bad text.
PortRange parse_port_range(std::string_view text);

// Expands `items` (each as parse_port_range takes it) into the ports to check, in the order they
// were given, each port once (a repeat is dropped where it comes again). Port 0 cannot be
// connected to, so it is refused here. Throws UsageError naming the bad item.
std::vector<std::uint16_t> parse_port_list(const std::vector<std::string>& items);

}  // namespace tcpkit
