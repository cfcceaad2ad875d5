// One connection to a Redis server, on the event loop of its executor: commands are queued and
// pipelined, each reply goes to the handler of its command, in order, and what Redis sends
// unasked (pub/sub messages) goes to a push handler. The queue is bounded, and every command
// gets exactly one reply: when the connection fails, the ones still waiting get an error reply.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tcpkit/base/duration.h"
#include "tcpkit/redis/redis_reply.h"
#include "tcpkit/redis/redis_url.h"
#include "tcpkit/redis/resp.h"

namespace tcpkit {

class RedisConnection {
  public:
    using Clock = std::chrono::steady_clock;
    using ReplyHandler = std::function<void(const RedisReply&)>;
    using PushHandler = std::function<void(const RedisReply&)>;

    // Connects, authenticates (AUTH) and selects the URL's database, all within `timeout`.
    // Throws NetworkError: "cannot reach Redis at redis://HOST:PORT/DB: WHY".
    static asio::awaitable<std::unique_ptr<RedisConnection>> open(const RedisUrl& url,
                                                                  Milliseconds timeout,
                                                                  std::size_t max_queued_bytes);

    RedisConnection(asio::ip::tcp::socket socket, std::size_t max_queued_bytes);
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    // Queues `command`; its reply goes to `on_reply` (none: read and dropped). Returns false,
    // queuing nothing, when the connection has failed, its queue holds max_queued_bytes, or
    // too many commands wait for their replies.
    bool send(std::span<const std::string> command, ReplyHandler on_reply = {});
    // SUBSCRIBE: from now on, pub/sub messages and subscription replies go to the push handler.
    bool subscribe(std::span<const std::string> channels);
    // Sends `command` and waits for its reply (an error reply when the connection fails).
    asio::awaitable<RedisReply> call(std::vector<std::string> command);

    // Writes and reads until the connection fails or is closed; returns the reason.
    asio::awaitable<std::string> run(PushHandler on_push);
    void close(std::string reason);
    bool is_open() const { return open_; }
    // Whether the connection ended by itself (Redis closed it, or an error), rather than by
    // close() or by cancelling run().
    bool failed() const { return failed_; }

    std::size_t queued_bytes() const { return queued_.size() + writing_.size(); }
    // How long the oldest command still waiting has waited for its reply; zero when none is.
    Clock::duration oldest_wait(Clock::time_point now) const;

  private:
    struct Waiting {
        ReplyHandler on_reply;
        Clock::time_point sent;
    };

    asio::awaitable<void> write_queued();
    asio::awaitable<void> read_replies();
    void dispatch(const RedisReply& reply);
    asio::awaitable<RedisReply> read_one_reply();
    void fail(std::string reason);

    asio::ip::tcp::socket socket_;
    std::size_t max_queued_bytes_;
    std::string queued_;
    std::string writing_;
    asio::steady_timer write_wake_;
    std::deque<Waiting> waiting_;
    RespReader reader_;
    PushHandler on_push_;
    bool subscribed_ = false;
    bool open_ = true;
    bool failed_ = false;
    std::string failure_;
};

}  // namespace tcpkit
