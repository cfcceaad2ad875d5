#include "tcpkit/redis/redis_connection.h"

#include <fmt/format.h>

#include <array>
#include <utility>

#include <asio/buffer.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "tcpkit/base/errors.h"
#include "tcpkit/net/connector.h"
#include "tcpkit/stream/deadline.h"

namespace tcpkit {
namespace {

constexpr std::size_t read_chunk_bytes = std::size_t{64} * 1024;
// Commands sent and not answered yet. Written bytes leave the queue, so this bounds what a
// Redis that reads but does not answer can make us hold until the link's watchdog gives up.
constexpr std::size_t max_waiting_replies = 100'000;
// One reply (or pub/sub message) being read: a room's whole names hash fits many times over, and
// whoever may publish on the room's channel cannot make a node buffer without bound.
constexpr std::size_t max_reply_bytes = std::size_t{64} << 20;

RedisReply link_failure(std::string_view reason) {
    RedisReply reply;
    reply.type = RedisReply::Type::error;
    reply.text = fmt::format("ERR connection to Redis lost: {}", reason);
    return reply;
}

// Pub/sub traffic on a subscribed connection, as opposed to the reply to a command (PING's
// reply there is ["pong", ""]).
bool is_push(const RedisReply& reply) {
    if (reply.type != RedisReply::Type::array || reply.elements.empty()) {
        return false;
    }
    const std::string& kind = reply.elements.front().text;
    return kind == "message" || kind == "pmessage" || kind == "subscribe" || kind == "psubscribe" ||
           kind == "unsubscribe" || kind == "punsubscribe";
}

}  // namespace

asio::awaitable<std::unique_ptr<RedisConnection>> RedisConnection::open(
    const RedisUrl& url, Milliseconds timeout, std::size_t max_queued_bytes) {
    auto deadline = Clock::now() + timeout;
    auto fail = [&](std::string_view why) {
        return NetworkError(fmt::format("cannot reach Redis at {}: {}", url.shown(), why));
    };
    asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
    // Named: GCC 12 destroys a temporary aggregate in a co_await expression twice.
    ConnectRequest request{url.host, url.port, IpFamily::any, timeout};
    try {
        socket = co_await connect_tcp(request);
    } catch (const NetworkError& error) {
        throw fail(error.what());
    }
    socket.set_option(asio::ip::tcp::no_delay(true));
    auto connection = std::make_unique<RedisConnection>(std::move(socket), max_queued_bytes);
    std::vector<std::vector<std::string>> greeting;
    if (!url.password.empty()) {
        greeting.push_back(url.user.empty()
                               ? std::vector<std::string>{"AUTH", url.password}
                               : std::vector<std::string>{"AUTH", url.user, url.password});
    }
    if (url.database != 0) {
        greeting.push_back({"SELECT", std::to_string(url.database)});
    }
    greeting.push_back({"PING"});
    for (const auto& command : greeting) {
        connection->queued_ += format_resp_array(command);
    }
    std::error_code error;
    auto written = co_await until_deadline(
        asio::async_write(connection->socket_, asio::buffer(connection->queued_),
                          asio::redirect_error(asio::use_awaitable, error)),
        deadline);
    connection->queued_.clear();
    if (!written || error) {
        throw fail(written ? error.message() : "timed out");
    }
    for (const auto& command : greeting) {
        auto reply = co_await until_deadline(connection->read_one_reply(), deadline);
        if (!reply) {
            throw fail("no answer in time");
        }
        if (reply->is_error()) {
            // "WRONGPASS invalid username-password pair", "NOAUTH Authentication required", ...
            throw fail(fmt::format("{} refused: {}", command.front(), reply->text));
        }
    }
    co_return connection;
}

RedisConnection::RedisConnection(asio::ip::tcp::socket socket, std::size_t max_queued_bytes)
    : socket_(std::move(socket)),
      max_queued_bytes_(max_queued_bytes),
      write_wake_(socket_.get_executor(), Clock::time_point::max()) {}

RedisConnection::~RedisConnection() {
    waiting_.clear();  // their owners are going away with us: no replies now
    close("closed");
}

// Only while opening, before run(): one reply, read straight from the socket. Failures come back
// as error replies, since until_deadline() needs an operation that does not throw.
asio::awaitable<RedisReply> RedisConnection::read_one_reply() {
    std::array<char, 4096> buffer{};
    for (;;) {
        try {
            if (auto reply = reader_.next()) {
                co_return std::move(*reply);
            }
        } catch (const std::runtime_error& error) {
            co_return link_failure(error.what());
        }
        std::error_code error;
        std::size_t count = co_await socket_.async_read_some(
            asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, error));
        if (error) {
            co_return link_failure(error.message());
        }
        reader_.feed(std::string_view(buffer.data(), count));
    }
}

