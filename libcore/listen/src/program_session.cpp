// `tcpkit listen --exec PROGRAM` / `--sh-exec COMMAND`: each connection gets its own child,
// the connection's bytes on the child's standard input and the child's standard output on the
// connection, like `ncat -l --exec` and socat's `EXEC:`.
#include <fmt/format.h>

#include <asio/experimental/awaitable_operators.hpp>

#include <string>
#include <vector>

#include "listen_modes.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/stream/describe.h"

namespace tcpkit {
namespace {

// Bytes moved per read each way: a pipe holds 64 KiB.
constexpr std::size_t program_chunk_bytes = std::size_t{64} * 1024;

ChildCommand command_for(const ChildCommand& program, const ConnectionEndpoints& endpoints) {
    ChildCommand command = program;
    command.environment.emplace_back("TCPKIT_PEER_ADDR", endpoints.peer.address().to_string());
    command.environment.emplace_back("TCPKIT_PEER_PORT", std::to_string(endpoints.peer.port()));
    command.environment.emplace_back("TCPKIT_LOCAL_ADDR", endpoints.local.address().to_string());
    command.environment.emplace_back("TCPKIT_LOCAL_PORT", std::to_string(endpoints.local.port()));
    return command;
}

// The client's bytes to the child. The client's end of input closes the child's standard input
// and this direction is done, while the child may still be answering; so is a server stop (the
// child's answer then has the drain time to go out). A connection that failed or went idle
// also closes the child's output, which ends the other direction and so the session. A child
// that stops reading ends this direction too, and TCP holds the client back.
asio::awaitable<void> client_to_child(AcceptedConnection& client, ChildProcessStream& child) {
    std::vector<char> buffer(program_chunk_bytes);
    for (;;) {
        std::size_t count = co_await client.read_some(buffer);
        if (count == 0) {
            break;
        }
        asio::const_buffer data(buffer.data(), count);
        std::error_code error;
        co_await child.write_all(std::span(&data, 1), error);
        if (error) {
            log().debug("{}: {} stopped reading: {}", client.peer(), child.peer(),
                        describe(error));
            break;
        }
    }
    std::error_code ignored;
    co_await child.shutdown_send(ignored);
    EndKind end = client.end_kind();
    if (end != EndKind::open && end != EndKind::closed_by_peer &&
        end != EndKind::server_stopping && end != EndKind::closed_by_session) {
        child.close();
    }
}

// The child's output to the client, until the child closes it (by exiting, usually) or the
// connection fails; then the client's side stops reading too.
asio::awaitable<void> child_to_client(ChildProcessStream& child, AcceptedConnection& client) {
    std::vector<char> buffer(program_chunk_bytes);
    for (;;) {
        std::error_code error;
        std::size_t count = co_await child.read_some(buffer, error, {});
        if (error || !co_await client.write(std::string_view(buffer.data(), count))) {
            break;
        }
    }
    client.note_end(EndKind::closed_by_session, "the program closed its output");
    client.request_stop();
}

asio::awaitable<void> run_program(AcceptedConnection& client, const ChildCommand& program) {
    using namespace asio::experimental::awaitable_operators;
    std::unique_ptr<ChildProcessStream> child;
    try {
        child = std::make_unique<ChildProcessStream>(client.get_executor(),
                                                     command_for(program, client.endpoints()));
    } catch (const std::system_error& failure) {
        log().error("{}: {}", client.peer(), failure.what());
        client.note_end(EndKind::failed, "the program could not be started");
        co_return;
    }
    log().info("{}: started {}", client.peer(), child->peer());
    co_await (client_to_child(client, *child) && child_to_client(*child, client));
    // Everything the child wrote has been sent: end the connection with a FIN (the server
    // closes it when this returns), then the child, if it has not ended by itself.
    co_await client.shutdown_send();
    std::string peer = child->peer();
    std::string ended = co_await child->finish(child_termination_grace);
    log().info("{}: {} {}", client.peer(), peer, ended);
}

bool is_loopback(const asio::ip::tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback();
    }
    return address.is_loopback();
}

}  // namespace

int serve_program(const ListenSettings& settings) {
    ServerOptions options = settings.server;
    options.threads = 1;
    if (!settings.keep_open) {
        // One connection, then exit, as `nc -l -e`: a second client meanwhile is refused.
        options.max_connections = 1;
        options.exit_after_last_client = true;
    }
    const ChildCommand& program = *settings.program;
    TcpServer server(
        options, [&program](AcceptedConnection& client) { return run_program(client, program); });
    for (const auto& endpoint : server.endpoints()) {
        if (!is_loopback(endpoint)) {
            log().warn("--exec: '{}' is reachable from the network on {}",
                       program.arguments.front(), describe(endpoint));
        }
    }
    server.run();
    return 0;
}

}  // namespace tcpkit
