// End-to-end: TLS (issue 10) with real peers. tcpkit's client against `openssl s_server` and
// against tcpkit's own TLS servers; tcpkit's servers against `openssl s_client`, plain TCP
// clients, and a small libssl client in this process that drives many connections from one
// thread (200 s_client processes would swamp a 2-core machine). Certificates come from
// test_certificates(), made once per run.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "catch.h"
#include "loopback.h"
#include "process.h"
#include "temp_file.h"
#include "test_certificates.h"

using namespace tcpkit::test;

namespace {

using Clock = std::chrono::steady_clock;

Timeout remaining(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<Timeout>(deadline - Clock::now());
    return left < Timeout(0) ? Timeout(0) : left;
}

// Waits until the child's stdout contains `needle`; returns all of stdout.
std::string wait_for_stdout_text(Process& process, std::string_view needle,
                                 Timeout timeout = default_timeout) {
    auto deadline = Clock::now() + timeout;
    while (process.out().find(needle) == std::string::npos) {
        try {
            process.wait_for_stdout(process.out().size() + 1, remaining(deadline));
        } catch (const std::exception& error) {
            throw std::runtime_error("no '" + std::string(needle) + "' on stdout: " + error.what() +
                                     "\nstdout so far:\n" + process.out());
        }
    }
    return process.out();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
        lines.push_back(line);
    }
    return lines;
}

// The spec's rule for a failed verification or handshake: exactly one line, tcpkit's own words,
// never OpenSSL's raw error queue.
void check_one_error_line(const std::string& err) {
    INFO("stderr: " << err);
    auto lines = lines_of(err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind("tcpkit: error: ", 0) == 0);
    CHECK(lines[0].find("SSL routines") == std::string::npos);
    CHECK(lines[0].find(":error:") == std::string::npos);
}

// `openssl s_server` on 127.0.0.1 and a port the kernel picks, serving one connection. It
// prints `ACCEPT 127.0.0.1:PORT` on stdout once it listens (not with -quiet or -brief, which
// this never passes). Its stdin is a pipe the test keeps open: s_server stops at end of its
// input, and what the test writes there goes to the client.
struct OpenSslServer {
    OpenSslServer(const CertificateFiles& certificate, std::vector<std::string> extra = {})
        : process(args(certificate, std::move(extra))), port(accept_port(process)) {}

    static std::vector<std::string> args(const CertificateFiles& certificate,
                                         std::vector<std::string> extra) {
        std::vector<std::string> all = {
            openssl_binary(), "s_server",       "-accept", "127.0.0.1:0",  "-naccept", "1",
            "-cert",          certificate.cert, "-key",    certificate.key};
        all.insert(all.end(), extra.begin(), extra.end());
        return all;
    }

    static std::uint16_t accept_port(Process& server) {
        std::string out = wait_for_stdout_text(server, "ACCEPT ");
        auto start = out.find("ACCEPT ");
        auto end = out.find('\n', start);
        while (end == std::string::npos) {
            out = server.wait_for_stdout(out.size() + 1);
            end = out.find('\n', start);
        }
        std::string line = out.substr(start, end - start);
        return static_cast<std::uint16_t>(std::stoi(line.substr(line.find_last_of(':') + 1)));
    }

    std::string port_text() const { return std::to_string(port); }

    Process process;
    std::uint16_t port;
};

std::vector<std::string> tls_connect_args(const std::string& host, std::uint16_t port,
                                          std::vector<std::string> options) {
    std::vector<std::string> args = {tcpkit_binary(), "connect", "--tls"};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back(host);
    args.push_back(std::to_string(port));
    return args;
}

// A tcpkit echo-server or chat-server with --tls; its certificate's fingerprint is the one it
// announces after its `listening on` line.
struct TlsServer {
    explicit TlsServer(std::vector<std::string> extra = {}, std::string kind = "echo-server")
        : process(args(kind, std::move(extra))),
          port(listening_port(process)),
          fingerprint(announced_fingerprint(process)) {}

    static std::vector<std::string> args(const std::string& kind, std::vector<std::string> extra) {
        std::vector<std::string> all = {tcpkit_binary(), kind,       "--tls", "--port", "0",
                                        "--host",        "127.0.0.1"};
        all.insert(all.end(), extra.begin(), extra.end());
        return all;
    }

    static std::string announced_fingerprint(Process& server) {
        std::string line = server.wait_for_stderr_line("tls certificate sha256:");
        std::string hex = line.substr(line.find("sha256:") + 7);
        hex = hex.substr(0, hex.find_first_not_of("0123456789abcdef"));
        INFO("announced: " << line);
        REQUIRE(hex.size() == 64);
        return hex;
    }

    std::string pin() const { return "sha256:" + fingerprint; }

    Process process;
    std::uint16_t port;
    std::string fingerprint;
};

std::string colon_separated_upper(const std::string& hex) {
    std::string text;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        if (i > 0) {
            text += ':';
        }
        text += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
        text += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i + 1])));
    }
    return text;
}

struct TempDirectory {
    TempDirectory() {
        char name[] = "/tmp/tcpkit-test-dir-XXXXXX";
        path = ::mkdtemp(name);
    }
    ~TempDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    std::string path;
};

using SslContext = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using SslConnection = std::unique_ptr<SSL, decltype(&SSL_free)>;

