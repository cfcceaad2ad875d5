#include "tcpkit/net/accepted_connection.h"

#include <fmt/format.h>

#include <vector>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/buffer.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "tcpkit/stream/describe.h"
#include "tcpkit/stream/spawn.h"

namespace tcpkit {

using Clock = std::chrono::steady_clock;

AcceptedConnection::AcceptedConnection(asio::ip::tcp::socket socket, std::string peer)
    : socket_(std::move(socket)), peer_(std::move(peer)), writer_done_(socket_.get_executor()) {}

bool AcceptedConnection::enqueue(SharedBytes message) {
    if (!socket_.is_open()) {
        return false;
    }
    if (!output_.push(std::move(message))) {
        close(EndKind::too_slow,
              fmt::format("too slow: more than {} bytes waiting to be sent", output_.max_bytes()));
        return false;
    }
    if (!writer_running_) {
        writer_running_ = true;
        spawn_logged(socket_.get_executor(), write_queued(), "writer");
    }
    return true;
}

asio::awaitable<void> AcceptedConnection::write_queued() {
    // Holding a reference keeps the connection alive while a write is in flight.
    auto self = shared_from_this();
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(max_messages_per_write);
    while (!output_.empty() && socket_.is_open()) {
        buffers.clear();
        std::size_t count =
            output_.visit_front(max_messages_per_write, [&](std::string_view message) {
                buffers.emplace_back(message.data(), message.size());
            });
        std::error_code error;
        std::size_t written = co_await asio::async_write(
            socket_, buffers, asio::redirect_error(asio::use_awaitable, error));
        bytes_sent_ += written;
        if (error) {
            note_end(EndKind::failed, describe(error));
            output_.clear();
            break;
        }
        last_activity_ = Clock::now();
        output_.pop_front(count);
    }
    writer_running_ = false;
    writer_done_.cancel();
}

asio::awaitable<bool> AcceptedConnection::flush() {
    while (writer_running_) {
        writer_done_.expires_at(Clock::time_point::max());
        std::error_code ignored;
        co_await writer_done_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    co_return socket_.is_open() && output_.empty();
}

asio::awaitable<std::size_t> AcceptedConnection::read_some(std::span<char> buffer) {
    if (stop_requested_ || !socket_.is_open()) {
        co_return 0;
    }
    std::error_code error;
    std::size_t count = co_await socket_.async_read_some(
        asio::buffer(buffer.data(), buffer.size()),
        asio::bind_cancellation_slot(stop_reading_.slot(),
                                     asio::redirect_error(asio::use_awaitable, error)));
    co_return finish_read(error, count);
}

asio::awaitable<std::size_t> AcceptedConnection::read_when_ready(std::span<char> buffer) {
    if (read_without_waiting_) {
        // The last read found data at once. A client whose socket never runs dry would keep
        // the thread to itself that way: let everyone else have a turn first.
        read_without_waiting_ = false;
        co_await asio::post(socket_.get_executor(), asio::use_awaitable);
    }
    bool waited = false;
    for (;;) {
        if (stop_requested_ || !socket_.is_open()) {
            co_return 0;
        }
        std::error_code error;
        if (!socket_.non_blocking()) {
            socket_.non_blocking(true, error);  // once: the read below must not block
        }
        std::size_t count = 0;
        if (!error) {
            count = socket_.read_some(asio::buffer(buffer.data(), buffer.size()), error);
        }
        if (error != asio::error::would_block) {
            read_without_waiting_ = !waited && !error;
            co_return finish_read(error, count);
        }
        waited = true;
        co_await socket_.async_wait(
            asio::socket_base::wait_read,
            asio::bind_cancellation_slot(stop_reading_.slot(),
                                         asio::redirect_error(asio::use_awaitable, error)));
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
    std::error_code error;
    std::size_t written =
        co_await asio::async_write(socket_, asio::buffer(data.data(), data.size()),
                                   asio::redirect_error(asio::use_awaitable, error));
    bytes_sent_ += written;
    last_activity_ = Clock::now();
    if (error) {
        note_end(EndKind::failed, describe(error));
        co_return false;
    }
    co_return true;
}

void AcceptedConnection::shutdown_send() {
    std::error_code ignored;
    socket_.shutdown(asio::socket_base::shutdown_send, ignored);
}

void AcceptedConnection::request_stop() {
    stop_requested_ = true;
    stop_reading_.emit(asio::cancellation_type::terminal);
}

void AcceptedConnection::close(EndKind kind, std::string_view reason) {
    note_end(kind, reason);
    std::error_code ignored;
    socket_.close(ignored);
}

void AcceptedConnection::note_end(EndKind kind, std::string_view reason) {
    if (end_kind_ == EndKind::open) {
        end_kind_ = kind;
        end_reason_ = reason;
    }
}

}  // namespace tcpkit
