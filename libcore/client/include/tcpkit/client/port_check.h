// `connect -z`: which of a host's ports accept a TCP connection, as `nc -z` reports it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tcpkit/base/address.h"
#include "tcpkit/base/duration.h"

namespace tcpkit {

inline constexpr std::size_t default_port_check_parallel = 64;
inline constexpr std::size_t max_port_check_parallel = 4096;

struct PortCheckOptions {
    std::string host;                  // to resolve (brackets removed)
    std::string display_host;          // as the user typed it, for the output lines
    std::vector<std::uint16_t> ports;  // in output order, each once
    IpFamily family = IpFamily::any;
    // Bounds each probe (all of the host's addresses on one port) and, once, the name
    // resolution; 0 leaves connecting to the OS.
    Milliseconds connect_timeout{10'000};
    std::size_t parallel = default_port_check_parallel;  // probes in flight at most
    // Retry the ports not open yet until all are or this long has passed; 0: one try each.
    Milliseconds wait{0};
    // Also print closed, timed-out and unreachable ports, and the time each open port took.
    bool verbose = false;
};

// Prints one line per port on stdout, in the order of `ports`: `HOST PORT open`, and with
// `verbose` also `HOST PORT closed (connection refused)`, `HOST PORT timed out after 500ms`,
// `HOST PORT unreachable (...)`. Returns 0 when every port is open, 1 otherwise, 130 when
// interrupted. Throws NetworkError when the name cannot be resolved.
int run_port_check(const PortCheckOptions& options);

}  // namespace tcpkit
