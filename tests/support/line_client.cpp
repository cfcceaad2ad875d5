#include "line_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace tcpkit::test {

void LineClient::fill(Timeout timeout) {
    pollfd readable{socket_.fd(), POLLIN, 0};
    if (::poll(&readable, 1, static_cast<int>(timeout.count())) <= 0) {
        throw std::runtime_error("timed out waiting for data; have: '" + buffer_ + "'");
    }
    char chunk[65536];
    ssize_t got = ::recv(socket_.fd(), chunk, sizeof chunk, MSG_DONTWAIT);
    if (got == 0) {
        throw std::runtime_error("connection closed; have: '" + buffer_ + "'");
    }
    if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) {
            return;
        }
        throw std::system_error(errno, std::generic_category(), "recv");
    }
    buffer_.append(chunk, static_cast<std::size_t>(got));
}

std::string LineClient::line(Timeout timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto end = buffer_.find("\r\n");
        if (end != std::string::npos) {
            std::string result = buffer_.substr(0, end);
            buffer_.erase(0, end + 2);
            return result;
        }
        auto left =
            std::chrono::duration_cast<Timeout>(deadline - std::chrono::steady_clock::now());
        fill(left.count() > 0 ? left : Timeout(0));
    }
}

std::string LineClient::until(std::string_view marker, Timeout timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto found = buffer_.find(marker);
        if (found != std::string::npos) {
            std::string result = buffer_.substr(0, found + marker.size());
            buffer_.erase(0, found + marker.size());
            return result;
        }
        auto left =
            std::chrono::duration_cast<Timeout>(deadline - std::chrono::steady_clock::now());
        fill(left.count() > 0 ? left : Timeout(0));
    }
}

std::vector<std::string> LineClient::lines_until(std::string_view wanted, Timeout timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<std::string> before;
    for (;;) {
        auto left =
            std::chrono::duration_cast<Timeout>(deadline - std::chrono::steady_clock::now());
        std::string next = line(left.count() > 0 ? left : Timeout(0));
        if (next == wanted) {
            return before;
        }
        before.push_back(std::move(next));
    }
}

}  // namespace tcpkit::test
