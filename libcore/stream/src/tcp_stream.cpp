#include "tcpkit/stream/tcp_stream.h"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "tcpkit/stream/describe.h"

namespace tcpkit {
namespace {

std::string describe_peer(const asio::ip::tcp::socket& socket) {
    std::error_code error;
    auto remote = socket.remote_endpoint(error);
    return error ? std::string("(disconnected)") : describe(remote);
}

}  // namespace

TcpStream::TcpStream(asio::ip::tcp::socket socket)
    : socket_(std::move(socket)), peer_(describe_peer(socket_)) {}

TcpStream::TcpStream(asio::ip::tcp::socket socket, std::string peer)
    : socket_(std::move(socket)), peer_(std::move(peer)) {}

// These return Asio's awaitables as they are: no coroutine frame of ours in between. An
// explicit slot replaces the coroutine's own, so one is bound only when the caller gave one;
// without it, reads still end when an awaitable operator cancels the coroutine.
asio::awaitable<std::size_t> TcpStream::read_some(std::span<char> buffer, std::error_code& error,
                                                  asio::cancellation_slot cancel) {
    auto token = asio::redirect_error(asio::use_awaitable, error);
    auto into = asio::buffer(buffer.data(), buffer.size());
    if (cancel.is_connected()) {
        return socket_.async_read_some(into, asio::bind_cancellation_slot(cancel, token));
    }
    return socket_.async_read_some(into, token);
}

asio::awaitable<void> wait_until_readable(asio::ip::tcp::socket& socket, std::error_code& error,
                                          asio::cancellation_slot cancel) {
    auto token = asio::redirect_error(asio::use_awaitable, error);
    if (cancel.is_connected()) {
        return socket.async_wait(asio::socket_base::wait_read,
                                 asio::bind_cancellation_slot(cancel, token));
    }
    return socket.async_wait(asio::socket_base::wait_read, token);
}

asio::awaitable<void> TcpStream::wait_failed(std::error_code& error) {
    return wait_until_failed(socket_, error);
}

asio::awaitable<void> TcpStream::wait_readable(std::error_code& error,
                                               asio::cancellation_slot cancel) {
    return wait_until_readable(socket_, error, cancel);
}

std::size_t TcpStream::read_available(std::span<char> buffer, std::error_code& error) {
    if (!socket_.non_blocking()) {
        socket_.non_blocking(true, error);  // once: the read below must not block
        if (error) {
            return 0;
        }
    }
    return socket_.read_some(asio::buffer(buffer.data(), buffer.size()), error);
}

asio::awaitable<std::size_t> TcpStream::write_all(std::span<const asio::const_buffer> buffers,
                                                  std::error_code& error) {
    return asio::async_write(socket_, buffers, asio::redirect_error(asio::use_awaitable, error));
}

asio::awaitable<void> TcpStream::shutdown_send(std::error_code& error) {
    socket_.shutdown(asio::socket_base::shutdown_send, error);
    co_return;
}

void TcpStream::close() {
    std::error_code ignored;
    socket_.close(ignored);
}

}  // namespace tcpkit
