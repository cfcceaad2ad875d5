// A TCP server with everything a session should not have to think about: listening on every
// address, a connection limit, idle timeouts, per-connection logs, graceful shutdown on
// SIGINT/SIGTERM with a drain deadline, `--once`, and a closing summary.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tcpkit/base/duration.h"
#include "tcpkit/net/accepted_connection.h"
#include "tcpkit/net/address_filter.h"
#include "tcpkit/net/io_pool.h"
#include "tcpkit/net/listener.h"
#include "tcpkit/net/per_address_limit.h"
#include "tcpkit/net/signals.h"
#include "tcpkit/tls/tls_server.h"

namespace tcpkit {

// On SIGINT/SIGTERM, how long open connections may finish before they are closed.
inline constexpr Milliseconds default_drain_timeout{2000};

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
    // --max-conns-per-ip: one more from the same address is refused as max_connections is.
    PerAddressLimit per_address;
    Milliseconds idle_timeout{0};  // silence in both directions for this long closes; 0 = never
    bool exit_after_last_client = false;  // --once: exit when the last client has gone
    Milliseconds drain_timeout = default_drain_timeout;
    // Serve TLS: every connection's handshake runs (within its timeout) before the session
    // sees it, and counts against max_connections meanwhile. Null: plain TCP.
    std::shared_ptr<TlsServer> tls;
    // --allow/--deny: a refused peer is reset at once, before any limit or handshake.
    AddressFilter access;
};

// `listening on ADDRESS:PORT` for each address (status lines: scripts wait for them, even with
// --quiet), then the certificate's fingerprint when serving TLS.
void log_listening(const std::vector<asio::ip::tcp::endpoint>& endpoints, const TlsServer* tls);

class TcpServer {
  public:
    using SessionHandler = std::function<asio::awaitable<void>(AcceptedConnection&)>;

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
    // Closes a connection refused for a limit: the refusal message, or a reset.
    void refuse(asio::ip::tcp::socket& socket);
    void start_session(std::unique_ptr<ByteStream> stream, const ConnectionEndpoints& endpoints);
    asio::awaitable<void> handshake_then_serve(asio::ip::tcp::socket socket, std::string peer,
                                               ConnectionEndpoints endpoints);
    asio::awaitable<void> serve(std::shared_ptr<AcceptedConnection> client, std::uint64_t id,
                                std::string address);
    asio::awaitable<void> watch_idle(AcceptedConnection& client);
    // `id` of a session, or none for a connection whose TLS handshake did not lead to one;
    // `address`, its address group (address_group()).
    void session_ended(std::optional<std::uint64_t> id, const std::string& address);
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
    std::unordered_map<std::uint64_t, std::weak_ptr<AcceptedConnection>> clients_;
    std::atomic<std::uint64_t> next_id_{0};
    AddressCounts per_address_open_;

    std::atomic<std::size_t> active_{0};
    std::atomic<bool> stopping_{false};
    bool finished_ = false;  // main thread only
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> refused_{0};
    std::atomic<std::uint64_t> failed_handshakes_{0};
    std::atomic<std::uint64_t> bytes_received_{0};
    std::atomic<std::uint64_t> bytes_sent_{0};
};

}  // namespace tcpkit
