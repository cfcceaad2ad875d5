// A redis-server of the test's own on a free loopback port, for the cluster tests (POSIX only).
// It keeps nothing on disk (--save '' --appendonly no), logs to a scratch directory removed at
// the end, and can be stopped and started again on the same port, as a restarted Redis is.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "process.h"

namespace tcpkit::test {

class RedisServer {
  public:
    struct Options {
        std::string password;    // clients must AUTH first (--requirepass)
        bool also_ipv6 = false;  // listens on ::1 too, on the same port
    };
    // Starts it and waits until it answers PING; throws if it cannot be started.
    explicit RedisServer(Options options);
    RedisServer() : RedisServer(Options{}) {}
    // Stops it (SIGTERM) if it runs, and removes its scratch directory.
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    // Whether this build found a redis-server (tests without one warn and return).
    static bool installed();

    // SIGTERM, then waits for it to exit: its clients see their connections closed.
    void stop();
    // Starts it again on the same port (after stop()) and waits until it answers PING.
    void start();
    bool running();

    std::uint16_t port() const { return port_; }
    // redis://127.0.0.1:PORT, for --cluster.
    std::string url() const;

    // Sends one command in Redis's inline form ("KEYS *", "HLEN key") on a fresh connection
    // (after AUTH, with a password) and returns the first line of the reply without its CRLF
    // ("+PONG", ":2", "*3"). For checks in tests only: it is not a Redis client.
    std::string command(std::string_view inline_command, Timeout timeout = default_timeout) const;

  private:
    // Starts redis-server on port_; false if it exited (it could not bind the port, say).
    bool launch(Timeout timeout);
    std::string log_tail() const;

    Options options_;
    std::string directory_;
    std::uint16_t port_ = 0;
    std::unique_ptr<Process> process_;
};

}  // namespace tcpkit::test
