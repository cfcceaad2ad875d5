#include "tls_stream.h"

#include <fmt/format.h>

#include <openssl/err.h>

#include <algorithm>
#include <array>
#include <memory>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "certificate.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/stream/tcp_stream.h"
#include "tls_error.h"

namespace tcpkit {
namespace {

// What one receive moves from the socket (four full records: a quarter of the system calls of
// one record at a time, and bulk downloads 18% faster), and the most plaintext encrypted before
// it is sent, so that a bulk transfer stays in constant memory.
constexpr std::size_t receive_chunk = std::size_t{64} * 1024;
constexpr std::size_t encrypt_ahead = std::size_t{64} * 1024;
// Small pieces of a gathered write (chat lines) are joined into records of up to this much.
constexpr std::size_t max_record_plaintext = std::size_t{16} * 1024;

// The first byte of a TLS connection is a record type: handshake (22) or alert (21).
constexpr unsigned char record_handshake = 22;
constexpr unsigned char record_alert = 21;

bool is_unexpected_eof(int ssl_error) {
    return ssl_error == SSL_ERROR_SYSCALL ||
           (ssl_error == SSL_ERROR_SSL &&
            ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
}

}  // namespace

TlsStream::TlsStream(asio::ip::tcp::socket socket, std::string peer, SslHandle ssl)
    : socket_(std::move(socket)),
      peer_(std::move(peer)),
      ssl_(std::move(ssl)),
      from_network_(BIO_new(BIO_s_mem())),
      to_network_(BIO_new(BIO_s_mem())) {
    // An empty input BIO means "wait for more", not end of stream, until the socket ends.
    BIO_set_mem_eof_return(from_network_, -1);
    SSL_set_bio(ssl_.get(), from_network_, to_network_);
    std::error_code ignored;
    socket_.non_blocking(true, ignored);  // for the reads and sends that must not wait
}

std::string TlsStream::peer_identity() const {
    X509* certificate = SSL_get0_peer_certificate(ssl_.get());
    if (certificate == nullptr || !SSL_is_server(ssl_.get())) {
        return {};
    }
    return certificate_subject(certificate);
}

std::string TlsStream::security_summary() const {
    const unsigned char* selected = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl_.get(), &selected, &length);
    std::string protocol = length > 0 ? std::string(reinterpret_cast<const char*>(selected), length)
                                      : std::string("none");
    return fmt::format("{}, cipher {}, alpn {}", SSL_get_version(ssl_.get()),
                       SSL_get_cipher_name(ssl_.get()), protocol);
}

void TlsStream::receive_available(std::error_code& error) {
    std::array<char, receive_chunk> chunk;  // NOLINT: filled before it is read
    std::size_t count = socket_.read_some(asio::buffer(chunk), error);
    if (error == asio::error::eof) {
        error.clear();
        network_ended_ = true;
        BIO_set_mem_eof_return(from_network_, 0);
        return;
    }
    if (error) {
        return;
    }
    if (!first_bytes_seen_ && count > 0) {
        first_bytes_seen_ = true;
        auto type = static_cast<unsigned char>(chunk[0]);
        if (type != record_handshake && type != record_alert) {
            failure_.peer_not_tls = true;
            error = make_error_code(std::errc::protocol_error);
            return;
        }
    }
    BIO_write(from_network_, chunk.data(), static_cast<int>(count));
}

asio::awaitable<bool> TlsStream::handshake() {
    for (;;) {
        ERR_clear_error();
        int result = SSL_do_handshake(ssl_.get());
        int ssl_error = result == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), result);
        int reason = ssl_error == SSL_ERROR_SSL ? ERR_GET_REASON(ERR_peek_error()) : 0;
        bool ended_early = network_ended_ && is_unexpected_eof(ssl_error);
        // Sent even when the handshake failed: the alert tells the peer why.
        if (BIO_ctrl_pending(to_network_) > 0) {
            std::error_code sent;
            co_await send_pending(sent);
            if (sent && result == 1) {
                failure_.io = sent;
                co_return false;
            }
        }
        if (result == 1) {
            co_return true;
        }
        if (ended_early) {
            failure_.closed_by_peer = true;
            co_return false;
        }
        if (ssl_error != SSL_ERROR_WANT_READ) {
            failure_.reason = reason != 0 ? reason : SSL_R_UNEXPECTED_EOF_WHILE_READING;
            failure_.closed_by_peer = network_ended_;
            co_return false;
        }
        std::error_code received;
        receive_available(received);
        if (received == asio::error::would_block) {
            co_await socket_.async_wait(asio::socket_base::wait_read,
                                        asio::redirect_error(asio::use_awaitable, received));
        }
        if (received) {
            failure_.io = received;
            co_return false;
        }
    }
}

