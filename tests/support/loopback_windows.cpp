// Windows version of loopback.cpp: the same blocking-with-deadline sockets on winsock2.
// A SOCKET is kept in Socket's int (Windows handles fit in 32 bits; -1 is INVALID_SOCKET).
#include "loopback.h"

#include <tcpkit_posix_sockets.h>
#undef recv  // winsock's own: errors are read with WSAGetLastError() here

#include <algorithm>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "catch.h"

namespace tcpkit::test {
namespace {

using Clock = std::chrono::steady_clock;

// The test binaries call winsock before anything else might: start it with the process.
struct WinsockStartup {
    WinsockStartup() {
        WSADATA data;
        WSAStartup(MAKEWORD(2, 2), &data);
    }
    ~WinsockStartup() { WSACleanup(); }
};
const WinsockStartup winsock_startup;

SOCKET to_socket(int fd) {
    return fd == -1 ? INVALID_SOCKET : static_cast<SOCKET>(static_cast<unsigned int>(fd));
}

int from_socket(SOCKET socket) {
    return socket == INVALID_SOCKET ? -1 : static_cast<int>(socket);
}

[[noreturn]] void fail_with_socket_error(const std::string& what) {
    throw std::system_error(WSAGetLastError(), std::system_category(), what);
}

int remaining_ms(Clock::time_point deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

void wait_for(int fd, short events, Clock::time_point deadline, const char* what) {
    WSAPOLLFD pfd{to_socket(fd), events, 0};
    int ready = WSAPoll(&pfd, 1, remaining_ms(deadline));
    if (ready == 0) {
        throw std::runtime_error(std::string("timed out: ") + what);
    }
}

void make_non_blocking(SOCKET socket) {
    u_long on = 1;
    ioctlsocket(socket, FIONBIO, &on);
}

bool would_block(int error) {
    return error == WSAEWOULDBLOCK || error == WSAEINTR;
}

sockaddr_in loopback_v4(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

}  // namespace

Socket::~Socket() {
    close();
}

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

void Socket::close() {
    if (fd_ != -1) {
        ::closesocket(to_socket(fd_));
        fd_ = -1;
    }
}

Socket Socket::connect(std::uint16_t port, bool ipv6) {
    Socket socket(from_socket(::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, IPPROTO_TCP)));
    if (socket.fd() == -1) {
        fail_with_socket_error("socket");
    }
    int result = -1;
    if (ipv6) {
        sockaddr_in6 address{};
        address.sin6_family = AF_INET6;
        address.sin6_port = htons(port);
        address.sin6_addr.s6_addr[15] = 1;  // ::1
        result = ::connect(to_socket(socket.fd()), reinterpret_cast<sockaddr*>(&address),
                           sizeof address);
    } else {
        sockaddr_in address = loopback_v4(port);
        result = ::connect(to_socket(socket.fd()), reinterpret_cast<sockaddr*>(&address),
                           sizeof address);
    }
    if (result != 0) {
        fail_with_socket_error("connect to port " + std::to_string(port));
    }
    make_non_blocking(to_socket(socket.fd()));
    return socket;
}

Socket Socket::connect_from(const std::string& source, std::uint16_t port) {
    Socket socket(from_socket(::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)));
    if (socket.fd() == -1) {
        fail_with_socket_error("socket");
    }
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source.c_str(), &local.sin_addr) != 1) {
        throw std::invalid_argument("not an IPv4 address: " + source);
    }
    if (::bind(to_socket(socket.fd()), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        fail_with_socket_error("bind to " + source);
    }
    sockaddr_in address = loopback_v4(port);
    if (::connect(to_socket(socket.fd()), reinterpret_cast<sockaddr*>(&address), sizeof address) !=
        0) {
        fail_with_socket_error("connect from " + source + " to port " + std::to_string(port));
    }
    make_non_blocking(to_socket(socket.fd()));
    return socket;
}

void Socket::send_all(std::string_view data, Timeout timeout) {
    auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
        wait_for(fd_, POLLOUT, deadline, "sending");
        int sent = ::send(to_socket(fd_), data.data(),
                          static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20)), 0);
        if (sent == SOCKET_ERROR) {
            if (would_block(WSAGetLastError())) {
                continue;
            }
            fail_with_socket_error("send");
        }
        data.remove_prefix(static_cast<std::size_t>(sent));
    }
}

