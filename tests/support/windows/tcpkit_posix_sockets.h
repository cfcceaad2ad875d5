// Windows only: the few POSIX socket names the tests use, mapped onto winsock2, so that the test
// files build unchanged. The folder holding this file is on the include path of Windows builds
// only, where its poll.h, sys/socket.h, arpa/inet.h, netinet/in.h and netinet/tcp.h stand in
// for the POSIX headers.
//
// Sockets are kept in an int, as on POSIX: Windows handles (SOCKETs included) always fit in 32
// bits, and -1 converts back to INVALID_SOCKET.
#pragma once

#ifndef _WIN32
#error "tests/support/windows/ is for Windows builds only"
#endif

#ifndef NOMINMAX
#define NOMINMAX 1
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN 1
#endif
#include <winsock2.h>
#include <ws2tcpip.h>

#include <sys/types.h>
#include <cerrno>

// Sockets are not inherited by CreateProcess children unless asked, and the tests wait with
// poll() before every read: these flags have nothing left to do.
#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC 0
#endif
#ifndef SOCK_NONBLOCK
#define SOCK_NONBLOCK 0
#endif
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif
#ifndef SHUT_RD
#define SHUT_RD SD_RECEIVE
#define SHUT_WR SD_SEND
#define SHUT_RDWR SD_BOTH
#endif

// winsock reports errors through WSAGetLastError(); the tests read errno, as on POSIX.
inline int tcpkit_errno_from_wsa(int error) {
    switch (error) {
        case WSAEWOULDBLOCK:
            return EAGAIN;
        case WSAEINTR:
            return EINTR;
        case WSAECONNRESET:
            return ECONNRESET;
        case WSAECONNABORTED:
            return ECONNABORTED;
        case WSAECONNREFUSED:
            return ECONNREFUSED;
        case WSAENOTCONN:
            return ENOTCONN;
        case WSAESHUTDOWN:
            return EPIPE;
        case WSAETIMEDOUT:
            return ETIMEDOUT;
        default:
            return EIO;
    }
}

inline int poll(pollfd* fds, unsigned long count, int timeout_ms) {
    return WSAPoll(fds, count, timeout_ms);
}

inline ssize_t tcpkit_posix_recv(SOCKET socket, void* buffer, size_t size, int flags) {
    int got = ::recv(socket, static_cast<char*>(buffer), static_cast<int>(size), flags);
    if (got == SOCKET_ERROR) {
        errno = tcpkit_errno_from_wsa(WSAGetLastError());
        return -1;
    }
    return got;
}
// `::recv(fd, buffer, size, flags)` in a test becomes the errno-setting version above.
#define recv(...) tcpkit_posix_recv(__VA_ARGS__)
