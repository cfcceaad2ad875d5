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

// An explicit slot replaces the coroutine's own: bind one only when the caller gave one, so
// that reads still end when an awaitable operator cancels the coroutine.
asio::awaitable<IoResult> TcpStream::read_some(std::span<char> buffer,
                                               asio::cancellation_slot cancel) {
    IoResult result;
    auto token = asio::redirect_error(asio::use_awaitable, result.error);
    auto into = asio::buffer(buffer.data(), buffer.size());
    if (cancel.is_connected()) {
        result.bytes =
            co_await socket_.async_read_some(into, asio::bind_cancellation_slot(cancel, token));
    } else {
        result.bytes = co_await socket_.async_read_some(into, token);
    }
    co_return result;
}

asio::awaitable<std::error_code> TcpStream::wait_readable(asio::cancellation_slot cancel) {
    std::error_code error;
    auto token = asio::redirect_error(asio::use_awaitable, error);
    if (cancel.is_connected()) {
        co_await socket_.async_wait(asio::socket_base::wait_read,
                                    asio::bind_cancellation_slot(cancel, token));
    } else {
        co_await socket_.async_wait(asio::socket_base::wait_read, token);
    }
    co_return error;
}

IoResult TcpStream::read_available(std::span<char> buffer) {
    IoResult result;
    if (!socket_.non_blocking()) {
        socket_.non_blocking(true, result.error);  // once: the read below must not block
        if (result.error) {
            return result;
        }
    }
    result.bytes = socket_.read_some(asio::buffer(buffer.data(), buffer.size()), result.error);
    return result;
}

asio::awaitable<IoResult> TcpStream::write_all(std::span<const asio::const_buffer> buffers) {
    IoResult result;
    result.bytes = co_await asio::async_write(
        socket_, buffers, asio::redirect_error(asio::use_awaitable, result.error));
    co_return result;
}

asio::awaitable<std::error_code> TcpStream::shutdown_send() {
    std::error_code error;
    socket_.shutdown(asio::socket_base::shutdown_send, error);
    co_return error;
}

void TcpStream::close() {
    std::error_code ignored;
    socket_.close(ignored);
}

}  // namespace tcpkit