std::size_t TlsStream::decrypt(std::span<char> buffer, std::error_code& error) {
    std::size_t total = 0;
    while (total < buffer.size()) {
        ERR_clear_error();
        std::size_t count = 0;
        int result = SSL_read_ex(ssl_.get(), buffer.data() + total, buffer.size() - total, &count);
        if (result == 1) {
            total += count;
            continue;
        }
        int ssl_error = SSL_get_error(ssl_.get(), result);
        if (total > 0) {
            break;  // what was read first; the condition shows again on the next call
        }
        if (ssl_error == SSL_ERROR_WANT_READ) {
            error = asio::error::would_block;
        } else if (ssl_error == SSL_ERROR_ZERO_RETURN) {
            error = asio::error::eof;  // close_notify
        } else if (network_ended_ && is_unexpected_eof(ssl_error)) {
            if (!truncated_) {
                truncated_ = true;
                log().debug(
                    "tls: {} closed the connection without close_notify (what it sent "
                    "is kept)",
                    peer_);
            }
            error = asio::error::eof;
        } else {
            error = tls_error_from_queue(SSL_R_UNEXPECTED_RECORD);
        }
        break;
    }
    send_available();  // an alert OpenSSL wrote while reading
    return total;
}

bool TlsStream::has_buffered_input() const {
    return SSL_pending(ssl_.get()) > 0 || BIO_ctrl_pending(from_network_) > 0 || network_ended_;
}

std::size_t TlsStream::read_available(std::span<char> buffer, std::error_code& error) {
    for (;;) {
        error.clear();
        std::size_t count = decrypt(buffer, error);
        if (error != asio::error::would_block || network_ended_) {
            if (error == asio::error::would_block) {
                error = asio::error::eof;  // nothing more can come
            }
            return count;
        }
        receive_available(error);
        if (error) {
            return 0;
        }
    }
}

asio::awaitable<void> TlsStream::wait_readable(std::error_code& error,
                                               asio::cancellation_slot cancel) {
    if (has_buffered_input()) {
        // Ready now, but through the event loop, as a socket wait would be: the caller can rely
        // on other sessions getting their turn in between.
        return asio::post(socket_.get_executor(), asio::redirect_error(asio::use_awaitable, error));
    }
    return wait_until_readable(socket_, error, cancel);
}

asio::awaitable<std::size_t> TlsStream::read_some(std::span<char> buffer, std::error_code& error,
                                                  asio::cancellation_slot cancel) {
    for (;;) {
        std::size_t count = read_available(buffer, error);
        if (error != asio::error::would_block) {
            co_return count;
        }
        error.clear();
        co_await wait_until_readable(socket_, error, cancel);
        if (error) {
            co_return 0;
        }
    }
}

bool TlsStream::encrypt(const char* data, std::size_t size, std::error_code& error) {
    ERR_clear_error();
    std::size_t written = 0;
    // A memory BIO takes everything: SSL_write_ex writes all of `data` or fails.
    if (size > 0 && SSL_write_ex(ssl_.get(), data, size, &written) != 1) {
        error = tls_error_from_queue(SSL_R_PROTOCOL_IS_SHUTDOWN);
        return false;
    }
    return true;
}

