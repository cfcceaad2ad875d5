#include "loopback.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "catch.h"

namespace tcpkit::test {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

void wait_for(int fd, short events, Clock::time_point deadline, const char* what) {
    pollfd pfd{fd, events, 0};
    int ready = ::poll(&pfd, 1, remaining_ms(deadline));
    if (ready == 0) {
        throw std::runtime_error(std::string("timed out: ") + what);
    }
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
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

Socket Socket::connect(std::uint16_t port, bool ipv6) {
    Socket socket(::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int result = -1;
    if (ipv6) {
        sockaddr_in6 address{};
        address.sin6_family = AF_INET6;
        address.sin6_port = htons(port);
        address.sin6_addr = in6addr_loopback;
        result = ::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    } else {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        result = ::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    }
    if (result != 0) {
        throw std::system_error(errno, std::generic_category(),
                                "connect to port " + std::to_string(port));
    }
    return socket;
}

Socket Socket::connect_from(const std::string& source, std::uint16_t port) {
    Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source.c_str(), &local.sin_addr) != 1) {
        throw std::invalid_argument("not an IPv4 address: " + source);
    }
    if (::bind(socket.fd(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        throw std::system_error(errno, std::generic_category(), "bind to " + source);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        throw std::system_error(errno, std::generic_category(),
                                "connect from " + source + " to port " + std::to_string(port));
    }
    return socket;
}

void Socket::send_all(std::string_view data, Timeout timeout) {
    auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
        wait_for(fd_, POLLOUT, deadline, "sending");
        ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                continue;
            }
            throw std::system_error(errno, std::generic_category(), "send");
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
        ssize_t got =
            ::recv(fd_, buffer, std::min(sizeof buffer, count - data.size()), MSG_DONTWAIT);
        if (got == 0) {
            throw std::runtime_error("peer closed after " + std::to_string(data.size()) + " of " +
                                     std::to_string(count) + " bytes");
        }
        if (got < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                continue;
            }
            throw std::system_error(errno, std::generic_category(), "recv");
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
        ssize_t got = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
        if (got == 0) {
            return data;
        }
        if (got < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                continue;
            }
            throw std::system_error(errno, std::generic_category(), "recv");
        }
        data.append(buffer, static_cast<std::size_t>(got));
    }
}

bool Socket::wait_closed(Timeout timeout) {
    auto deadline = Clock::now() + timeout;
    char buffer[65536];
    for (;;) {
        pollfd pfd{fd_, POLLIN, 0};
        if (::poll(&pfd, 1, remaining_ms(deadline)) == 0) {
            return false;
        }
        ssize_t got = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
            return true;
        }
    }
}

void Socket::shutdown_write() {
    ::shutdown(fd_, SHUT_WR);
}

void Socket::reset() {
    linger option{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof option);
    close();
}

void Socket::set_receive_buffer(int bytes) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

ScriptedServer::ScriptedServer(std::function<void(Socket&)> script)
    : listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_.fd(), 16) != 0) {
        throw std::system_error(errno, std::generic_category(), "scripted server");
    }
    socklen_t length = sizeof address;
    ::getsockname(listener_.fd(), reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, script = std::move(script)] {
        pollfd pfd{listener_.fd(), POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(default_timeout.count())) <= 0) {
            failure_ = "no client connected in time";
            return;
        }
        Socket client(::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC));
        if (client.fd() < 0) {
            failure_ = std::string("accept: ") + std::strerror(errno);
            return;
        }
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
    Socket probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(probe.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(probe.fd(), reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
}

bool has_ipv6_loopback() {
    Socket probe(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    return probe.fd() >= 0 &&
           ::bind(probe.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

}  // namespace tcpkit::test