std::string openssl_errors() {
    std::string text;
    while (unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        text += std::string(buffer) + "; ";
    }
    return text;
}

// A client TLS context that verifies against the test CA and `host_name`.
SslContext verifying_client_context() {
    SslContext context(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
    REQUIRE(context);
    REQUIRE(SSL_CTX_load_verify_locations(context.get(), test_certificates().ca.cert.c_str(),
                                          nullptr) == 1);
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    return context;
}

// One of many TLS echo clients driven by one thread: non-blocking, progressed when its socket
// is ready, done once it has read back what it sent.
struct EchoConversation {
    Socket socket;
    SslConnection ssl{nullptr, &SSL_free};
    std::string to_send;
    std::string expected;
    std::string received;
    bool wants_write = false;
    bool done = false;

    // Moves the conversation on as far as it goes without blocking; throws on a TLS error.
    void progress() {
        while (!to_send.empty()) {
            int written = SSL_write(ssl.get(), to_send.data(), static_cast<int>(to_send.size()));
            if (written <= 0) {
                wait_or_fail(written, "write");
                return;
            }
            to_send.erase(0, static_cast<std::size_t>(written));
        }
        char buffer[4096];
        while (received.size() < expected.size()) {
            int got = SSL_read(ssl.get(), buffer, sizeof buffer);
            if (got <= 0) {
                wait_or_fail(got, "read");
                return;
            }
            received.append(buffer, static_cast<std::size_t>(got));
        }
        done = true;
    }

    void wait_or_fail(int result, const char* what) {
        int error = SSL_get_error(ssl.get(), result);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            wants_write = error == SSL_ERROR_WANT_WRITE;
            return;
        }
        throw std::runtime_error(std::string("TLS ") + what + " failed (SSL_get_error " +
                                 std::to_string(error) + "): " + openssl_errors() +
                                 " after receiving '" + received + "'");
    }
};

// A TLS client for line protocols, one of many driven by one thread (see drive()): what the
// test queues in `outgoing` is sent, and everything the server sends is kept in `transcript`.
// Non-blocking; the handshake happens in the first reads and writes.
struct TlsLineConversation {
    Socket socket;
    SslConnection ssl{nullptr, &SSL_free};
    std::string outgoing;
    std::string transcript;
    bool wants_write = false;
    bool closed = false;
    std::string close_reason;

    TlsLineConversation(std::uint16_t port, SSL_CTX* context) : socket(Socket::connect(port)) {
        ::fcntl(socket.fd(), F_SETFL, ::fcntl(socket.fd(), F_GETFL) | O_NONBLOCK);
        ssl.reset(SSL_new(context));
        // `outgoing` may grow (and move) between a write that would block and its retry.
        SSL_set_mode(ssl.get(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        SSL_set_fd(ssl.get(), socket.fd());
        SSL_set1_host(ssl.get(), "localhost");
        SSL_set_connect_state(ssl.get());
    }

    bool has(std::string_view text) const { return transcript.find(text) != std::string::npos; }

    // Sends and reads as far as possible without blocking. The end of the connection, clean or
    // not, is recorded (with OpenSSL's words) rather than thrown: some tests expect it.
    void progress() {
        if (closed) {
            return;
        }
        wants_write = false;
        ERR_clear_error();
        while (!outgoing.empty()) {
            int written = SSL_write(ssl.get(), outgoing.data(), static_cast<int>(outgoing.size()));
            if (written <= 0) {
                if (!would_block(written)) {
                    return;
                }
                break;
            }
            outgoing.erase(0, static_cast<std::size_t>(written));
        }
        char buffer[16384];
        for (;;) {
            int got = SSL_read(ssl.get(), buffer, sizeof buffer);
            if (got <= 0) {
                would_block(got);
                return;
            }
            transcript.append(buffer, static_cast<std::size_t>(got));
        }
    }

    // False, with the connection marked closed, if `result` was not "try again later".
    bool would_block(int result) {
        int error = SSL_get_error(ssl.get(), result);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            wants_write = wants_write || error == SSL_ERROR_WANT_WRITE;
            return true;
        }
        closed = true;
        close_reason = error == SSL_ERROR_ZERO_RETURN
                           ? "close_notify"
                           : "SSL_get_error " + std::to_string(error) + ": " + openssl_errors();
        return false;
    }
};

// Moves all the conversations on, one poll() at a time, until `finished(index, conversation)`
// holds for each; fails
// the test when the deadline passes first, or when one ends while still unfinished.
template <typename Finished>
void drive(std::vector<std::unique_ptr<TlsLineConversation>>& conversations, Finished finished,
           const char* goal, Timeout timeout = default_timeout) {
    auto deadline = Clock::now() + timeout;
    for (auto& conversation : conversations) {
        conversation->progress();
    }
    for (;;) {
        std::vector<pollfd> waiting;
        std::vector<TlsLineConversation*> owners;
        for (std::size_t i = 0; i < conversations.size(); ++i) {
            auto& conversation = *conversations[i];
            if (finished(i, conversation)) {
                continue;
            }
            INFO("waiting for " << goal << ": conversation " << i << " ended ("
                                << conversation.close_reason << ") after receiving:\n"
                                << conversation.transcript);
            REQUIRE(!conversation.closed);
            short events = POLLIN;
            if (conversation.wants_write || !conversation.outgoing.empty()) {
                events |= POLLOUT;
            }
            waiting.push_back(pollfd{conversation.socket.fd(), events, 0});
            owners.push_back(&conversation);
        }
        if (waiting.empty()) {
            return;
        }
        int ready =
            ::poll(waiting.data(), waiting.size(), static_cast<int>(remaining(deadline).count()));
        INFO("waiting for " << goal << ": " << waiting.size() << " of " << conversations.size()
                            << " unfinished, the first one's transcript:\n"
                            << owners.front()->transcript);
        REQUIRE(ready > 0);
        for (std::size_t i = 0; i < waiting.size(); ++i) {
            if (waiting[i].revents != 0) {
                owners[i]->progress();
            }
        }
    }
}

// How many times the whole line `line` (CRLF-terminated, as chat-server sends) is in `text`.
std::size_t count_lines(const std::string& text, const std::string& line) {
    std::size_t count = 0;
    std::string needle = "\n" + line + "\r\n";
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

// The socket's own address as the servers log their peers: "127.0.0.1:PORT".
std::string local_address(const Socket& socket) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    ::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length);
    return "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
}

