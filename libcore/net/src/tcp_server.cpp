#include "tcpkit/net/tcp_server.h"

#include <fmt/format.h>

#include <asio/buffer.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "tcpkit/base/logger.h"
#include "tcpkit/stream/describe.h"
#include "tcpkit/stream/spawn.h"
#include "tcpkit/stream/tcp_stream.h"

namespace tcpkit {
namespace {

using Clock = std::chrono::steady_clock;

// After the drain deadline, connections are closed; this much later the server exits regardless.
constexpr Milliseconds close_grace{1000};

std::string format_age(Clock::duration age) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(age).count();
    return ms < 1000 ? fmt::format("{}ms", ms)
                     : fmt::format("{:.1f}s", static_cast<double>(ms) / 1000);
}

}  // namespace

void log_listening(const std::vector<asio::ip::tcp::endpoint>& endpoints, const TlsServer* tls) {
    for (const auto& endpoint : endpoints) {
        log().status("listening on {}", describe(endpoint));
    }
    if (tls != nullptr) {
        // What a client pins (tcpkit connect --tls --pin sha256:HEX), next to where to reach it.
        log().status("tls certificate {}", tls->fingerprint());
    }
}

TcpServer::TcpServer(ServerOptions options, SessionHandler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      pool_(options_.threads),
      listener_(pool_.main(), options_.listen) {}

TcpServer::~TcpServer() = default;

void TcpServer::run() {
    log_listening(listener_.endpoints(), options_.tls.get());
    signals_ = std::make_unique<StopSignals>(pool_.main(), [this](int count) {
        if (count == 1) {
            begin_stop("interrupted");
        } else {
            log().warn("interrupted again: stopping now");
            force_close_all();
            finish();
        }
    });
    drain_timer_ = std::make_unique<asio::steady_timer>(pool_.main());
    listener_.start([this]() -> asio::io_context& { return pool_.next(); },
                    [this](asio::ip::tcp::socket socket) { accept(std::move(socket)); });
    pool_.run();
    std::string handshakes =
        options_.tls ? fmt::format(", {} failed TLS handshake(s)", failed_handshakes_.load())
                     : std::string();
    log().status("served {} connection(s) ({} refused{}), received {} bytes, sent {} bytes",
                 accepted_.load(), refused_.load(), handshakes, bytes_received_.load(),
                 bytes_sent_.load());
}

void TcpServer::stop() {
    asio::post(pool_.main(), [this] { begin_stop("stopped"); });
}

void TcpServer::accept(asio::ip::tcp::socket socket) {
    std::error_code error;
    auto remote = socket.remote_endpoint(error);
    if (error) {
        log().debug("a connection was reset before it could be served: {}", describe(error));
        return;
    }
    ConnectionEndpoints endpoints{remote, socket.local_endpoint(error)};
    std::string peer = describe(remote);
    if (stopping_) {
        return;
    }
    if (!admit_or_reset(options_.access, socket, remote.address(), peer)) {
        ++refused_;
        return;
    }
    std::string address = address_group(remote.address());
    std::size_t per_address = options_.per_address.limit_for(remote.address());
    std::size_t open_from_address = 0;
    if (!per_address_open_.try_add(address, per_address, open_from_address)) {
        ++refused_;
        log().warn("refused {}: {} connection(s) from {} already (--max-conns-per-ip {})", peer,
                   open_from_address, address, per_address);
        refuse(socket);
        return;
    }
    if (active_.load() >= options_.max_connections) {
        per_address_open_.remove(address);
        ++refused_;
        log().warn("refused {}: connection limit of {} reached", peer, options_.max_connections);
        refuse(socket);
        return;
    }
    // Interactive traffic: without this, Nagle and delayed ACKs add tens of milliseconds.
    socket.set_option(asio::ip::tcp::no_delay(true), error);
    ++active_;  // a handshake in progress holds its place
    if (options_.tls) {
        auto executor = socket.get_executor();
        spawn_logged(executor, handshake_then_serve(std::move(socket), std::move(peer), endpoints),
                     "handshake");
        return;
    }
    start_session(std::make_unique<TcpStream>(std::move(socket), std::move(peer)), endpoints);
}

void TcpServer::refuse(asio::ip::tcp::socket& socket) {
    std::error_code error;
    if (options_.refusal_message.empty()) {
        // A reset, not a FIN: the client must not mistake "refused" for "served and done".
        socket.set_option(asio::socket_base::linger(true, 0), error);
    } else {
        // A new socket's send buffer is empty: this short write cannot block.
        socket.non_blocking(true, error);
        socket.write_some(asio::buffer(options_.refusal_message), error);
        socket.shutdown(asio::socket_base::shutdown_send, error);
    }
    socket.close(error);
}

// A connection in its TLS handshake holds its place in active_, so that half-open handshakes
// count against max_connections, and ends within the handshake timeout whatever the peer does.
// It is not a session yet (not in clients_, nobody to tell): a graceful stop waits for it as
// for the sessions, up to the drain timeout, and then the I/O threads' stop ends it.
asio::awaitable<void> TcpServer::handshake_then_serve(asio::ip::tcp::socket socket,
                                                      std::string peer,
                                                      ConnectionEndpoints endpoints) {
    std::string failure;
    auto stream = co_await options_.tls->handshake(std::move(socket), peer, failure);
    if (!stream) {
        ++failed_handshakes_;
        log().info("{}: tls handshake {}", peer, failure);
        session_ended(std::nullopt, address_group(endpoints.peer.address()));
        co_return;
    }
    if (stopping_) {
        session_ended(std::nullopt, address_group(endpoints.peer.address()));
        co_return;
    }
    start_session(std::move(stream), endpoints);
}

void TcpServer::start_session(std::unique_ptr<ByteStream> stream,
                              const ConnectionEndpoints& endpoints) {
    ++accepted_;
    auto executor = stream->get_executor();
    auto client = std::make_shared<AcceptedConnection>(std::move(stream), endpoints);
    std::uint64_t id = next_id_++;
    {
        std::lock_guard lock(clients_mutex_);
        clients_.emplace(id, client);
    }
    spawn_logged(executor, serve(std::move(client), id, address_group(endpoints.peer.address())),
                 "session");
}

asio::awaitable<void> TcpServer::serve(std::shared_ptr<AcceptedConnection> client, std::uint64_t id,
                                       std::string address) {
    using namespace asio::experimental::awaitable_operators;
    auto started = Clock::now();
    std::string security = client->security_summary();
    std::string identity = client->peer_identity();
    log().info("connection from {}{}{}", client->peer(),
               security.empty() ? std::string() : fmt::format(" ({})", security),
               identity.empty() ? std::string() : fmt::format(", client certificate {}", identity));
    auto guarded = [this](AcceptedConnection& connection) -> asio::awaitable<void> {
        try {
            co_await handler_(connection);
        } catch (const std::exception& failure) {
            connection.note_end(EndKind::failed, fmt::format("session failed: {}", failure.what()));
        }
    };
    if (options_.idle_timeout.count() > 0) {
        co_await (guarded(*client) || watch_idle(*client));
    } else {
        co_await guarded(*client);
    }
    client->close(EndKind::closed_by_session, "closed");
    log().info("{} disconnected: {} (received {} bytes, sent {} bytes in {})", client->peer(),
               client->end_reason(), client->bytes_received(), client->bytes_sent(),
               format_age(Clock::now() - started));
    bytes_received_ += client->bytes_received();
    bytes_sent_ += client->bytes_sent();
    session_ended(id, address);
}

asio::awaitable<void> TcpServer::watch_idle(AcceptedConnection& client) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        auto deadline = client.last_activity() + options_.idle_timeout;
        if (Clock::now() >= deadline) {
            // Closing (rather than only cancelling) also ends a read bound to the stop signal.
            client.close(EndKind::idle,
                         fmt::format("idle for {}", format_duration(options_.idle_timeout)));
            co_return;
        }
        timer.expires_at(deadline);
        co_await timer.async_wait(asio::use_awaitable);
    }
}

