#include "tcpkit/stream/describe.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include <asio/error.hpp>

#include "describe_platform.h"
#include "tcpkit/base/address.h"

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
    std::string message = system_error_text(error);
    if (!message.empty()) {
        message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
    }
    return message;
}

bool is_connection_reset(const std::error_code& error) {
    return error == asio::error::connection_reset || error == asio::error::broken_pipe ||
           error == asio::error::connection_aborted;
}

}  // namespace tcpkit
