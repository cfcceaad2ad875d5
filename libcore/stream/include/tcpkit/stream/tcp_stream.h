// ByteStream over a connected TCP socket: the first transport.
#pragma once

#include <asio/ip/tcp.hpp>

#include <string>

#include "tcpkit/stream/byte_stream.h"

namespace tcpkit {

// Waits until `socket` is readable, bound to `cancel` when it is connected (an explicit slot
// replaces the coroutine's own, so one is bound only when the caller gave one). Asio's own
// awaitable, without a coroutine frame in between: for transports over TCP sockets.
asio::awaitable<void> wait_until_readable(asio::ip::tcp::socket& socket, std::error_code& error,
                                          asio::cancellation_slot cancel);
// ByteStream::wait_failed for transports over TCP sockets: the socket's error condition (a
// reset, or a hang-up once both directions are closed). On Windows it never completes (it
// follows the awaiting coroutine's cancellation): see socket_failure_windows.cpp.
asio::awaitable<void> wait_until_failed(asio::ip::tcp::socket& socket, std::error_code& error);

class TcpStream final : public ByteStream {
  public:
    // `socket` must be connected; its peer is described once, here, so that the name survives
    // a reset (remote_endpoint() fails on a dead socket).
    explicit TcpStream(asio::ip::tcp::socket socket);
    // The same, for a caller that has described the peer already.
    TcpStream(asio::ip::tcp::socket socket, std::string peer);

    asio::any_io_executor get_executor() override { return socket_.get_executor(); }
    const std::string& peer() const override { return peer_; }

    asio::awaitable<std::size_t> read_some(std::span<char> buffer, std::error_code& error,
                                           asio::cancellation_slot cancel) override;
    asio::awaitable<void> wait_readable(std::error_code& error,
                                        asio::cancellation_slot cancel) override;
    std::size_t read_available(std::span<char> buffer, std::error_code& error) override;
    asio::awaitable<void> wait_failed(std::error_code& error) override;
    asio::awaitable<std::size_t> write_all(std::span<const asio::const_buffer> buffers,
                                           std::error_code& error) override;
    asio::awaitable<void> shutdown_send(std::error_code& error) override;
    void close() override;
    bool is_open() const override { return socket_.is_open(); }

    // TCP's own options (TCP_NODELAY, linger), for whoever made the connection.
    asio::ip::tcp::socket& socket() { return socket_; }

  private:
    asio::ip::tcp::socket socket_;
    std::string peer_;
};

}  // namespace tcpkit
