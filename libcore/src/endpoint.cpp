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
#ifdef _WIN32
    // Windows words these differently ("No connection could be made because the target machine
    // actively refused it."), and wine sometimes has no text at all: say what POSIX says, so
    // that messages, documentation and scripts that match them agree on every system.
    struct Known {
        std::error_code code;
        const char* text;
    };
    const Known known[] = {
        {asio::error::connection_refused, "connection refused"},
        {asio::error::connection_reset, "connection reset by peer"},
        {asio::error::connection_aborted, "software caused connection abort"},
        {asio::error::address_in_use, "address already in use"},
        {asio::error::address_family_not_supported, "address family not supported by protocol"},
        {asio::error::network_unreachable, "network is unreachable"},
        {asio::error::host_unreachable, "no route to host"},
        {asio::error::network_down, "network is down"},
        {asio::error::broken_pipe, "broken pipe"},
        {asio::error::shut_down, "cannot send after transport endpoint shutdown"},
        {asio::error::not_connected, "transport endpoint is not connected"},
        {asio::error::no_descriptors, "too many open files"},
        {asio::error::no_buffer_space, "no buffer space available"},
        {asio::error::access_denied, "permission denied"},
        {asio::error::operation_aborted, "operation canceled"},
    };
    for (const auto& [code, text] : known) {
        if (error == code) {
            return text;
        }
    }
#endif
    std::string message = error.message();
#ifdef _WIN32
    // System messages there are sentences: "... refused it.\r\n".
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r' ||
                                message.back() == ' ' || message.back() == '.')) {
        message.pop_back();
    }
#endif
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
