// ByteStream over TLS on a connected TCP socket. OpenSSL works on two memory BIOs and this
// class moves the ciphertext between them and the socket itself, rather than through
// asio::ssl::stream, for two things tcpkit needs that asio::ssl::stream does not give:
//   - a half-close: shutdown_send() sends close_notify and goes on reading, where
//     asio::ssl::stream's shutdown waits for the peer's close_notify and drops what comes first;
//   - readiness without a read buffer (wait_readable/read_available), so a TLS chat client
//     idles on the shared read buffer like a TCP one, and decrypted bytes that OpenSSL holds
//     are seen as ready even when the socket is quiet (has_buffered_input).
// One socket writer at a time: write_all(), shutdown_send() and the handshake send what OpenSSL
// wrote (records, alerts); a read that makes OpenSSL write (an alert) sends it only if no write
// is in flight, and otherwise leaves it for that write to send.
#pragma once

#include <asio/ip/tcp.hpp>

#include <string>

#include "openssl_handles.h"
#include "tcpkit/stream/byte_stream.h"
#include "tcpkit/stream/tcp_stream.h"

namespace tcpkit {

// Why a handshake failed, for the client's and the server's wording.
struct HandshakeFailure {
    std::error_code io;           // the socket failed (reset) or was closed (timeout)
    int reason = 0;               // OpenSSL's SSL reason, when OpenSSL refused
    bool peer_not_tls = false;    // the first bytes were not a TLS record
    bool closed_by_peer = false;  // end of stream before the handshake finished
};

class TlsStream final : public ByteStream {
  public:
    // `ssl` is set up as client or server (SSL_set_connect_state/accept_state) and not yet used.
    TlsStream(asio::ip::tcp::socket socket, std::string peer, SslHandle ssl);

    // Runs the handshake; false when it failed, and failure() says why.
    asio::awaitable<bool> handshake();
    const HandshakeFailure& failure() const { return failure_; }
    SSL* ssl() const { return ssl_.get(); }
    // The peer closed the TCP connection without close_notify: what came is kept, but the peer
    // may not have meant to stop there.
    bool closed_without_close_notify() const { return truncated_; }

    asio::any_io_executor get_executor() override { return socket_.get_executor(); }
    const std::string& peer() const override { return peer_; }
    std::string peer_identity() const override;
    std::string security_summary() const override;

    asio::awaitable<std::size_t> read_some(std::span<char> buffer, std::error_code& error,
                                           asio::cancellation_slot cancel) override;
    bool has_buffered_input() const override;
    asio::awaitable<void> wait_readable(std::error_code& error,
                                        asio::cancellation_slot cancel) override;
    std::size_t read_available(std::span<char> buffer, std::error_code& error) override;
    asio::awaitable<std::size_t> write_all(std::span<const asio::const_buffer> buffers,
                                           std::error_code& error) override;
    asio::awaitable<void> shutdown_send(std::error_code& error) override;
    void close() override;
    bool is_open() const override { return socket_.is_open(); }
    asio::awaitable<void> wait_failed(std::error_code& error) override {
        return wait_until_failed(socket_, error);
    }

  private:
    // Moves what the socket has into OpenSSL without waiting: would_block when nothing is there.
    void receive_available(std::error_code& error);
    // Decrypts into `buffer` what OpenSSL can without more from the socket.
    std::size_t decrypt(std::span<char> buffer, std::error_code& error);
    // Encrypts `data`, to be sent by send_pending().
    bool encrypt(const char* data, std::size_t size, std::error_code& error);
    // Sends everything OpenSSL has written.
    asio::awaitable<void> send_pending(std::error_code& error);
    // The same without waiting, unless a send is in flight; what the socket does not take now
    // waits for the next send.
    void send_available();

    asio::ip::tcp::socket socket_;
    std::string peer_;
    SslHandle ssl_;
    BIO* from_network_;  // ciphertext received, for OpenSSL to read; owned by ssl_
    BIO* to_network_;    // ciphertext OpenSSL wrote, to send; owned by ssl_
    bool sending_ = false;
    bool network_ended_ = false;  // the socket reached end of stream
    bool first_bytes_seen_ = false;
    bool truncated_ = false;
    HandshakeFailure failure_;
};

}  // namespace tcpkit
