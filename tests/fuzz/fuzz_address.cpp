// Hosts and ports as users type them (base/address.h).
// Invariants: only UsageError is thrown; a parsed host parses to itself; a parsed port prints
// and parses back to itself; format_host_port's HOST:PORT splits back into the same host and
// port.
#include <string>

#include "fuzz_support.h"
#include "tcpkit/base/address.h"
#include "tcpkit/base/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = tcpkit::fuzz::as_text(data, size);

    std::uint16_t port = static_cast<std::uint16_t>(size * 7919);
    try {
        port = tcpkit::parse_port(text);
        FUZZ_CHECK(tcpkit::parse_port(std::to_string(port)) == port, "a port that does not print");
    } catch (const tcpkit::UsageError&) {
    }

    std::string host;
    try {
        host = tcpkit::parse_host(text);
    } catch (const tcpkit::UsageError&) {
        return 0;
    }
    FUZZ_CHECK(!host.empty(), "an empty host accepted");
    try {
        FUZZ_CHECK(tcpkit::parse_host(host) == host, "a host that does not parse to itself");
    } catch (const tcpkit::UsageError&) {
        FUZZ_CHECK(false, "a parsed host refused the second time");
    }

    std::string joined = tcpkit::format_host_port(host, port);
    std::size_t colon = joined.rfind(':');
    FUZZ_CHECK(colon != std::string::npos, "HOST:PORT without its colon");
    std::string_view host_part = std::string_view(joined).substr(0, colon);
    try {
        FUZZ_CHECK(tcpkit::parse_port(std::string_view(joined).substr(colon + 1)) == port,
                   "HOST:PORT does not end in its port");
        FUZZ_CHECK(tcpkit::parse_host(host_part) == host, "HOST:PORT does not start with its host");
    } catch (const tcpkit::UsageError&) {
        FUZZ_CHECK(false, "HOST:PORT does not split back into a host and a port");
    }
    return 0;
}
