// The ByteStream seam: AcceptedConnection and the relay over a stream that is not a socket,
// as TLS and a child process's pipes will be.
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <array>
#include <cstring>
#include <memory>
#include <string>

#include "catch.h"
#include "tcpkit/net/accepted_connection.h"
#include "tcpkit/stream/relay.h"

using namespace tcpkit;

namespace {

// A stream in memory. What the peer sent is held inside, the way TLS holds decrypted bytes that
// its socket no longer shows as readable: nothing ever becomes "readable" from outside, so a
// reader that waits while bytes are buffered waits forever (here: until the test's deadline).
// The peer closes (end of stream) once we have shut down our sending side, as echo-server does.
class MemoryStream final : public ByteStream {
  public:
    MemoryStream(const asio::any_io_executor& executor, std::string incoming)
        : incoming_(std::move(incoming)),
          peer_closed_(executor, asio::steady_timer::time_point::max()) {}

    asio::any_io_executor get_executor() override { return peer_closed_.get_executor(); }
    const std::string& peer() const override { return peer_; }

    asio::awaitable<std::size_t> read_some(std::span<char> buffer, std::error_code& error,
                                           asio::cancellation_slot /*cancel*/) override {
        if (incoming_.empty() && !shut_down_) {
            std::error_code woken;
            co_await peer_closed_.async_wait(asio::redirect_error(asio::use_awaitable, woken));
        }
        co_return read_available(buffer, error);
    }
    bool has_buffered_input() const override { return !incoming_.empty(); }
    asio::awaitable<void> wait_readable(std::error_code& /*error*/,
                                        asio::cancellation_slot /*cancel*/) override {
        ++waits;
        std::error_code woken;
        co_await peer_closed_.async_wait(asio::redirect_error(asio::use_awaitable, woken));
    }
    std::size_t read_available(std::span<char> buffer, std::error_code& error) override {
        if (incoming_.empty()) {
            error = shut_down_ ? std::error_code(asio::error::eof)
                               : std::error_code(asio::error::would_block);
            return 0;
        }
        std::size_t count = std::min(buffer.size(), incoming_.size());
        std::memcpy(buffer.data(), incoming_.data(), count);
        incoming_.erase(0, count);
        error = {};
        return count;
    }
    asio::awaitable<std::size_t> write_all(std::span<const asio::const_buffer> buffers,
                                           std::error_code& error) override {
        std::size_t total = 0;
        for (const auto& buffer : buffers) {
            written.append(static_cast<const char*>(buffer.data()), buffer.size());
            total += buffer.size();
        }
        error = {};
        co_return total;
    }
    asio::awaitable<void> shutdown_send(std::error_code& error) override {
        shut_down_ = true;
        peer_closed_.cancel();
        error = {};
        co_return;
    }
    void close() override { open_ = false; }
    bool is_open() const override { return open_; }

    std::string written;
    int waits = 0;

  private:
    std::string incoming_;
    std::string peer_ = "memory peer";
    asio::steady_timer peer_closed_;
    bool shut_down_ = false;
    bool open_ = true;
};

class RecordedOutput final : public OutputStream {
  public:
    asio::awaitable<void> write_all(std::string_view bytes) override {
        text.append(bytes);
        co_return;
    }
    std::string text;
};

// Runs `task` to completion or for at most 5 s.
void run_bounded(asio::io_context& context, asio::awaitable<void> task) {
    bool finished = false;
    asio::co_spawn(context, std::move(task), [&](const std::exception_ptr& failure) {
        finished = true;
        if (failure) {
            std::rethrow_exception(failure);
        }
    });
    context.run_for(std::chrono::seconds(5));
    REQUIRE(finished);
}

}  // namespace

TEST_CASE("AcceptedConnection::read_when_ready reads what a stream holds without waiting",
          "[byte_stream]") {
    asio::io_context context;
    std::string sent = "bytes that a TLS stream would already have decrypted\n";
    auto owned = std::make_unique<MemoryStream>(context.get_executor(), sent);
    MemoryStream& stream = *owned;
    auto connection = std::make_shared<AcceptedConnection>(std::move(owned));
    std::string received;
    run_bounded(context, [&]() -> asio::awaitable<void> {
        std::array<char, 8> small_buffer{};  // several reads, each served from the stream's own
        while (received.size() < sent.size()) {
            std::size_t count = co_await connection->read_when_ready(small_buffer);
            REQUIRE(count > 0);
            received.append(small_buffer.data(), count);
        }
    }());
    CHECK(received == sent);
    CHECK(stream.waits == 0);
    CHECK(connection->peer() == "memory peer");
}

TEST_CASE("The relay runs over any ByteStream: input out, reply in, half-close, peer's close",
          "[byte_stream]") {
    asio::io_context context;
    MemoryStream stream(context.get_executor(), "the reply\n");
    auto input = InputStream::from_string("the request\n");
    RecordedOutput output;
    RelayResult result;
    run_bounded(context, [&]() -> asio::awaitable<void> {
        result = co_await relay(stream, *input, output, RelayOptions{});
    }());
    CHECK(result.end == RelayEnd::peer_closed);
    CHECK(stream.written == "the request\n");
    CHECK(output.text == "the reply\n");
    CHECK(result.bytes_sent == 12);
    CHECK(result.bytes_received == 10);
}
