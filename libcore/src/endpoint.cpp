#include "tcpkit/endpoint.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include <asio/error.hpp>

#include "tcpkit/errors.h"

namespace tcpkit {

std::string describe(const asio::ip::tcp::endpoint& endpoint) {
    return format_host_port(endpoint.address().to_string(), endpoint.port());
}

std::string describe(const asio::ip::udp::endpoint& endpoint) {
    return format_host_port(endpoint.address().to_string(), endpoint.port());
}

std::string describe(const std::error_code& error) {
    if (error == asio::error::eof) {
        return "closed by peer";
    }
    if (error == asio::error::timed_out) {
        return "timed out";
    }
    std::string message = error.message();
    if (!message.empty()) {
        message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
    }
    return message;
}

bool is_connection_reset(const std::error_code& error) {
    return error == asio::error::connection_reset || error == asio::error::broken_pipe ||
           error == asio::error::connection_aborted;
}

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
