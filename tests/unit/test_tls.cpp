// The TLS layer in one process, over loopback: the option parsers, and a TlsServer and a
// TlsClient talking through AcceptedConnection the way the chat server reads (one shared read
// buffer, readiness first), which is where bytes OpenSSL has decrypted but the socket no longer
// shows could be left unread.
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <memory>
#include <string>

#include "catch.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/net/accepted_connection.h"
#include "tcpkit/tls/tls_client.h"
#include "tcpkit/tls/tls_options.h"
#include "tcpkit/tls/tls_server.h"

using namespace tcpkit;
using asio::ip::tcp;

TEST_CASE("a certificate pin is sha256: and 64 hex digits, colons and case ignored", "[tls]") {
    std::string hex(64, 'a');
    CHECK(parse_certificate_pin("sha256:" + hex) == hex);
    CHECK(parse_certificate_pin("SHA256:" + std::string(64, 'A')) == hex);
    std::string colons;
    for (int i = 0; i < 32; ++i) {
        colons += i == 0 ? "AA" : ":AA";
    }
    CHECK(parse_certificate_pin(colons) == hex);
    CHECK_THROWS_AS(parse_certificate_pin("sha256:" + std::string(63, 'a')), UsageError);
    CHECK_THROWS_AS(parse_certificate_pin("sha256:" + std::string(64, 'g')), UsageError);
    CHECK_THROWS_AS(parse_certificate_pin(""), UsageError);
}

TEST_CASE("ALPN lists and TLS versions parse as the options document them", "[tls]") {
    CHECK(parse_alpn_list("h2,http/1.1") == std::vector<std::string>{"h2", "http/1.1"});
    CHECK(parse_alpn_list("x") == std::vector<std::string>{"x"});
    CHECK_THROWS_AS(parse_alpn_list(""), UsageError);
    CHECK_THROWS_AS(parse_alpn_list("h2,,x"), UsageError);
    CHECK_THROWS_AS(parse_alpn_list(std::string(256, 'p')), UsageError);
    CHECK(parse_tls_version("1.2") == TlsVersion::v1_2);
    CHECK(parse_tls_version("1.3") == TlsVersion::v1_3);
    CHECK_THROWS_AS(parse_tls_version("1.1"), UsageError);
}

namespace {

struct LoopbackPair {
    asio::io_context context;
    tcp::acceptor acceptor{context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    tcp::socket client{context};
    tcp::socket server{context};
    LoopbackPair() {
        client.connect(acceptor.local_endpoint());
        server = acceptor.accept();
    }
};

TlsServerOptions ephemeral_server() {
    TlsServerOptions options;
    options.enabled = true;
    return options;
}

TlsClientOptions pinned_client(const TlsServer& server) {
    TlsClientOptions options;
    options.enabled = true;
    options.pin = parse_certificate_pin(server.fingerprint());
    return options;
}

}  // namespace

TEST_CASE(
    "TLS: a burst of small records is read in full through a small shared buffer, and "
    "the server still writes after the client's close_notify",
    "[tls]") {
    if (!tls_available()) {
        WARN("this build has no TLS");
        return;
    }
    LoopbackPair pair;
    TlsServer server(ephemeral_server());
    TlsClient client(pinned_client(server), "127.0.0.1");
    constexpr int lines = 300;
    std::string expected;
    for (int i = 0; i < lines; ++i) {
        expected += "line " + std::to_string(i) + "\n";
    }
    std::string received;
    std::string reply;
    bool server_saw_end = false;
    std::string failure;

    asio::co_spawn(
        pair.context,
        [&]() -> asio::awaitable<void> {
            auto stream = co_await server.handshake(std::move(pair.server), "client", failure);
            REQUIRE(stream);
            auto connection = std::make_shared<AcceptedConnection>(std::move(stream));
            std::array<char, 7> buffer{};  // far smaller than a record
            for (;;) {
                std::size_t count = co_await connection->read_when_ready(buffer);
                if (count == 0) {
                    break;
                }
                received.append(buffer.data(), count);
            }
            server_saw_end = connection->end_kind() == EndKind::closed_by_peer;
            // The client has only shut down its sending side: it still reads.
            co_await connection->write("after your close_notify\n");
            co_await connection->shutdown_send();
        },
        asio::detached);
    asio::co_spawn(
        pair.context,
        [&]() -> asio::awaitable<void> {
            auto stream =
                co_await client.handshake(std::move(pair.client), "server", Milliseconds{10'000});
            // One record per write, all sent before the server reads any.
            for (int i = 0; i < lines; ++i) {
                std::string line = "line " + std::to_string(i) + "\n";
                asio::const_buffer piece(line.data(), line.size());
                std::error_code error;
                co_await stream->write_all(std::span(&piece, 1), error);
                REQUIRE_FALSE(error);
            }
            std::error_code error;
            co_await stream->shutdown_send(error);
            REQUIRE_FALSE(error);
            std::array<char, 64> buffer{};
            for (;;) {
                std::size_t count = co_await stream->read_some(buffer, error, {});
                if (error) {
                    break;
                }
                reply.append(buffer.data(), count);
            }
            CHECK(error == asio::error::eof);
        },
        asio::detached);
    pair.context.run_for(std::chrono::seconds(20));
    CHECK(failure.empty());
    CHECK(received == expected);
    CHECK(server_saw_end);
    CHECK(reply == "after your close_notify\n");
}

TEST_CASE(
    "TLS: a client pinned to another certificate refuses the server, saying both "
    "fingerprints",
    "[tls]") {
    if (!tls_available()) {
        WARN("this build has no TLS");
        return;
    }
    LoopbackPair pair;
    TlsServer server(ephemeral_server());
    TlsClientOptions options = pinned_client(server);
    options.pin = std::string(64, '0');
    TlsClient client(options, "127.0.0.1");
    std::string message;
    std::string failure;
    asio::co_spawn(
        pair.context,
        [&]() -> asio::awaitable<void> {
            auto stream = co_await server.handshake(std::move(pair.server), "client", failure);
            CHECK_FALSE(stream);
        },
        asio::detached);
    asio::co_spawn(
        pair.context,
        [&]() -> asio::awaitable<void> {
            try {
                co_await client.handshake(std::move(pair.client), "server", Milliseconds{10'000});
            } catch (const NetworkError& error) {
                message = error.what();
            }
        },
        asio::detached);
    pair.context.run_for(std::chrono::seconds(20));
    CHECK_THAT(message, TCPKIT_CONTAINS("does not match --pin sha256:" + std::string(64, '0')));
    CHECK_THAT(message, TCPKIT_CONTAINS(server.fingerprint()));
    CHECK_FALSE(failure.empty());
}

TEST_CASE("TLS: a TCP client that sends plain text is refused as not a TLS client", "[tls]") {
    if (!tls_available()) {
        WARN("this build has no TLS");
        return;
    }
    LoopbackPair pair;
    TlsServer server(ephemeral_server());
    std::string failure;
    asio::write(pair.client, asio::buffer(std::string("GET / HTTP/1.0\r\n\r\n")));
    asio::co_spawn(
        pair.context,
        [&]() -> asio::awaitable<void> {
            auto stream = co_await server.handshake(std::move(pair.server), "client", failure);
            CHECK_FALSE(stream);
        },
        asio::detached);
    pair.context.run_for(std::chrono::seconds(20));
    CHECK_THAT(failure, TCPKIT_CONTAINS("not a TLS client"));
}
