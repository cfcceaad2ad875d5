#include "tcpkit/net/resolver.h"

#include <fmt/format.h>

#include <algorithm>

#include <asio/ip/tcp.hpp>

#include "tcpkit/base/errors.h"
#include "tcpkit/stream/describe.h"

namespace tcpkit {

std::vector<asio::ip::address> resolve_addresses(const asio::any_io_executor& executor,
                                                 const std::string& host, IpFamily family,
                                                 bool passive) {
    asio::ip::tcp::resolver resolver(executor);
    auto flags = passive ? asio::ip::resolver_base::passive : asio::ip::resolver_base::flags{};
    std::error_code error;
    asio::ip::tcp::resolver::results_type results;
    switch (family) {
        case IpFamily::v4:
            results = resolver.resolve(asio::ip::tcp::v4(), host, "0", flags, error);
            break;
        case IpFamily::v6:
            results = resolver.resolve(asio::ip::tcp::v6(), host, "0", flags, error);
            break;
        case IpFamily::any:
            results = resolver.resolve(host, "0", flags, error);
            break;
    }
    if (error) {
        std::string family_note = family == IpFamily::v4   ? " (IPv4 only)"
                                  : family == IpFamily::v6 ? " (IPv6 only)"
                                                           : "";
        throw NetworkError(
            fmt::format("cannot resolve '{}'{}: {}", host, family_note, describe(error)));
    }
    std::vector<asio::ip::address> addresses;
    for (const auto& entry : results) {
        auto address = entry.endpoint().address();
        if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
            addresses.push_back(address);
        }
    }
    if (addresses.empty()) {
        throw NetworkError(fmt::format("cannot resolve '{}': no usable address", host));
    }
    return addresses;
}

}  // namespace tcpkit
