// The four ways `tcpkit listen` runs; run_listen() picks one.
#pragma once

#include "tcpkit/listen/listen.h"

namespace tcpkit {

// No -k, no program: the first client that passes --allow/--deny (and the TLS handshake) is
// relayed to standard input and output with connect's rules; the listener then closes.
int relay_one_connection(const ListenSettings& settings);
// -k without a program: standard input to every client, every client to standard output.
int relay_every_client(const ListenSettings& settings);
// --exec/--sh-exec: a child per connection (one connection without -k).
int serve_program(const ListenSettings& settings);
// -u: datagrams to standard output, standard input's lines back to the last sender.
int relay_datagrams(const ListenSettings& settings);

}  // namespace tcpkit
