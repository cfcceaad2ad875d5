#include "tcpkit/net/accepted_connection.h"

#include <fmt/format.h>

#include <vector>

#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "tcpkit/stream/describe.h"
#include "tcpkit/stream/spawn.h"

namespace tcpkit {

using Clock = std::chrono::steady_clock;

AcceptedConnection::AcceptedConnection(std::unique_ptr<ByteStream> stream,
                                       ConnectionEndpoints endpoints)
    : stream_(std::move(stream)),
      endpoints_(std::move(endpoints)),
      writer_done_(stream_->get_executor()) {}

bool AcceptedConnection::enqueue(SharedBytes message) {
    if (!stream_->is_open()) {
        return false;
    }
    if (!output_.push(std::move(message))) {
        close(EndKind::too_slow,
              fmt::format("too slow: more than {} bytes waiting to be sent", output_.max_bytes()));
        return false;
    }
    if (output_.bytes() > backlog_high_) {
        set_backed_up(true);
    }
    if (!writer_running_) {
        writer_running_ = true;
        spawn_logged(stream_->get_executor(), write_queued(), "writer");
    }
    return true;
}

asio::awaitable<void> AcceptedConnection::write_queued() {
    // Holding a reference keeps the connection alive while a write is in flight.
    auto self = shared_from_this();
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(max_messages_per_write);
    while (!output_.empty() && stream_->is_open()) {
        buffers.clear();
        std::size_t count =
            output_.visit_front(max_messages_per_write, [&](std::string_view message) {
                buffers.emplace_back(message.data(), message.size());
            });
        std::error_code error;
        bytes_sent_ += co_await stream_->write_all(buffers, error);
        if (error) {
            note_end(EndKind::failed, describe(error));
            output_.clear();
            set_backed_up(false);
            break;
        }
        last_activity_ = Clock::now();
        output_.pop_front(count);
        if (output_.bytes() <= backlog_low_) {
            set_backed_up(false);
        }
    }
    writer_running_ = false;
    writer_done_.cancel();
}

void AcceptedConnection::set_backed_up(bool backed_up) {
    if (backed_up_ == backed_up) {
        return;
    }
    backed_up_ = backed_up;
    if (on_backlog_change_) {
        on_backlog_change_(backed_up);
    }
}

asio::awaitable<bool> AcceptedConnection::flush() {
    while (writer_running_) {
        writer_done_.expires_at(Clock::time_point::max());
        std::error_code ignored;
        co_await writer_done_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    co_return stream_->is_open() && output_.empty();
}

asio::awaitable<std::size_t> AcceptedConnection::read_some(std::span<char> buffer) {
    if (stop_requested_ || !stream_->is_open()) {
        co_return 0;
    }
    std::error_code error;
    std::size_t count = co_await stream_->read_some(buffer, error, stop_reading_.slot());
    co_return finish_read(error, count);
}

asio::awaitable<std::size_t> AcceptedConnection::read_when_ready(std::span<char> buffer,
                                                                 ReadGate* gate) {
    if (read_without_waiting_) {
        // The last read found data at once. A client whose socket never runs dry would keep
        // the thread to itself that way: let everyone else have a turn first.
        read_without_waiting_ = false;
        co_await asio::post(stream_->get_executor(), asio::use_awaitable);
    }
    bool waited = false;
    for (;;) {
        if (stop_requested_ || !stream_->is_open()) {
            co_return 0;
        }
        if (gate != nullptr && !gate->is_open()) {
            co_await gate->wait_open();
            if ((co_await asio::this_coro::cancellation_state).cancelled() !=
                asio::cancellation_type::none) {
                co_return finish_read(asio::error::operation_aborted, 0);
            }
            continue;
        }
        std::error_code error;
        std::size_t count = stream_->read_available(buffer, error);
        if (error != asio::error::would_block) {
            read_without_waiting_ = !waited && !error;
            co_return finish_read(error, count);
        }
        waited = true;
        co_await stream_->wait_readable(error, stop_reading_.slot());
        if (error) {
            co_return finish_read(error, 0);
        }
    }
}

std::size_t AcceptedConnection::finish_read(const std::error_code& error, std::size_t count) {
    if (error == asio::error::eof) {
        note_end(EndKind::closed_by_peer, "closed by client");
        return 0;
    }
    if (error == asio::error::operation_aborted) {
        note_end(stop_requested_ ? EndKind::server_stopping : EndKind::closed_by_session,
                 stop_requested_ ? "server shutting down" : "cancelled");
        return 0;
    }
    if (error) {
        note_end(EndKind::failed, describe(error));
        return 0;
    }
    bytes_received_ += count;
    last_activity_ = Clock::now();
    return count;
}

asio::awaitable<bool> AcceptedConnection::write(std::string_view data) {
    asio::const_buffer buffer(data.data(), data.size());  // in this frame for the whole write
    std::error_code error;
    bytes_sent_ += co_await stream_->write_all(std::span(&buffer, 1), error);
    last_activity_ = Clock::now();
    if (error) {
        note_end(EndKind::failed, describe(error));
        co_return false;
    }
    co_return true;
}

asio::awaitable<void> AcceptedConnection::shutdown_send() {
    std::error_code ignored;  // a failure shows in the next read or write
    co_await stream_->shutdown_send(ignored);
}

void AcceptedConnection::request_stop() {
    stop_requested_ = true;
    stop_reading_.emit(asio::cancellation_type::terminal);
}

void AcceptedConnection::close(EndKind kind, std::string_view reason) {
    note_end(kind, reason);
    stream_->close();
    // What is queued will not go out now: it holds nobody back any more.
    set_backed_up(false);
}

void AcceptedConnection::note_end(EndKind kind, std::string_view reason) {
    if (end_kind_ == EndKind::open) {
        end_kind_ = kind;
        end_reason_ = reason;
    }
}

}  // namespace tcpkit
