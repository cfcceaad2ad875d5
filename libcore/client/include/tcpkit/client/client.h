// A whole client run, as `connect` and `send` do it: connect, relay, say how it ended.
#pragma once

#include <asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <optional>

#include "tcpkit/net/connector.h"
#include "tcpkit/stream/relay.h"
#include "tcpkit/stream/stdio_stream.h"
#include "tcpkit/terminal/line_terminal.h"
#include "tcpkit/tls/tls_options.h"

namespace tcpkit {

// How long `connect` tries to connect, and `send` waits in all (connecting included), unless
// told otherwise. (Left alone, ConnectRequest leaves connecting to the OS and RelayOptions
// has no overall limit.)
inline constexpr Milliseconds default_connect_timeout{10'000};
inline constexpr Milliseconds default_send_timeout{10'000};

struct ClientOptions {
    ConnectRequest connect;
    bool udp = false;
    // TLS over the TCP connection; its handshake shares the connect timeout (a fresh one).
    TlsClientOptions tls;
    RelayOptions relay;
    // Line mode (a person at the terminal) instead of the input and standard output.
    std::optional<LineTerminalOptions> line_mode;
};

// Makes the input once the event loop exists (standard input, a file, or the TEXT arguments).
using InputFactory = std::function<std::unique_ptr<InputStream>(const asio::any_io_executor&)>;

// Returns the exit status: 0 when the exchange ended normally, 1 on a network failure or
// timeout (after one line on stderr saying what happened), 130 when interrupted.
// Throws NetworkError when no connection could be made (or no TLS session: why, in words),
// UsageError for bad input files and unreadable TLS files.
int run_client(const ClientOptions& options, const InputFactory& make_input);

}  // namespace tcpkit
