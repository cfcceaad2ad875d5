// The server's side of one accepted connection, as a session sees it: reads, direct writes, a
// bounded output queue for fan-out, and why the connection ended.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "tcpkit/codec/bounded_write_queue.h"
#include "tcpkit/stream/byte_stream.h"

namespace tcpkit {

// Default bound of a connection's output queue (see enqueue()).
inline constexpr std::size_t default_output_queue_bytes = std::size_t{1024} * 1024;
// At most this many queued messages go into one gathered write.
inline constexpr std::size_t max_messages_per_write = 64;

// Why a connection ended, for sessions that react differently to each.
enum class EndKind {
    open,            // not ended yet
    closed_by_peer,  // end-of-stream from the client
    failed,          // reset, broken pipe...
    idle,            // --idle-timeout
    too_slow,        // the output queue overflowed
    server_stopping,
    closed_by_session,
};

// Both ends of an accepted TCP connection, for sessions that pass them on (listen --exec gives
// them to its program); unset (all zero) for a connection not made by TcpServer.
struct ConnectionEndpoints {
    asio::ip::tcp::endpoint peer;
    asio::ip::tcp::endpoint local;
};

// What may hold a reader back before each read (see read_when_ready): a chat room whose readers
// as a whole are behind stops reading from its senders, so that the kernel pushes back on them.
class ReadGate {
  public:
    virtual bool is_open() const = 0;
    // Returns once the gate may have opened, or when the wait was cancelled; the caller looks
    // again either way.
    virtual asio::awaitable<void> wait_open() = 0;

  protected:
    ~ReadGate() = default;
};

// One accepted client, as a session sees it, over whatever ByteStream carries it (TCP, later
// TLS). Lives on one I/O thread; not thread-safe.
// A session writes either directly with write() (a request/response loop such as echo) or
// through the bounded queue with enqueue() (fan-out such as chat), not both.
class AcceptedConnection : public std::enable_shared_from_this<AcceptedConnection> {
  public:
    explicit AcceptedConnection(std::unique_ptr<ByteStream> stream,
                                ConnectionEndpoints endpoints = {});

    const std::string& peer() const { return stream_->peer(); }
    const ConnectionEndpoints& endpoints() const { return endpoints_; }
    // The client's verified certificate subject (TLS with --client-ca), or empty.
    std::string peer_identity() const { return stream_->peer_identity(); }
    // "TLSv1.3, cipher ..., alpn ..." for TLS; empty for plain TCP.
    std::string security_summary() const { return stream_->security_summary(); }

    // Returns 0 when there is nothing more to read: the client finished sending (half-close),
    // the connection failed, or the server is stopping. end_reason() tells which.
    asio::awaitable<std::size_t> read_some(std::span<char> buffer);
    // The same, but nothing is read into `buffer` until there is something to read, so one
    // buffer can serve every connection of a thread whose sessions use the bytes before they
    // next wait: idle clients then cost no read buffer at all, and a busy one is read in large
    // chunks.
    // With a `gate`, nothing is read while it is shut: it is looked at just before each read,
    // with no wait in between, so no bytes are taken in once it has shut.
    asio::awaitable<std::size_t> read_when_ready(std::span<char> buffer, ReadGate* gate = nullptr);
    // Waits until the connection fails, without reading (see ByteStream::wait_failed).
    asio::awaitable<void> wait_failed(std::error_code& error) {
        return stream_->wait_failed(error);
    }
    // Writes all of `data`; false when the connection is gone.
    asio::awaitable<bool> write(std::string_view data);
    // Our half of the close: the client reads end-of-stream once everything sent has arrived.
    asio::awaitable<void> shutdown_send();

    // Queues a shared, immutable message for this client without waiting. One writer sends the
    // queue in gathered writes. When the message does not fit in the queue's byte limit the
    // client is not keeping up: it is closed with reason "too slow" and false is returned, so
    // that one stalled reader never costs unbounded memory or holds anyone else up.
    bool enqueue(SharedBytes message);
    void set_output_limit(std::size_t bytes) { output_ = BoundedWriteQueue(bytes); }
    std::size_t queued_bytes() const { return output_.bytes(); }
    // The queue's water marks (muduo's high-water mark, with a low one so that it does not
    // flap): it is backed up once it holds more than `high` bytes, until it has drained to `low`
    // or less, or the connection has ended; `on_change` hears each change.
    void set_backlog_marks(std::size_t high, std::size_t low) {
        backlog_high_ = high;
        backlog_low_ = low;
    }
    void on_backlog_change(std::function<void(bool backed_up)> on_change) {
        on_backlog_change_ = std::move(on_change);
    }
    bool backed_up() const { return backed_up_; }
    // Waits until everything queued so far has been written; false if the connection failed.
    asio::awaitable<bool> flush();

    // Why the connection ended, in a few words for the log ("closed by client", "idle for 3s").
    const std::string& end_reason() const { return end_reason_; }
    EndKind end_kind() const { return end_kind_; }
    std::uint64_t bytes_received() const { return bytes_received_; }
    std::uint64_t bytes_sent() const { return bytes_sent_; }
    std::chrono::steady_clock::time_point last_activity() const { return last_activity_; }

    // Server side: ask the session to finish (its next or pending read returns 0).
    void request_stop();
    // Close now; pending operations fail. The first reason noted is the one that stays.
    void close(EndKind kind, std::string_view reason);
    void note_end(EndKind kind, std::string_view reason);
    asio::any_io_executor get_executor() { return stream_->get_executor(); }

  private:
    // What read_some and read_when_ready return for a read of `count` bytes that ended with
    // `error`, noting why the connection ended.
    std::size_t finish_read(const std::error_code& error, std::size_t count);
    asio::awaitable<void> write_queued();
    void set_backed_up(bool backed_up);

    std::unique_ptr<ByteStream> stream_;
    ConnectionEndpoints endpoints_;
    BoundedWriteQueue output_{default_output_queue_bytes};
    std::size_t backlog_high_ =
        std::numeric_limits<std::size_t>::max();  // no marks until set_backlog_marks()
    std::size_t backlog_low_ = 0;
    bool backed_up_ = false;
    std::function<void(bool)> on_backlog_change_;
    bool writer_running_ = false;
    asio::steady_timer writer_done_;
    std::string end_reason_;
    EndKind end_kind_ = EndKind::open;
    asio::cancellation_signal stop_reading_;
    bool stop_requested_ = false;
    bool read_without_waiting_ = false;  // read_when_ready found data at once last time
    std::uint64_t bytes_received_ = 0;
    std::uint64_t bytes_sent_ = 0;
    std::chrono::steady_clock::time_point last_activity_ = std::chrono::steady_clock::now();
};

}  // namespace tcpkit