bool RedisConnection::send(std::span<const std::string> command, ReplyHandler on_reply) {
    if (!open_ || queued_bytes() >= max_queued_bytes_ || waiting_.size() >= max_waiting_replies) {
        return false;
    }
    queued_ += format_resp_array(command);
    waiting_.push_back(Waiting{std::move(on_reply), Clock::now()});
    write_wake_.cancel();
    return true;
}

bool RedisConnection::subscribe(std::span<const std::string> channels) {
    if (!open_) {
        return false;
    }
    std::vector<std::string> command{"SUBSCRIBE"};
    command.insert(command.end(), channels.begin(), channels.end());
    queued_ += format_resp_array(command);
    subscribed_ = true;
    write_wake_.cancel();
    return true;
}

asio::awaitable<RedisReply> RedisConnection::call(std::vector<std::string> command) {
    struct Answer {
        explicit Answer(const asio::any_io_executor& executor)
            : wake(executor, Clock::time_point::max()) {}
        asio::steady_timer wake;
        std::optional<RedisReply> reply;
    };
    auto answer = std::make_shared<Answer>(co_await asio::this_coro::executor);
    if (!send(command, [answer](const RedisReply& reply) {
            answer->reply = reply;
            answer->wake.cancel();
        })) {
        co_return link_failure(open_ ? "too many commands waiting" : failure_);
    }
    while (!answer->reply) {
        std::error_code ignored;
        co_await answer->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    co_return std::move(*answer->reply);
}

asio::awaitable<std::string> RedisConnection::run(PushHandler on_push) {
    using namespace asio::experimental::awaitable_operators;
    on_push_ = std::move(on_push);
    co_await (write_queued() || read_replies());
    close(failure_.empty() ? "closed" : failure_);
    co_return failure_;
}

asio::awaitable<void> RedisConnection::write_queued() {
    while (open_) {
        if (queued_.empty()) {
            std::error_code ignored;
            co_await write_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
            if ((co_await asio::this_coro::cancellation_state).cancelled() !=
                asio::cancellation_type::none) {
                co_return;  // cancelled: run() closes
            }
            continue;
        }
        writing_.swap(queued_);
        std::error_code error;
        co_await asio::async_write(socket_, asio::buffer(writing_),
                                   asio::redirect_error(asio::use_awaitable, error));
        writing_.clear();
        if (error == asio::error::operation_aborted) {
            co_return;  // cancelled: run() closes
        }
        if (error) {
            fail(error.message());
        }
    }
}

asio::awaitable<void> RedisConnection::read_replies() {
    std::vector<char> buffer(read_chunk_bytes);
    while (open_) {
        std::error_code error;
        std::size_t count = co_await socket_.async_read_some(
            asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, error));
        if (error == asio::error::operation_aborted) {
            co_return;  // cancelled: run() closes
        }
        if (error) {
            fail(error == asio::error::eof ? "Redis closed the connection" : error.message());
            co_return;
        }
        try {
            reader_.feed(std::string_view(buffer.data(), count));
            while (open_) {
                auto reply = reader_.next();
                if (!reply) {
                    break;
                }
                dispatch(*reply);
            }
            if (reader_.buffered_bytes() > max_reply_bytes) {
                fail(fmt::format("a reply of more than {} MiB", max_reply_bytes >> 20));
            }
        } catch (const std::runtime_error& failure) {
            fail(failure.what());
        }
    }
}

void RedisConnection::dispatch(const RedisReply& reply) {
    if ((subscribed_ && is_push(reply)) || waiting_.empty()) {
        if (on_push_) {
            on_push_(reply);
        }
        return;
    }
    Waiting waiting = std::move(waiting_.front());
    waiting_.pop_front();
    if (waiting.on_reply) {
        waiting.on_reply(reply);
    }
}

void RedisConnection::fail(std::string reason) {
    if (open_) {
        failed_ = true;
        close(std::move(reason));
    }
}

void RedisConnection::close(std::string reason) {
    if (!open_) {
        return;
    }
    open_ = false;
    failure_ = std::move(reason);
    std::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    write_wake_.cancel();
    // Every command gets its one reply, so that nobody waits for an answer that cannot come.
    auto waiting = std::exchange(waiting_, {});
    RedisReply failure = link_failure(failure_);
    for (auto& entry : waiting) {
        if (entry.on_reply) {
            entry.on_reply(failure);
        }
    }
}

RedisConnection::Clock::duration RedisConnection::oldest_wait(Clock::time_point now) const {
    return waiting_.empty() ? Clock::duration::zero() : now - waiting_.front().sent;
}

}  // namespace tcpkit