// Sets a socket's send and receive timeouts, so that blocking libssl calls on it are bounded.
void bound_blocking_calls(int fd, Timeout timeout) {
    timeval limit{};
    limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    limit.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
}

// A TLS server in a scripted server's thread: the handshake with the test's server
// certificate, then `script` on the TLS connection; the socket then closes WITHOUT a
// close_notify (the script decides whether to send one).
std::function<void(Socket&)> tls_script(std::function<void(SSL*)> script) {
    return [script = std::move(script)](Socket& peer) {
        SslContext context(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
        const auto& certificate = test_certificates().server;
        if (!context ||
            SSL_CTX_use_certificate_chain_file(context.get(), certificate.cert.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(context.get(), certificate.key.c_str(), SSL_FILETYPE_PEM) !=
                1) {
            throw std::runtime_error("server context: " + openssl_errors());
        }
        SslConnection ssl(SSL_new(context.get()), &SSL_free);
        bound_blocking_calls(peer.fd(), default_timeout);
        SSL_set_fd(ssl.get(), peer.fd());
        if (SSL_accept(ssl.get()) != 1) {
            throw std::runtime_error("TLS handshake with tcpkit failed: " + openssl_errors());
        }
        script(ssl.get());
    };
}

}  // namespace

TEST_CASE("tls: the test certificates are what the tests think they are", "[tls]") {
    const auto& certificates = test_certificates();
    for (const auto* files :
         {&certificates.ca, &certificates.server, &certificates.client, &certificates.expired,
          &certificates.not_yet_valid, &certificates.wrong_name, &certificates.self_signed,
          &certificates.other_ca, &certificates.other_ca_server}) {
        CHECK(std::filesystem::exists(files->cert));
        CHECK(std::filesystem::exists(files->key));
        CHECK(files->fingerprint.size() == 64);
    }
    std::ifstream server_pem(certificates.server.cert);
    std::string pem((std::istreambuf_iterator<char>(server_pem)), std::istreambuf_iterator<char>());
    CHECK(fingerprint_of_pem("some text before\n" + pem) == certificates.server.fingerprint);
    CHECK(certificates.server.fingerprint != certificates.self_signed.fingerprint);
}

TEST_CASE("tls: connect --tls --ca-file verifies s_server, and bytes go both ways", "[tls]") {
    const auto& certificates = test_certificates();
    OpenSslServer server(certificates.server);
    Process client(
        tls_connect_args("localhost", server.port, {"--ca-file", certificates.ca.cert, "-v"}));
    client.write_stdin("from the client\n");
    wait_for_stdout_text(server.process, "from the client\n");
    server.process.write_stdin("from the server\n");
    client.wait_for_stdout(16);
    CHECK(client.out() == "from the server\n");
    // End of input: close_notify, which s_server answers by ending the connection ("DONE").
    client.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    wait_for_stdout_text(server.process, "DONE");
    CHECK(server.process.out().find("unexpected eof") == std::string::npos);

    const auto& err = client.err();
    INFO("stderr: " << err);
    CHECK_THAT(err, TCPKIT_CONTAINS("TLSv1.3"));
    CHECK_THAT(err, TCPKIT_CONTAINS("TLS_AES_256_GCM_SHA384"));
    CHECK_THAT(err, TCPKIT_CONTAINS("CN=localhost"));
    CHECK_THAT(err, TCPKIT_CONTAINS("sha256:" + certificates.server.fingerprint));
    auto alpn = client.wait_for_stderr_line("alpn");
    CHECK_THAT(alpn, TCPKIT_CONTAINS("none"));
}

TEST_CASE("tls: each verification failure is one line that names its reason", "[tls]") {
    const auto& certificates = test_certificates();
    auto ca = certificates.ca.cert;

    SECTION("self-signed, with the --pin hint") {
        OpenSslServer server(certificates.self_signed);
        Process client(tls_connect_args("localhost", server.port, {"--ca-file", ca}));
        REQUIRE(client.wait_for_exit() == 1);
        check_one_error_line(client.err());
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("self-signed"));
        CHECK_THAT(client.err(),
                   TCPKIT_CONTAINS("--pin sha256:" + certificates.self_signed.fingerprint));
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("--ca-file"));
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("--insecure"));
    }
    SECTION("unknown issuer") {
        OpenSslServer server(certificates.other_ca_server);
        Process client(tls_connect_args("localhost", server.port, {"--ca-file", ca}));
        REQUIRE(client.wait_for_exit() == 1);
        check_one_error_line(client.err());
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("unknown issuer"));
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("--ca-file"));
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("--pin"));
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("--insecure"));
    }
    SECTION("expired") {
        OpenSslServer server(certificates.expired);
        Process client(tls_connect_args("localhost", server.port, {"--ca-file", ca}));
        REQUIRE(client.wait_for_exit() == 1);
        check_one_error_line(client.err());
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("expired"));
    }
    SECTION("not yet valid") {
        OpenSslServer server(certificates.not_yet_valid);
        Process client(tls_connect_args("localhost", server.port, {"--ca-file", ca}));
        REQUIRE(client.wait_for_exit() == 1);
        check_one_error_line(client.err());
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("not yet valid"));
    }
    SECTION("name mismatch") {
        OpenSslServer server(certificates.wrong_name);
        Process client(tls_connect_args("localhost", server.port, {"--ca-file", ca}));
        REQUIRE(client.wait_for_exit() == 1);
        check_one_error_line(client.err());
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("does not match"));
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("localhost"));
    }
    SECTION("an IP address is checked against the certificate's IP names") {
        OpenSslServer server(certificates.wrong_name);
        Process client(tls_connect_args("127.0.0.1", server.port, {"--ca-file", ca}));
        REQUIRE(client.wait_for_exit() == 1);
        check_one_error_line(client.err());
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("does not match"));
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("127.0.0.1"));
    }
    SECTION("--tls-min 1.3 against a TLS 1.2 server") {
        OpenSslServer server(certificates.server, {"-tls1_2"});
        Process client(
            tls_connect_args("localhost", server.port, {"--ca-file", ca, "--tls-min", "1.3"}));
        REQUIRE(client.wait_for_exit() == 1);
        check_one_error_line(client.err());
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("TLS 1.3"));
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("version"));
    }
    SECTION("the server requires a client certificate and none is given") {
        OpenSslServer server(certificates.server, {"-Verify", "1", "-CAfile", ca});
        Process client(tls_connect_args("localhost", server.port, {"--ca-file", ca}));
        REQUIRE(client.wait_for_exit() == 1);
        check_one_error_line(client.err());
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("client certificate"));
    }
    SECTION("the server is plain TCP") {
        ScriptedServer server([](Socket& peer) {
            peer.send_all("220 mail.example ESMTP ready\r\n");
            peer.wait_closed();
        });
        Process client(tls_connect_args("127.0.0.1", server.port(), {"--ca-file", ca}));
        REQUIRE(client.wait_for_exit() == 1);
        check_one_error_line(client.err());
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("not a TLS server"));
    }
}

