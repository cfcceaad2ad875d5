// Plain blocking sockets on loopback for the tests' side of a conversation, every call bounded
// by a deadline. Deliberately not Asio: the tests should not share the code they test.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "process.h"

namespace tcpkit::test {

class Socket {
  public:
    explicit Socket(int fd = -1) : fd_(fd) {}
    ~Socket();
    Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    Socket& operator=(Socket&& other) noexcept;

    // Connects to 127.0.0.1 (or ::1) on `port`; throws on failure.
    static Socket connect(std::uint16_t port, bool ipv6 = false);
    // Connects to 127.0.0.1 on `port` from `source`, another loopback address (127.0.0.2: all
    // of 127.0.0.0/8 is loopback), for servers that tell clients apart by address.
    static Socket connect_from(const std::string& source, std::uint16_t port);

    int fd() const { return fd_; }
    void send_all(std::string_view data, Timeout timeout = default_timeout);
    // Reads exactly `count` bytes; throws if the peer closes first or time runs out.
    std::string read_exactly(std::size_t count, Timeout timeout = default_timeout);
    // Reads until the peer closes; throws when time runs out.
    std::string read_to_end(Timeout timeout = default_timeout);
    // Waits for end-of-stream (or a reset) without expecting data; returns the bytes that came.
    bool wait_closed(Timeout timeout = default_timeout);
    void shutdown_write();
    // Close with a RST instead of a FIN.
    void reset();
    void set_receive_buffer(int bytes);
    void close();

  private:
    int fd_;
};

// A one-connection server in the test process, on 127.0.0.1:0, whose behaviour is a function.
// A script that throws, or a client that never comes, fails the test: a script's checks on what
// tcpkit sent are as much the test as the checks on tcpkit's output.
class ScriptedServer {
  public:
    explicit ScriptedServer(std::function<void(Socket&)> script);
    // Joins, and records a failure of the script that join() has not reported yet.
    ~ScriptedServer();
    std::uint16_t port() const { return port_; }
    // Waits for the script to finish (it runs on its own thread); throws if it failed.
    void join();

  private:
    void wait_for_script();

    Socket listener_;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::string failure_;  // written by the script's thread, read after joining it
};

// A port on 127.0.0.1 that nothing listens on (bound, then released).
std::uint16_t unused_port();

// The addresses a TCP client here gets for `name`, as text ("127.0.0.1", "::1"), in the
// resolver's order, each once; empty if it does not resolve.
std::vector<std::string> resolve_host(const std::string& name);
// Whether a socket can be bound to ::1 (a machine may have IPv6 turned off).
bool has_ipv6_loopback();

}  // namespace tcpkit::test
