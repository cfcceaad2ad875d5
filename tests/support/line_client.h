// A loopback client that speaks in lines, as a chat user does: CRLF-terminated lines in,
// anything out. Every read has a deadline.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "loopback.h"

namespace tcpkit::test {

class LineClient {
  public:
    explicit LineClient(std::uint16_t port) : socket_(Socket::connect(port)) {}

    void send(std::string_view text) { socket_.send_all(text); }
    void send_line(std::string_view text) { socket_.send_all(std::string(text) + "\n"); }

    // The next line, without its CRLF; throws if none arrives in time.
    std::string line(Timeout timeout = default_timeout);
    // Everything up to and including `marker` (for prompts, which have no line end).
    std::string until(std::string_view marker, Timeout timeout = default_timeout);
    // Lines until one equal to `wanted` arrives; returns the ones before it.
    std::vector<std::string> lines_until(std::string_view wanted,
                                         Timeout timeout = default_timeout);
    // True once the server has closed the connection (buffered lines are discarded).
    bool closed(Timeout timeout = default_timeout) { return socket_.wait_closed(timeout); }

    Socket& socket() { return socket_; }

  private:
    void fill(Timeout timeout);

    Socket socket_;
    std::string buffer_;
};

}  // namespace tcpkit::test
