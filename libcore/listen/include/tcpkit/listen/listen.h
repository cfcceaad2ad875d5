// `tcpkit listen`: the server-side twin of `connect`. One connection relayed to standard input
// and output; with keep_open, every client at once; with a program, one child per connection;
// with udp, datagrams.
#pragma once

#include <cstddef>
#include <optional>

#include "tcpkit/net/tcp_server.h"
#include "tcpkit/stream/child_process.h"
#include "tcpkit/stream/relay.h"
#include "tcpkit/terminal/line_terminal.h"

namespace tcpkit {

// Unless told otherwise, listen -k serves this many clients (and so runs this many programs
// with --exec) at once, as ncat does: a program per connection is a process per stranger.
inline constexpr std::size_t default_listen_max_connections = 100;

struct ListenSettings {
    // The address, TLS, --max-conns, --idle-timeout (of each client with keep_open or a
    // program), --once. Threads are always one: standard input and output are single.
    ServerOptions server;
    bool keep_open = false;  // -k: keep accepting after the first client
    // --exec/--sh-exec: each connection gets its own child; the environment gains
    // TCPKIT_PEER_ADDR, TCPKIT_PEER_PORT, TCPKIT_LOCAL_ADDR and TCPKIT_LOCAL_PORT.
    std::optional<ChildCommand> program;
    bool udp = false;  // -u: datagrams in to stdout, stdin lines out to the last sender
    // One connection without a program: exactly connect's relay (crlf, hex, idle timeout).
    RelayOptions relay;
    // One connection without a program: line mode (a person at the terminal) instead of
    // standard input and output.
    std::optional<LineTerminalOptions> line_mode;
};

// Returns the exit status: 0 when the connection (or the server, after SIGINT/SIGTERM with
// -k) ended normally, 1 on a network failure, 130 when one connection's relay is interrupted.
// Throws NetworkError when it cannot listen.
int run_listen(const ListenSettings& settings);

}  // namespace tcpkit