TEST_CASE("tls: connect --cert gives s_server -Verify the client certificate it asks for",
          "[tls]") {
    const auto& certificates = test_certificates();
    OpenSslServer server(certificates.server, {"-Verify", "1", "-CAfile", certificates.ca.cert});
    Process client(tls_connect_args("localhost", server.port,
                                    {"--ca-file", certificates.ca.cert, "--cert",
                                     certificates.client.cert, "--key", certificates.client.key}));
    client.write_stdin("signed, alice\n");
    wait_for_stdout_text(server.process, "signed, alice\n");
    client.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    // s_server's verify callback prints the chain it was given.
    CHECK_THAT(server.process.err() + server.process.out(), TCPKIT_CONTAINS("CN = alice"));
}

TEST_CASE("tls: --pin accepts exactly the pinned certificate, self-signed or not", "[tls]") {
    const auto& certificates = test_certificates();
    const auto& self_signed = certificates.self_signed;

    SECTION("the right fingerprint, as hex") {
        OpenSslServer server(self_signed);
        Process client(tls_connect_args("localhost", server.port,
                                        {"--pin", "sha256:" + self_signed.fingerprint}));
        client.write_stdin("pinned\n");
        wait_for_stdout_text(server.process, "pinned\n");
        client.close_stdin();
        CHECK(client.wait_for_exit() == 0);
        CHECK(client.err().empty());
    }
    SECTION("the right fingerprint, with colons and in upper case, at an IP address") {
        OpenSslServer server(self_signed);
        Process client(tls_connect_args(
            "127.0.0.1", server.port,
            {"--pin", "sha256:" + colon_separated_upper(self_signed.fingerprint)}));
        client.write_stdin("pinned\n");
        wait_for_stdout_text(server.process, "pinned\n");
        client.close_stdin();
        CHECK(client.wait_for_exit() == 0);
    }
    SECTION("a wrong fingerprint, even of a certificate the CA signed") {
        OpenSslServer server(self_signed);
        Process client(tls_connect_args("localhost", server.port,
                                        {"--pin", "sha256:" + certificates.server.fingerprint}));
        REQUIRE(client.wait_for_exit() == 1);
        check_one_error_line(client.err());
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("does not match --pin"));
        CHECK_THAT(client.err(), TCPKIT_CONTAINS(self_signed.fingerprint));
    }
}

