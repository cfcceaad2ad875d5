#include "redis_server.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "line_client.h"
#include "loopback.h"

namespace tcpkit::test {
namespace {

using Clock = std::chrono::steady_clock;

// How long a redis-server may take to answer its first PING: it starts in milliseconds, so
// this only fires when something is broken (or the machine is very busy).
constexpr Timeout startup_timeout = 15s;

std::string redis_binary() {
#ifdef TCPKIT_REDIS_SERVER_BINARY
    return TCPKIT_REDIS_SERVER_BINARY;
#else
    return "";
#endif
}

// Whether something on `port` answers PING as Redis does, within `timeout` (one that wants a
// password first says so, which is as good an answer).
bool answers_ping(std::uint16_t port, Timeout timeout) {
    try {
        LineClient client(port);
        client.send("PING\r\n");
        std::string answer = client.line(timeout);
        return answer == "+PONG" || answer.rfind("-NOAUTH", 0) == 0;
    } catch (const std::exception&) {
        return false;  // refused (not listening yet), or closed, or no answer in time
    }
}

}  // namespace

bool RedisServer::installed() {
    return !redis_binary().empty() && std::filesystem::exists(redis_binary());
}

RedisServer::RedisServer(Options options) : options_(std::move(options)) {
    char name[] = "/tmp/tcpkit-redis-XXXXXX";
    if (::mkdtemp(name) == nullptr) {
        throw std::runtime_error("mkdtemp failed for the redis-server's directory");
    }
    directory_ = name;
    // A free port now may be taken by the time redis-server binds it (another test's server):
    // then redis-server exits, and another port is tried.
    for (int attempt = 0; attempt < 5; ++attempt) {
        port_ = unused_port();
        if (launch(startup_timeout)) {
            return;
        }
    }
    std::string tail = log_tail();
    std::filesystem::remove_all(directory_);
    throw std::runtime_error("redis-server did not start; its log ends with:\n" + tail);
}

RedisServer::~RedisServer() {
    try {
        stop();
    } catch (const std::exception&) {
        // Process's destructor kills it if it did not stop in time.
    }
    process_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
}

bool RedisServer::launch(Timeout timeout) {
    std::vector<std::string> args = {
        redis_binary(), "--port",    std::to_string(port_),    "--bind", "127.0.0.1",
        "--save",       "",          "--appendonly",           "no",     "--dir",
        directory_,     "--logfile", directory_ + "/redis.log"};
    if (options_.also_ipv6) {
        args.insert(args.begin() + 5, "::1");  // after --bind 127.0.0.1
    }
    if (!options_.password.empty()) {
        args.insert(args.end(), {"--requirepass", options_.password});
    }
    process_ = std::make_unique<Process>(args);
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (!process_->running()) {
            return false;
        }
        if (answers_ping(port_, 1s)) {
            return true;
        }
        // Nothing to wait on until it listens: try again shortly, within the deadline.
        ::poll(nullptr, 0, 10);
    }
    throw std::runtime_error("redis-server on port " + std::to_string(port_) +
                             " did not answer PING in time; its log ends with:\n" + log_tail());
}

void RedisServer::stop() {
    if (process_ && process_->running()) {
        process_->send_signal(SIGTERM);
        process_->wait_for_exit();
    }
}

void RedisServer::start() {
    if (running()) {
        return;
    }
    if (!launch(startup_timeout)) {
        throw std::runtime_error("redis-server could not start again on port " +
                                 std::to_string(port_) + "; its log ends with:\n" + log_tail());
    }
}

bool RedisServer::running() {
    return process_ && process_->running();
}

std::string RedisServer::url() const {
    return "redis://127.0.0.1:" + std::to_string(port_);
}

std::string RedisServer::command(std::string_view inline_command, Timeout timeout) const {
    LineClient client(port_);
    if (!options_.password.empty()) {
        client.send("AUTH " + options_.password + "\r\n");
        if (std::string answer = client.line(timeout); answer != "+OK") {
            return answer;
        }
    }
    client.send(std::string(inline_command) + "\r\n");
    return client.line(timeout);
}

std::string RedisServer::log_tail() const {
    std::ifstream log(directory_ + "/redis.log");
    std::vector<std::string> lines;
    for (std::string line; std::getline(log, line);) {
        lines.push_back(line);
    }
    std::ostringstream tail;
    for (std::size_t i = lines.size() > 10 ? lines.size() - 10 : 0; i < lines.size(); ++i) {
        tail << lines[i] << '\n';
    }
    return tail.str();
}

}  // namespace tcpkit::test
