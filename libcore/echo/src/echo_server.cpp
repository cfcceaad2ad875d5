#include "tcpkit/echo/echo_server.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/base/byte_escape.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/net/udp_server.h"

namespace tcpkit {
namespace {

// Reads start small and double while they fill the buffer: idle clients cost 4 KiB, bulk
// transfers move 64 KiB per system call.
constexpr std::size_t first_read_bytes = std::size_t{4} * 1024;
constexpr std::size_t largest_read_bytes = std::size_t{64} * 1024;

asio::awaitable<void> echo(AcceptedConnection& client) {
    std::vector<char> buffer(first_read_bytes);
    for (;;) {
        std::size_t count = co_await client.read_some(buffer);
        if (count == 0) {
            break;
        }
        std::string_view data(buffer.data(), count);
        if (log().enabled(LogLevel::debug)) {  // escaping costs more than echoing
            log().debug("data from {}: {}", client.peer(), escape_bytes(data));
        }
        if (!co_await client.write(data)) {
            co_return;
        }
        if (count == buffer.size() && buffer.size() < largest_read_bytes) {
            buffer.resize(buffer.size() * 2);
        }
    }
    // The client has finished sending (the tutorial's 'end' event) and everything it sent has
    // been echoed: close our side too.
    co_await client.shutdown_send();
}

}  // namespace

void run_echo_server(const EchoOptions& options) {
    if (options.udp) {
        UdpServer server(
            options.server.listen,
            [](std::string_view datagram, const std::string& peer) {
                if (log().enabled(LogLevel::debug)) {
                    log().debug("datagram from {}: {}", peer, escape_bytes(datagram));
                }
                return std::optional<std::string_view>(datagram);
            },
            options.server.access);
        server.run();
        return;
    }
    TcpServer server(options.server, echo);
    server.run();
}

}  // namespace tcpkit