TEST_CASE("tls: --insecure connects to any certificate and says it did not verify", "[tls]") {
    const auto& certificates = test_certificates();
    OpenSslServer server(certificates.other_ca_server);
    Process client(tls_connect_args("localhost", server.port, {"--insecure"}));
    client.write_stdin("unverified\n");
    wait_for_stdout_text(server.process, "unverified\n");
    client.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    auto lines = lines_of(client.err());
    INFO("stderr: " << client.err());
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], TCPKIT_CONTAINS("--insecure"));
    CHECK_THAT(lines[0], TCPKIT_CONTAINS("not verified"));
}

TEST_CASE("tls: SNI is the host name, or --sni's, and none for --no-sni or an IP", "[tls]") {
    const auto& certificates = test_certificates();
    // With -servername, s_server prints the SNI it got, and serves -cert2 to a client that asks
    // for wrong.example by name.
    OpenSslServer server(certificates.server,
                         {"-servername", "wrong.example", "-cert2", certificates.wrong_name.cert,
                          "-key2", certificates.wrong_name.key});
    auto ca = certificates.ca.cert;
    constexpr std::string_view sni_line = "Hostname in TLS extension";

    SECTION("the host name by default") {
        Process client(tls_connect_args("localhost", server.port, {"--ca-file", ca}));
        client.write_stdin("hello\n");
        auto out = wait_for_stdout_text(server.process, "hello\n");
        CHECK_THAT(out, TCPKIT_CONTAINS("Hostname in TLS extension: \"localhost\""));
        client.close_stdin();
        CHECK(client.wait_for_exit() == 0);
    }
    SECTION("--sni NAME is sent and the certificate is checked against NAME") {
        Process client(tls_connect_args("127.0.0.1", server.port,
                                        {"--ca-file", ca, "--sni", "wrong.example"}));
        client.write_stdin("hello\n");
        auto out = wait_for_stdout_text(server.process, "hello\n");
        CHECK_THAT(out, TCPKIT_CONTAINS("Hostname in TLS extension: \"wrong.example\""));
        client.close_stdin();
        CHECK(client.wait_for_exit() == 0);
    }
    SECTION("--no-sni sends none, and still checks against the host") {
        Process client(tls_connect_args("localhost", server.port, {"--ca-file", ca, "--no-sni"}));
        client.write_stdin("hello\n");
        auto out = wait_for_stdout_text(server.process, "hello\n");
        CHECK(out.find(sni_line) == std::string::npos);
        client.close_stdin();
        CHECK(client.wait_for_exit() == 0);
    }
    SECTION("an IP address is not sent as SNI") {
        Process client(tls_connect_args("127.0.0.1", server.port, {"--ca-file", ca}));
        client.write_stdin("hello\n");
        auto out = wait_for_stdout_text(server.process, "hello\n");
        CHECK(out.find(sni_line) == std::string::npos);
        client.close_stdin();
        CHECK(client.wait_for_exit() == 0);
    }
}

TEST_CASE("tls: connect --alpn offers protocols and -v logs the one chosen", "[tls]") {
    const auto& certificates = test_certificates();
    OpenSslServer server(certificates.server, {"-alpn", "h2,http/1.1"});
    Process client(tls_connect_args("localhost", server.port,
                                    {"--ca-file", certificates.ca.cert, "--alpn", "h2", "-v"}));
    auto line = client.wait_for_stderr_line("alpn");
    CHECK_THAT(line, TCPKIT_CONTAINS("h2"));
    client.close_stdin();
    CHECK(client.wait_for_exit() == 0);
}

TEST_CASE(
    "tls: echo-server --alpn picks the client's protocol and refuses a client with none "
    "of its own",
    "[tls]") {
    TlsServer echo({"--alpn", "h2,http/1.1"});
    SECTION("a protocol in common") {
        Process client({openssl_binary(), "s_client", "-connect",
                        "127.0.0.1:" + std::to_string(echo.port), "-alpn", "http/1.1"});
        wait_for_stdout_text(client, "ALPN protocol: http/1.1");
        client.close_stdin();
        client.wait_for_exit();
    }
    SECTION("none in common") {
        Process client({openssl_binary(), "s_client", "-connect",
                        "127.0.0.1:" + std::to_string(echo.port), "-alpn", "spdy/1"});
        client.close_stdin();
        CHECK(client.wait_for_exit() != 0);
        CHECK(client.out().find("ALPN protocol: spdy/1") == std::string::npos);
        echo.process.wait_for_stderr_line("tls handshake failed");
    }
}

TEST_CASE("tls: chat-server --client-ca requires a client certificate and logs its subject",
          "[tls]") {
    const auto& certificates = test_certificates();
    TlsServer chat({"--cert", certificates.server.cert, "--key", certificates.server.key,
                    "--client-ca", certificates.ca.cert},
                   "chat-server");
    CHECK(chat.fingerprint == certificates.server.fingerprint);
    auto address = "127.0.0.1:" + std::to_string(chat.port);

    SECTION("with alice's certificate") {
        Process client({openssl_binary(), "s_client", "-quiet", "-connect", address, "-CAfile",
                        certificates.ca.cert, "-verify_return_error", "-cert",
                        certificates.client.cert, "-key", certificates.client.key});
        wait_for_stdout_text(client, "Choose a nickname: ");
        client.write_stdin("rabbit\n");
        wait_for_stdout_text(client, "Welcome, rabbit!");
        auto joined = chat.process.wait_for_stderr_line("rabbit joined");
        CHECK_THAT(joined, TCPKIT_CONTAINS("CN=alice"));
    }
    SECTION("without a certificate") {
        Process client({openssl_binary(), "s_client", "-quiet", "-connect", address, "-CAfile",
                        certificates.ca.cert, "-verify_return_error"});
        // TLS 1.3: the client's handshake is over before the server has looked at its (missing)
        // certificate; the server's alert and close end s_client.
        client.wait_for_exit();
        CHECK(client.out().find("Welcome") == std::string::npos);
        chat.process.wait_for_stderr_line("tls handshake failed");
    }
}