std::string Socket::read_exactly(std::size_t count, Timeout timeout) {
    auto deadline = Clock::now() + timeout;
    std::string data;
    char buffer[65536];
    while (data.size() < count) {
        wait_for(fd_, POLLIN, deadline, "reading");
        int got = ::recv(to_socket(fd_), buffer,
                         static_cast<int>(std::min(sizeof buffer, count - data.size())), 0);
        if (got == 0) {
            throw std::runtime_error("peer closed after " + std::to_string(data.size()) + " of " +
                                     std::to_string(count) + " bytes");
        }
        if (got == SOCKET_ERROR) {
            if (would_block(WSAGetLastError())) {
                continue;
            }
            fail_with_socket_error("recv");
        }
        data.append(buffer, static_cast<std::size_t>(got));
    }
    return data;
}

std::string Socket::read_to_end(Timeout timeout) {
    auto deadline = Clock::now() + timeout;
    std::string data;
    char buffer[65536];
    for (;;) {
        wait_for(fd_, POLLIN, deadline, "reading to the end");
        int got = ::recv(to_socket(fd_), buffer, sizeof buffer, 0);
        if (got == 0) {
            return data;
        }
        if (got == SOCKET_ERROR) {
            if (would_block(WSAGetLastError())) {
                continue;
            }
            fail_with_socket_error("recv");
        }
        data.append(buffer, static_cast<std::size_t>(got));
    }
}

bool Socket::wait_closed(Timeout timeout) {
    auto deadline = Clock::now() + timeout;
    char buffer[65536];
    for (;;) {
        WSAPOLLFD pfd{to_socket(fd_), POLLIN, 0};
        if (WSAPoll(&pfd, 1, remaining_ms(deadline)) == 0) {
            return false;
        }
        int got = ::recv(to_socket(fd_), buffer, sizeof buffer, 0);
        if (got == 0 || (got == SOCKET_ERROR && !would_block(WSAGetLastError()))) {
            return true;
        }
    }
}

void Socket::shutdown_write() {
    ::shutdown(to_socket(fd_), SD_SEND);
}

void Socket::reset() {
    linger option{1, 0};
    ::setsockopt(to_socket(fd_), SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&option),
                 sizeof option);
    close();
}

void Socket::set_receive_buffer(int bytes) {
    ::setsockopt(to_socket(fd_), SOL_SOCKET, SO_RCVBUF, reinterpret_cast<const char*>(&bytes),
                 sizeof bytes);
}

ScriptedServer::ScriptedServer(std::function<void(Socket&)> script)
    : listener_(from_socket(::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))) {
    sockaddr_in address = loopback_v4(0);
    if (::bind(to_socket(listener_.fd()), reinterpret_cast<sockaddr*>(&address), sizeof address) !=
            0 ||
        ::listen(to_socket(listener_.fd()), 16) != 0) {
        fail_with_socket_error("scripted server");
    }
    int length = sizeof address;
    ::getsockname(to_socket(listener_.fd()), reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, script = std::move(script)] {
        WSAPOLLFD pfd{to_socket(listener_.fd()), POLLIN, 0};
        if (WSAPoll(&pfd, 1, static_cast<int>(default_timeout.count())) <= 0) {
            failure_ = "no client connected in time";
            return;
        }
        SOCKET accepted = ::accept(to_socket(listener_.fd()), nullptr, nullptr);
        if (accepted == INVALID_SOCKET) {
            failure_ = "accept: " + std::system_category().message(WSAGetLastError());
            return;
        }
        make_non_blocking(accepted);
        Socket client(from_socket(accepted));
        try {
            script(client);
        } catch (const std::exception& error) {
            failure_ = error.what();
        } catch (...) {
            failure_ = "an exception that is not a std::exception";
        }
    });
}

ScriptedServer::~ScriptedServer() {
    wait_for_script();
    // A test already on its way out with an exception has reported its own failure.
    if (!failure_.empty() && std::uncaught_exceptions() == 0) {
        FAIL_CHECK("the scripted server's script failed: " << failure_);
    }
}

void ScriptedServer::join() {
    wait_for_script();
    if (!failure_.empty()) {
        std::string failure = std::exchange(failure_, std::string());
        throw std::runtime_error("the scripted server's script failed: " + failure);
    }
}

void ScriptedServer::wait_for_script() {
    if (thread_.joinable()) {
        thread_.join();
    }
}

std::uint16_t unused_port() {
    Socket probe(from_socket(::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)));
    sockaddr_in address = loopback_v4(0);
    ::bind(to_socket(probe.fd()), reinterpret_cast<sockaddr*>(&address), sizeof address);
    int length = sizeof address;
    ::getsockname(to_socket(probe.fd()), reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
}

bool has_ipv6_loopback() {
    Socket probe(from_socket(::socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)));
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr.s6_addr[15] = 1;  // ::1
    return probe.fd() != -1 && ::bind(to_socket(probe.fd()), reinterpret_cast<sockaddr*>(&address),
                                      sizeof address) == 0;
}

}  // namespace tcpkit::test
