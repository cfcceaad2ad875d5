// A TCP server with everything a session should not have to think about: listening on every
// address, a connection limit, idle timeouts, per-connection logs, graceful shutdown on
// SIGINT/SIGTERM with a drain deadline, `--once`, and a closing summary.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tcpkit/base/duration.h"
#include "tcpkit/codec/bounded_write_queue.h"
#include "tcpkit/net/io_pool.h"
#include "tcpkit/net/listener.h"
#include "tcpkit/net/signals.h"

namespace tcpkit {

struct ServerOptions {
    ListenRequest listen;
    // Sent to a connection refused for max_connections before it is closed; when empty, the
    // connection is reset instead, so that the client reports an error.
    std::string refusal_message;
    // Called on the first I/O thread when a graceful stop begins, before sessions are asked to
    // finish: the moment to tell every client that the server is going away.
    std::function<void()> on_stopping;
    std::size_t threads = 1;
    std::size_t max_connections = 10000;  // one more is accepted and closed at once
    Milliseconds idle_timeout{0};  // silence in both directions for this long closes; 0 = never
    bool exit_after_last_client = false;  // --once: exit when the last client has gone
    Milliseconds drain_timeout{2000};     // on SIGINT/SIGTERM, how long open connections may finish
};

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

// One accepted client, as a session sees it. Lives on one I/O thread; not thread-safe.
// A session writes either directly with write() (a request/response loop such as echo) or
// through the bounded queue with enqueue() (fan-out such as chat), not both.
class ClientConnection : public std::enable_shared_from_this<ClientConnection> {
  public:
    ClientConnection(asio::ip::tcp::socket socket, std::string peer);

    const std::string& peer() const { return peer_; }

    // Returns 0 when there is nothing more to read: the client finished sending (half-close),
    // the connection failed, or the server is stopping. end_reason() tells which.
    asio::awaitable<std::size_t> read_some(std::span<char> buffer);
    // The same, but nothing is read into `buffer` until there is something to read, so one
    // buffer can serve every connection of a thread whose sessions use the bytes before they
    // next wait: idle clients then cost no read buffer at all, and a busy one is read in large
    // chunks.
    asio::awaitable<std::size_t> read_when_ready(std::span<char> buffer);
    // Writes all of `data`; false when the connection is gone.
    asio::awaitable<bool> write(std::string_view data);
    // Our half of the close: the client reads end-of-stream once everything sent has arrived.
    void shutdown_send();

    // Queues a shared, immutable message for this client without waiting. One writer sends the
    // queue in gathered writes. When the message does not fit in the queue's byte limit the
    // client is not keeping up: it is closed with reason "too slow" and false is returned, so
    // that one stalled reader never costs unbounded memory or holds anyone else up.
    bool enqueue(SharedBytes message);
    void set_output_limit(std::size_t bytes) { output_ = BoundedWriteQueue(bytes); }
    std::size_t queued_bytes() const { return output_.bytes(); }
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
    asio::ip::tcp::socket& socket() { return socket_; }

  private:
    // What read_some and read_when_ready return for a read that ended with `error`.
    std::size_t finish_read(const std::error_code& error, std::size_t count);
    asio::awaitable<void> write_queued();

    asio::ip::tcp::socket socket_;
    std::string peer_;
    BoundedWriteQueue output_{default_output_queue_bytes};
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

class TcpServer {
  public:
    using SessionHandler = std::function<asio::awaitable<void>(ClientConnection&)>;

    // Binds at once: a port in use or a bad address throws NetworkError before anything runs.
    TcpServer(ServerOptions options, SessionHandler handler);
    ~TcpServer();
    TcpServer(const TcpServer&) = delete;
    TcpServer& operator=(const TcpServer&) = delete;

    const std::vector<asio::ip::tcp::endpoint>& endpoints() const { return listener_.endpoints(); }
    // The first I/O thread's context, where on_stopping runs; with one thread, every session's.
    asio::io_context& main_context() { return pool_.main(); }

    // Logs `listening on ADDRESS:PORT` for each address, serves until SIGINT/SIGTERM (or, with
    // exit_after_last_client, until the last client has gone), then logs a summary.
    void run();

    // Starts the graceful stop from any thread, as SIGTERM would.
    void stop();

  private:
    void accept(asio::ip::tcp::socket socket);
    asio::awaitable<void> serve(std::shared_ptr<ClientConnection> client, std::uint64_t id);
    asio::awaitable<void> watch_idle(ClientConnection& client);
    void session_ended(std::uint64_t id);
    void begin_stop(std::string_view why);
    void force_close_all();
    void finish();

    template <typename Action>
    void for_each_client(Action action);

    ServerOptions options_;
    SessionHandler handler_;
    IoPool pool_;
    Listener listener_;
    std::unique_ptr<StopSignals> signals_;
    std::unique_ptr<asio::steady_timer> drain_timer_;

    std::mutex clients_mutex_;
    std::unordered_map<std::uint64_t, std::weak_ptr<ClientConnection>> clients_;
    std::uint64_t next_id_ = 0;  // main thread only

    std::atomic<std::size_t> active_{0};
    std::atomic<bool> stopping_{false};
    bool finished_ = false;  // main thread only
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> refused_{0};
    std::atomic<std::uint64_t> bytes_received_{0};
    std::atomic<std::uint64_t> bytes_sent_{0};
};

}  // namespace tcpkit