TEST_CASE("tls: the ephemeral certificate is the one announced, and --pin to it works", "[tls]") {
    TlsServer echo;
    // s_client -showcerts prints the certificate the server sent; its fingerprint must be the
    // announced one.
    Process s_client({openssl_binary(), "s_client", "-connect",
                      "127.0.0.1:" + std::to_string(echo.port), "-showcerts"});
    s_client.close_stdin();
    s_client.wait_for_exit();
    REQUIRE_THAT(s_client.out(), TCPKIT_CONTAINS("-----BEGIN CERTIFICATE-----"));
    CHECK(fingerprint_of_pem(s_client.out()) == echo.fingerprint);

    Process client(tls_connect_args("localhost", echo.port, {"--pin", echo.pin()}));
    client.write_stdin("through the pin\n");
    client.wait_for_stdout(16);
    client.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "through the pin\n");
}

TEST_CASE("tls: --save-cert writes the ephemeral certificate and a private key", "[tls]") {
    TempDirectory directory;
    TlsServer echo({"--save-cert", directory.path});
    auto cert = directory.path + "/cert.pem";
    auto key = directory.path + "/key.pem";
    std::ifstream file(cert);
    std::string pem((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    CHECK(fingerprint_of_pem(pem) == echo.fingerprint);
    struct stat key_status {};
    REQUIRE(::stat(key.c_str(), &key_status) == 0);
    CHECK((key_status.st_mode & 0777) == 0600);
    // The saved pair serves as --cert/--key, and the server announces the same fingerprint.
    TlsServer again({"--cert", cert, "--key", key});
    CHECK(again.fingerprint == echo.fingerprint);
}

TEST_CASE("tls: a plain TCP client on a TLS port is closed at once and logged", "[tls]") {
    TlsServer echo;
    auto client = Socket::connect(echo.port);
    client.send_all("GET / HTTP/1.0\r\n\r\n");
    CHECK(client.wait_closed());
    echo.process.wait_for_stderr_line("not a TLS client");
}

TEST_CASE("tls: --handshake-timeout closes a client that never starts its handshake", "[tls]") {
    TlsServer echo({"--handshake-timeout", "300ms"});
    auto started = Clock::now();
    auto client = Socket::connect(echo.port);
    CHECK(client.wait_closed(std::chrono::seconds(5)));
    CHECK(Clock::now() - started >= std::chrono::milliseconds(250));
    echo.process.wait_for_stderr_line("tls handshake timed out after");
}

TEST_CASE("tls: end of input sends close_notify, and the rest of the echo still arrives", "[tls]") {
    TlsServer echo;
    TempFile input;
    TempFile output;
    constexpr std::size_t total = 8u << 20;
    write_random_file(input.path, total);
    ProcessOptions options;
    options.stdin_file = input.path;
    options.stdout_file = output.path;
    // The input ends long before the echo is back: the client half-closes (close_notify) and
    // must keep reading until echo-server has sent everything and closed.
    Process client(tls_connect_args("localhost", echo.port, {"--pin", echo.pin()}), options);
    REQUIRE(client.wait_for_exit(std::chrono::minutes(1)) == 0);
    require_same_contents(input.path, output.path, total);
}

TEST_CASE("tls: a server that closes without close_notify: the data is kept, -v says so", "[tls]") {
    ScriptedServer server(tls_script([](SSL* ssl) {
        // No Catch2 assertions here: they are not for the script's thread.
        std::string text = "said without close_notify\n";
        if (SSL_write(ssl, text.data(), static_cast<int>(text.size())) !=
            static_cast<int>(text.size())) {
            throw std::runtime_error("TLS write to tcpkit failed: " + openssl_errors());
        }
    }));
    Process client(tls_connect_args("localhost", server.port(),
                                    {"--ca-file", test_certificates().ca.cert, "-v"}));
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "said without close_notify\n");
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("close_notify"));
}

TEST_CASE("tls: send --tls gets echo-server --tls's reply", "[tls]") {
    TlsServer echo;
    Process client({tcpkit_binary(), "send", "--tls", "--pin", echo.pin(), "127.0.0.1",
                    std::to_string(echo.port), "hello"});
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "hello\n");
    CHECK(client.err().empty());
}

