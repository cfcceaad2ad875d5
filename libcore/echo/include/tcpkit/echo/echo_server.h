// The tutorial's `net.createServer` echo server: every byte a client sends comes straight back.
#pragma once

#include "tcpkit/net/tcp_server.h"

namespace tcpkit {

struct EchoOptions {
    ServerOptions server;  // listen address, --threads, --max-conns, --idle-timeout, --once
    bool udp = false;      // echo datagrams instead (only server.listen and .access apply)
};

// Serves until SIGINT/SIGTERM (or, with --once, until the last client has gone). Each
// connection and disconnection is logged; -v adds the data itself (the tutorial's
// `DATA addr: data`). Throws NetworkError when an address cannot be used.
void run_echo_server(const EchoOptions& options);

}  // namespace tcpkit