void TcpServer::session_ended(std::optional<std::uint64_t> id, const std::string& address) {
    per_address_open_.remove(address);
    if (id) {
        std::lock_guard lock(clients_mutex_);
        clients_.erase(*id);
    }
    std::size_t left = --active_;
    if (left == 0 && (stopping_ || options_.exit_after_last_client)) {
        asio::post(pool_.main(), [this] {
            if (!stopping_) {
                begin_stop("the last client has gone (--once)");
            } else if (active_ == 0) {
                finish();
            }
        });
    }
}

template <typename Action>
void TcpServer::for_each_client(Action action) {
    std::lock_guard lock(clients_mutex_);
    for (auto& [id, weak] : clients_) {
        if (auto client = weak.lock()) {
            auto executor = client->get_executor();
            asio::post(executor, [client, action] { action(*client); });
        }
    }
}

void TcpServer::begin_stop(std::string_view why) {
    if (stopping_.exchange(true)) {
        return;
    }
    listener_.close();
    if (options_.on_stopping) {
        options_.on_stopping();
    }
    std::size_t open = active_.load();
    log().info("{}: stopping{}", why,
               open == 0 ? std::string() : fmt::format(", letting {} connection(s) finish", open));
    if (open == 0) {
        finish();
        return;
    }
    for_each_client([](AcceptedConnection& client) { client.request_stop(); });
    drain_timer_->expires_after(options_.drain_timeout);
    drain_timer_->async_wait([this](const std::error_code& error) {
        if (error || finished_) {
            return;
        }
        log().warn("closing {} connection(s) still open after {}", active_.load(),
                   format_duration(options_.drain_timeout));
        force_close_all();
        drain_timer_->expires_after(close_grace);
        drain_timer_->async_wait([this](const std::error_code& again) {
            if (!again) {
                finish();
            }
        });
    });
}

void TcpServer::force_close_all() {
    for_each_client([](AcceptedConnection& client) {
        client.close(EndKind::server_stopping, "server shutting down");
    });
}

void TcpServer::finish() {
    if (finished_) {
        return;
    }
    finished_ = true;
    listener_.close();
    if (drain_timer_) {
        drain_timer_->cancel();
    }
    if (signals_) {
        signals_->cancel();
    }
    pool_.stop();
}

}  // namespace tcpkit