TEST_CASE("tls: echo-server --tls serves 200 TLS clients at once, each its own bytes", "[tls]") {
    const auto& certificates = test_certificates();
    TlsServer echo({"--cert", certificates.server.cert, "--key", certificates.server.key});
    auto context = verifying_client_context();
    constexpr int count = 200;
    std::vector<EchoConversation> conversations(count);
    for (int i = 0; i < count; ++i) {
        auto& conversation = conversations[i];
        conversation.socket = Socket::connect(echo.port);
        ::fcntl(conversation.socket.fd(), F_SETFL,
                ::fcntl(conversation.socket.fd(), F_GETFL) | O_NONBLOCK);
        conversation.ssl.reset(SSL_new(context.get()));
        SSL_set_fd(conversation.ssl.get(), conversation.socket.fd());
        SSL_set1_host(conversation.ssl.get(), "localhost");
        SSL_set_connect_state(conversation.ssl.get());
        conversation.to_send = "client " + std::to_string(i) + " says hello over TLS\n";
        conversation.expected = conversation.to_send;
    }
    // One thread drives them all: each is moved on when poll says its socket is ready.
    auto deadline = Clock::now() + std::chrono::seconds(60);
    for (auto& conversation : conversations) {
        conversation.progress();
    }
    for (;;) {
        std::vector<pollfd> waiting;
        std::vector<EchoConversation*> owners;
        for (auto& conversation : conversations) {
            if (!conversation.done) {
                waiting.push_back(
                    pollfd{conversation.socket.fd(),
                           static_cast<short>(conversation.wants_write ? POLLOUT : POLLIN), 0});
                owners.push_back(&conversation);
            }
        }
        if (waiting.empty()) {
            break;
        }
        int ready =
            ::poll(waiting.data(), waiting.size(), static_cast<int>(remaining(deadline).count()));
        INFO(waiting.size() << " of " << count << " conversations unfinished");
        REQUIRE(ready > 0);
        for (std::size_t i = 0; i < waiting.size(); ++i) {
            if (waiting[i].revents != 0) {
                owners[i]->progress();
            }
        }
    }
    for (int i = 0; i < count; ++i) {
        CHECK(conversations[i].received == conversations[i].expected);
    }
}

TEST_CASE("tls: chat-server --tls with 200 clients: each line reaches every other client once",
          "[tls]") {
    const auto& certificates = test_certificates();
    TlsServer chat({"--cert", certificates.server.cert, "--key", certificates.server.key,
                    "--max-clients", "1000", "--rate", "0", "--quiet"},
                   "chat-server");
    // --quiet: nobody reads the server's stderr while drive() runs, and 200 clients' joins and
    // leaves would fill the pipe and block the server in its next log line.
    auto context = verifying_client_context();
    constexpr int count = 200;
    std::vector<std::unique_ptr<TlsLineConversation>> people;
    for (int i = 0; i < count; ++i) {
        people.push_back(std::make_unique<TlsLineConversation>(chat.port, context.get()));
    }
    auto name_of = [](std::size_t i) { return "c" + std::to_string(i); };

    drive(
        people, [](std::size_t, auto& person) { return person.has("Choose a nickname: "); },
        "the nickname prompts");
    for (std::size_t i = 0; i < people.size(); ++i) {
        people[i]->outgoing = name_of(i) + "\n";
    }
    // Each name is its own: one already taken would be asked for again, not welcomed.
    drive(
        people,
        [&](std::size_t i, auto& person) { return person.has("Welcome, " + name_of(i) + "!"); },
        "the welcomes");

    // Everyone is in the room: c0 says a line, and each of the others receives it.
    const std::string said = "hello from the first of 200";
    const std::string heard = name_of(0) + ": " + said;
    people[0]->outgoing = said + "\n";
    drive(
        people,
        [&](std::size_t i, auto& person) { return i == 0 || person.has("\n" + heard + "\r\n"); },
        "the line said");

    // All leave: each says /quit, is told "Bye!", and the server closes it. By then each has
    // received the line exactly once (and c0 never gets its own line back).
    for (auto& person : people) {
        person->outgoing = "/quit\n";
    }
    drive(
        people, [](std::size_t, auto& person) { return person.has("\nBye!\r\n"); },
        "everyone's goodbye");
    for (std::size_t i = 0; i < people.size(); ++i) {
        INFO("client " << name_of(i) << " received:\n" << people[i]->transcript);
        CHECK(count_lines(people[i]->transcript, heard) == (i == 0 ? 0u : 1u));
    }
    drive(
        people, [](std::size_t, auto& person) { return person.closed; },
        "the server to close each connection");
    people.clear();

    // The server still answers, and the room is empty but for the newcomer.
    std::vector<std::unique_ptr<TlsLineConversation>> latecomer;
    latecomer.push_back(std::make_unique<TlsLineConversation>(chat.port, context.get()));
    drive(
        latecomer, [](std::size_t, auto& person) { return person.has("Choose a nickname: "); },
        "the latecomer's prompt");
    latecomer[0]->outgoing = "latecomer\n/who\n";
    drive(
        latecomer,
        [](std::size_t, auto& person) { return person.has("Online (1): latecomer\r\n"); },
        "the latecomer's /who");
}