asio::awaitable<std::size_t> TlsStream::write_all(std::span<const asio::const_buffer> buffers,
                                                  std::error_code& error) {
    std::size_t total = 0;
    std::string joined;  // small pieces, joined into one record
    auto send_joined = [&]() -> bool {
        bool encrypted = encrypt(joined.data(), joined.size(), error);
        joined.clear();
        return encrypted;
    };
    for (const asio::const_buffer& piece : buffers) {
        const char* data = static_cast<const char*>(piece.data());
        std::size_t size = piece.size();
        if (size < max_record_plaintext / 4) {
            if (joined.size() + size > max_record_plaintext && !send_joined()) {
                co_return total;
            }
            joined.append(data, size);
        } else {
            if (!joined.empty() && !send_joined()) {
                co_return total;
            }
            // A large piece in slices, each sent before the next is encrypted.
            for (std::size_t offset = 0; offset < size; offset += encrypt_ahead) {
                std::size_t slice = std::min(encrypt_ahead, size - offset);
                if (!encrypt(data + offset, slice, error)) {
                    co_return total;
                }
                co_await send_pending(error);
                if (error) {
                    co_return total;
                }
            }
        }
        total += size;
    }
    if (!joined.empty() && !send_joined()) {
        co_return total;
    }
    co_await send_pending(error);
    co_return error ? 0 : total;
}

asio::awaitable<void> TlsStream::send_pending(std::error_code& error) {
    sending_ = true;
    for (;;) {
        auto pending = static_cast<std::size_t>(BIO_ctrl_pending(to_network_));
        if (pending == 0) {
            break;
        }
        std::size_t size = std::min(pending, encrypt_ahead + 1024);
        // Its own buffer, not a view into the BIO: a read may add an alert to the BIO meanwhile.
        auto chunk = std::make_unique_for_overwrite<char[]>(size);
        BIO_read(to_network_, chunk.get(), static_cast<int>(size));
        co_await asio::async_write(socket_, asio::buffer(chunk.get(), size),
                                   asio::redirect_error(asio::use_awaitable, error));
        if (error) {
            break;
        }
    }
    sending_ = false;
}

void TlsStream::send_available() {
    while (!sending_ && BIO_ctrl_pending(to_network_) > 0) {
        char* data = nullptr;
        long size = BIO_get_mem_data(to_network_, &data);
        std::error_code error;
        std::size_t sent =
            socket_.write_some(asio::buffer(data, static_cast<std::size_t>(size)), error);
        if (error || sent == 0) {
            return;  // the next send_pending() sends it
        }
        std::array<char, 4096> discard;  // NOLINT: only written to
        for (std::size_t skipped = 0; skipped < sent;) {
            int step = static_cast<int>(std::min(discard.size(), sent - skipped));
            skipped += static_cast<std::size_t>(BIO_read(to_network_, discard.data(), step));
        }
    }
}

asio::awaitable<void> TlsStream::shutdown_send(std::error_code& error) {
    ERR_clear_error();
    // Queues close_notify. OpenSSL goes on decrypting what the peer still sends.
    SSL_shutdown(ssl_.get());
    co_await send_pending(error);
    if (!error) {
        socket_.shutdown(asio::socket_base::shutdown_send, error);
    }
}

void TlsStream::close() {
    // A session that ends the connection (/quit, idle, the server stopping) says so with
    // close_notify, so the peer knows nothing was cut off: sent now if the socket takes it at
    // once, never waited for. (OpenSSL sends nothing after a failed or unfinished handshake.)
    if (socket_.is_open() && SSL_is_init_finished(ssl_.get()) == 1) {
        ERR_clear_error();
        SSL_shutdown(ssl_.get());
        send_available();
    }
    std::error_code ignored;
    socket_.close(ignored);
}

}  // namespace tcpkit
