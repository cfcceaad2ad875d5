#include <asio/error.hpp>

#include "describe_platform.h"

namespace tcpkit {

std::string system_error_text(const std::error_code& error) {
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
    std::string message = error.message();
    // System messages there are sentences: "... refused it.\r\n".
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r' ||
                                message.back() == ' ' || message.back() == '.')) {
        message.pop_back();
    }
    return message;
}

}  // namespace tcpkit