TEST_CASE(
    "tls: TLS handshakes in progress count against --max-conns, and an established client is "
    "not disturbed",
    "[tls]") {
    const auto& certificates = test_certificates();
    TlsServer echo({"--cert", certificates.server.cert, "--key", certificates.server.key,
                    "--max-conns", "5", "--handshake-timeout", "2s"});
    auto context = verifying_client_context();
    std::vector<std::unique_ptr<TlsLineConversation>> established;
    established.push_back(std::make_unique<TlsLineConversation>(echo.port, context.get()));
    established[0]->outgoing = "first\n";
    drive(
        established, [](std::size_t, auto& client) { return client.transcript == "first\n"; },
        "the established client's first echo");

    // Four connections that never start their handshake fill the other places.
    auto started = Clock::now();
    std::vector<Socket> silent;
    for (int i = 0; i < 4; ++i) {
        silent.push_back(Socket::connect(echo.port));
    }
    // The sixth is one too many: reset at once, long before the handshake timeout.
    auto sixth = Socket::connect(echo.port);
    CHECK(sixth.wait_closed(std::chrono::milliseconds(1500)));
    auto refused = echo.process.wait_for_stderr_line("refused");
    CHECK_THAT(refused, TCPKIT_CONTAINS("connection limit of 5"));

    // Meanwhile the established client is served as before.
    established[0]->outgoing = "second\n";
    drive(
        established,
        [](std::size_t, auto& client) { return client.transcript == "first\nsecond\n"; },
        "the established client's second echo");

    // The silent four run out of time and are closed, each logged.
    for (auto& socket : silent) {
        CHECK(socket.wait_closed(std::chrono::seconds(5)));
    }
    CHECK(Clock::now() - started >= std::chrono::milliseconds(1900));
    for (auto& socket : silent) {
        echo.process.wait_for_stderr_line(local_address(socket) +
                                          ": tls handshake timed out after 2s");
    }

    // Their places are free again: a new TLS client gets in and is echoed.
    std::vector<std::unique_ptr<TlsLineConversation>> newcomer;
    newcomer.push_back(std::make_unique<TlsLineConversation>(echo.port, context.get()));
    newcomer[0]->outgoing = "after the timeouts\n";
    drive(
        newcomer,
        [](std::size_t, auto& client) { return client.transcript == "after the timeouts\n"; },
        "the newcomer's echo");
}

TEST_CASE(
    "tls: connect --tls moves 256 MiB through echo-server --tls unchanged, in bounded "
    "memory",
    "[tls][bulk]") {
    TlsServer echo;
    TempFile input;
    TempFile output;
    constexpr std::size_t total = 256u << 20;
    write_random_file(input.path, total);
    ProcessOptions options;
    options.stdin_file = input.path;
    options.stdout_file = output.path;
    Process client(tls_connect_args("localhost", echo.port, {"--pin", echo.pin()}), options);
    REQUIRE(client.wait_for_exit(std::chrono::minutes(5)) == 0);
#ifndef TCPKIT_SANITIZED
    CHECK(client.max_rss_kib() < 64 * 1024);
#endif
    require_same_contents(input.path, output.path, total);
}

TEST_CASE("tls: TLS options are usage errors without --tls or in bad combinations", "[tls]") {
    const auto& certificates = test_certificates();
    auto port = std::to_string(unused_port());
    auto pin = "sha256:" + certificates.server.fingerprint;
    std::vector<std::vector<std::string>> misuses = {
        {"connect", "--pin", pin, "127.0.0.1", port},
        {"connect", "--ca-file", certificates.ca.cert, "127.0.0.1", port},
        {"connect", "--insecure", "127.0.0.1", port},
        {"connect", "--tls", "--udp", "127.0.0.1", port},
        {"connect", "--tls", "--pin", pin, "--insecure", "127.0.0.1", port},
        {"connect", "--tls", "--pin", "sha256:abc", "127.0.0.1", port},
        {"connect", "--tls", "--pin", "md5:" + certificates.server.fingerprint, "127.0.0.1", port},
        {"connect", "--tls", "--ca-file", "/nonexistent/ca.pem", "127.0.0.1", port},
        {"connect", "--tls", "--cert", "/nonexistent/client.pem", "127.0.0.1", port},
        {"connect", "--tls", "--cert", certificates.client.cert, "--key", "/nonexistent/client.key",
         "127.0.0.1", port},
        {"echo-server", "--tls", "--cert", "/nonexistent/server.pem", "--port", "0"},
        {"send", "--sni", "localhost", "127.0.0.1", port, "x"},
        {"echo-server", "--cert", certificates.server.cert, "--port", "0"},
        {"echo-server", "--tls", "--udp", "--port", "0"},
        {"chat-server", "--client-ca", certificates.ca.cert, "--port", "0"},
    };
    for (auto misuse : misuses) {
        misuse.insert(misuse.begin(), tcpkit_binary());
        std::string command;
        for (const auto& arg : misuse) {
            command += arg + " ";
        }
        INFO(command);
        Process tcpkit(misuse);
        tcpkit.close_stdin();
        CHECK(tcpkit.wait_for_exit() == 2);
        CHECK(lines_of(tcpkit.err()).size() == 1);
        // A file that cannot be read is named, with the option it was given to.
        for (std::size_t i = 1; i + 1 < misuse.size(); ++i) {
            if (misuse[i + 1].rfind("/nonexistent/", 0) == 0) {
                CHECK_THAT(tcpkit.err(), TCPKIT_CONTAINS(misuse[i + 1]));
                CHECK_THAT(tcpkit.err(), TCPKIT_CONTAINS(misuse[i]));
            }
        }
    }
}

TEST_CASE("tls: --version names the OpenSSL version", "[tls]") {
    Process tcpkit({tcpkit_binary(), "--version"});
    REQUIRE(tcpkit.wait_for_exit() == 0);
    CHECK_THAT(tcpkit.out() + tcpkit.err(), TCPKIT_CONTAINS("OpenSSL"));
}
