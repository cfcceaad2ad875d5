// What a client refused by --allow/--deny (or a full server) sees: its connection reset.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "catch.h"
#include "loopback.h"

namespace tcpkit::test {

// Waits, bounded, for `client`'s connection to be reset by the peer, before any byte.
inline void require_reset(Socket& client) {
    pollfd readable{client.fd(), POLLIN, 0};
    REQUIRE(::poll(&readable, 1, static_cast<int>(default_timeout.count())) == 1);
    char byte = 0;
    errno = 0;
    auto received = ::recv(client.fd(), &byte, 1, 0);
#ifdef _WIN32
    // Wine delivers a peer's reset as a plain end-of-stream (see tests/CMakeLists.txt).
    CHECK(received <= 0);
#else
    CHECK(received == -1);
    CHECK(errno == ECONNRESET);
#endif
}

}  // namespace tcpkit::test
