// The TLS options of the clients (connect, send) and of the servers (echo-server, chat-server).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>

#include "common_options.h"
#include "tcpkit/tls/tls_server.h"

namespace tcpkit::cmd {

// --tls/--ssl and the options that need it, checked while parsing. Returns the --tls flag, for
// options that exclude it (--udp).
CLI::Option* add_tls_client_options(CLI::App& command, TlsClientOptions& options);
CLI::Option* add_tls_server_options(CLI::App& command, TlsServerOptions& options);

// The server's TLS context when --tls was given (its certificate made or loaded now, before
// listening), or null.
std::shared_ptr<TlsServer> make_tls_server(const TlsServerOptions& options,
                                           const ListenOptions& listen);

}  // namespace tcpkit::cmd
