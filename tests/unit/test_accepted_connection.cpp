// AcceptedConnection's bounded output queue, exercised through a real TcpServer on loopback.
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <array>
#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "catch.h"
#include "loopback.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/net/tcp_server.h"

using namespace tcpkit;
using tcpkit::test::Socket;

namespace {

// Runs a TcpServer on 127.0.0.1:0 in a background thread for the length of a test.
class BackgroundServer {
  public:
    explicit BackgroundServer(TcpServer::SessionHandler handler) {
        log().configure(LoggerOptions{LogLevel::warn});
        ServerOptions options;
        options.listen.host = "127.0.0.1";
        options.listen.port = 0;
        server_ = std::make_unique<TcpServer>(options, std::move(handler));
        thread_ = std::thread([this] { server_->run(); });
    }
    ~BackgroundServer() {
        server_->stop();
        thread_.join();
    }
    std::uint16_t port() const { return server_->endpoints().front().port(); }

  private:
    std::unique_ptr<TcpServer> server_;
    std::thread thread_;
};

}  // namespace

TEST_CASE("AcceptedConnection::enqueue delivers queued messages in order, sharing one buffer",
          "[accepted_connection]") {
    auto shared = make_shared_bytes("the same bytes for everyone\n");
    // Catch2's assertions are not thread-safe: the session reports, the test thread checks.
    std::atomic<int> refused{0};
    std::atomic<long> uses_while_queued{0};
    std::atomic<bool> flushed{false};
    BackgroundServer server([&](AcceptedConnection& client) -> asio::awaitable<void> {
        for (int i = 0; i < 1000; ++i) {
            refused +=
                client.enqueue(make_shared_bytes("message " + std::to_string(i) + "\n")) ? 0 : 1;
            refused += client.enqueue(shared) ? 0 : 1;
        }
        // 1000 queue entries, one string: the message was never copied per entry.
        uses_while_queued = shared.use_count();
        flushed = co_await client.flush();
        co_await client.shutdown_send();
    });
    auto socket = Socket::connect(server.port());
    std::string received = socket.read_to_end();
    std::string expected;
    for (int i = 0; i < 1000; ++i) {
        expected += "message " + std::to_string(i) + "\nthe same bytes for everyone\n";
    }
    REQUIRE(received == expected);
    CHECK(refused == 0);
    CHECK(flushed);
    CHECK(uses_while_queued > 1000);
}

TEST_CASE("AcceptedConnection closes a client that stops reading once its queue is full",
          "[accepted_connection]") {
    constexpr std::size_t limit = 64 * 1024;
    constexpr int max_messages = 200'000;  // 200 MB: far more than any socket buffer holds
    struct Outcome {
        int accepted = 0;
        std::size_t peak_queued = 0;
        std::string reason;
    };
    std::promise<Outcome> outcome;
    BackgroundServer server([&](AcceptedConnection& client) -> asio::awaitable<void> {
        client.set_output_limit(limit);
        Outcome result;
        auto message = make_shared_bytes(std::string(1024, 'm'));
        while (result.accepted < max_messages && client.enqueue(message)) {
            ++result.accepted;
            result.peak_queued = std::max(result.peak_queued, client.queued_bytes());
            // Let the writer run, as a real session would between reads.
            co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        }
        result.reason = client.end_reason();
        outcome.set_value(result);
    });
    auto socket = Socket::connect(server.port());
    auto future = outcome.get_future();
    REQUIRE(future.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
    Outcome result = future.get();
    CHECK(result.accepted < max_messages);
    CHECK(result.peak_queued <= limit);
    CHECK(result.reason == "too slow: more than 65536 bytes waiting to be sent");
    CHECK(socket.wait_closed());
}

TEST_CASE("AcceptedConnection::read_when_ready lets connections share one read buffer",
          "[accepted_connection]") {
    // Every session reads into the same buffer, and copies what it got before it waits again:
    // two clients talking at once must each get back exactly their own bytes.
    static std::array<char, 4096> shared_buffer;
    std::atomic<int> ended_by_client{0};
    BackgroundServer server([&](AcceptedConnection& client) -> asio::awaitable<void> {
        for (;;) {
            std::size_t count = co_await client.read_when_ready(shared_buffer);
            if (count == 0) {
                break;
            }
            co_await client.write(std::string(shared_buffer.data(), count));
        }
        ended_by_client += client.end_kind() == EndKind::closed_by_peer ? 1 : 0;
        co_await client.shutdown_send();
    });
    auto first = Socket::connect(server.port());
    auto second = Socket::connect(server.port());
    std::string first_sent;
    std::string second_sent;
    for (int round = 0; round < 200; ++round) {
        std::string a = "first " + std::to_string(round) + "\n";
        std::string b = std::string(1 + round % 50, 'b') + "\n";
        first.send_all(a);
        second.send_all(b);
        first_sent += a;
        second_sent += b;
    }
    first.shutdown_write();
    second.shutdown_write();
    CHECK(first.read_to_end() == first_sent);
    CHECK(second.read_to_end() == second_sent);
    CHECK(ended_by_client == 2);
}

TEST_CASE("AcceptedConnection tells when its queue backs up past the high mark and drains",
          "[accepted_connection][overload]") {
    std::promise<std::vector<bool>> changes;
    BackgroundServer server([&](AcceptedConnection& client) -> asio::awaitable<void> {
        std::vector<bool> heard;
        client.set_backlog_marks(8 * 1024, 2 * 1024);
        client.on_backlog_change([&](bool backed_up) { heard.push_back(backed_up); });
        auto message = make_shared_bytes(std::string(1024, 'm'));
        for (int i = 0; i < 32; ++i) {  // no wait in between: nothing has gone out yet
            client.enqueue(message);
        }
        bool backed_up = client.backed_up();
        co_await client.flush();
        heard.push_back(backed_up);
        heard.push_back(client.backed_up());
        changes.set_value(heard);
    });
    auto socket = Socket::connect(server.port());
    REQUIRE(socket.read_exactly(32 * 1024).size() == 32 * 1024);
    auto future = changes.get_future();
    REQUIRE(future.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    // Heard: backed up, then drained; seen: backed up after the 32 KiB, not after the flush.
    CHECK(future.get() == std::vector<bool>{true, false, true, false});
}
