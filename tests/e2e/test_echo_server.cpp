// End-to-end: the real `tcpkit echo-server` against real loopback clients.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "catch.h"
#include "loopback.h"
#include "process.h"
#include "reset_check.h"
#include "two_address_localhost.h"

using namespace tcpkit::test;

namespace {

std::string all_byte_values() {
    std::string bytes;
    for (int i = 0; i < 256; ++i) {
        bytes += static_cast<char>(i);
    }
    return bytes;
}

std::vector<std::string> echo_server_args(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {tcpkit_binary(), "echo-server", "--port", "0",
                                     "--host",        "127.0.0.1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

}  // namespace

TEST_CASE("echo-server echoes every byte value back exactly and logs the connection",
          "[echo-server]") {
    Process server(echo_server_args());
    auto port = listening_port(server);
    auto client = Socket::connect(port);
    std::string payload = all_byte_values() + "\xff\xfe invalid UTF-8 \xc3\x28\n";
    client.send_all(payload);
    REQUIRE(client.read_exactly(payload.size()) == payload);
    server.wait_for_stderr_line("connection from 127.0.0.1:");
    client.close();
    auto line = server.wait_for_stderr_line("disconnected");
    CHECK_THAT(line, TCPKIT_CONTAINS("closed by client"));
    CHECK_THAT(line, TCPKIT_CONTAINS(std::to_string(payload.size()) + " bytes"));
}

TEST_CASE("echo-server -v logs the data received, escaped", "[echo-server]") {
    Process server(echo_server_args({"-v"}));
    auto client = Socket::connect(listening_port(server));
    client.send_all("hi\x01\n");
    REQUIRE(client.read_exactly(4) == "hi\x01\n");
    auto line = server.wait_for_stderr_line("data from 127.0.0.1:");
    CHECK_THAT(line, TCPKIT_CONTAINS("hi\\x01\\n"));
}

TEST_CASE("echo-server finishes sending after the client half-closes, then closes",
          "[echo-server]") {
    Process server(echo_server_args());
    auto client = Socket::connect(listening_port(server));
    std::string payload(1 << 20, 'x');
    for (std::size_t i = 0; i < payload.size(); i += 997) {
        payload[i] = static_cast<char>('a' + i % 26);
    }
    // Send everything, then the FIN; the echo must still arrive in full, followed by end-of-stream.
    std::thread writer([&] {
        client.send_all(payload);
        client.shutdown_write();
    });
    std::string echoed = client.read_to_end();
    writer.join();
    REQUIRE(echoed.size() == payload.size());
    REQUIRE(echoed == payload);
}

TEST_CASE("echo-server --idle-timeout closes a silent connection and says so", "[echo-server]") {
    Process server(echo_server_args({"--idle-timeout", "200ms"}));
    auto client = Socket::connect(listening_port(server));
    client.send_all("ping");
    REQUIRE(client.read_exactly(4) == "ping");
    REQUIRE(client.wait_closed());
    CHECK_THAT(server.wait_for_stderr_line("disconnected"), TCPKIT_CONTAINS("idle for 200ms"));
}

TEST_CASE("echo-server --once serves on while a client is left, and exits 0 after the last",
          "[echo-server]") {
    Process server(echo_server_args({"--once"}));
    auto port = listening_port(server);
    auto first = Socket::connect(port);
    auto second = Socket::connect(port);
    first.send_all("a");
    second.send_all("b");
    REQUIRE(first.read_exactly(1) == "a");
    REQUIRE(second.read_exactly(1) == "b");
    first.close();
    server.wait_for_stderr_line("disconnected");
    // Had the first one's leaving stopped the server, the stop would already have closed the
    // listener and ended the second's session: the server (one thread) queues the stop right
    // after that log line, before it reads anything more from the second.
    second.send_all("c");
    REQUIRE(second.read_exactly(1) == "c");
    auto third = Socket::connect(port);
    third.send_all("d");
    REQUIRE(third.read_exactly(1) == "d");
    CHECK(server.err().find("stopping") == std::string::npos);
    second.close();
    third.close();
    REQUIRE(server.wait_for_exit() == 0);
    CHECK_THAT(server.err(), TCPKIT_CONTAINS("the last client has gone (--once): stopping"));
    CHECK_THAT(
        server.err(),
        TCPKIT_CONTAINS("served 3 connection(s) (0 refused), received 4 bytes, sent 4 bytes"));
}

TEST_CASE("echo-server --max-conns refuses connections over the limit and keeps serving",
          "[echo-server]") {
    Process server(echo_server_args({"--max-conns", "1"}));
    auto port = listening_port(server);
    auto first = Socket::connect(port);
    first.send_all("1");
    REQUIRE(first.read_exactly(1) == "1");
    auto second = Socket::connect(port);
    // Refused with a reset, so that clients report an error rather than a normal end.
    pollfd readable{second.fd(), POLLIN, 0};
    REQUIRE(::poll(&readable, 1, static_cast<int>(default_timeout.count())) == 1);
    char byte = 0;
    errno = 0;
    CHECK(::recv(second.fd(), &byte, 1, 0) == -1);
    CHECK(errno == ECONNRESET);
    CHECK_THAT(server.wait_for_stderr_line("refused"),
               TCPKIT_CONTAINS("connection limit of 1 reached"));
    first.send_all("still here");
    REQUIRE(first.read_exactly(10) == "still here");
}

TEST_CASE(
    "echo-server --max-conns-per-ip refuses one address's connection over the limit, and "
    "takes it again once one has gone",
    "[echo-server][limits]") {
    Process server(echo_server_args({"--max-conns-per-ip", "2"}));
    auto port = listening_port(server);
    auto first = Socket::connect(port);
    auto second = Socket::connect(port);
    for (auto* client : {&first, &second}) {
        client->send_all("1");
        REQUIRE(client->read_exactly(1) == "1");
    }
    auto third = Socket::connect(port);
    require_reset(third);
    CHECK_THAT(server.wait_for_stderr_line("refused"),
               TCPKIT_CONTAINS("2 connection(s) from 127.0.0.1 already (--max-conns-per-ip 2)"));

    // Another address has its own count.
    auto elsewhere = Socket::connect_from("127.0.0.2", port);
    elsewhere.send_all("2");
    CHECK(elsewhere.read_exactly(1) == "2");

    first.shutdown_write();
    CHECK(first.read_to_end() == "");
    server.wait_for_stderr_line("disconnected");  // first's: the refused one never connected
    auto again = Socket::connect(port);
    again.send_all("back");
    CHECK(again.read_exactly(4) == "back");
}

TEST_CASE("echo-server stops on SIGTERM: open clients get end-of-stream, summary, exit 0",
          "[echo-server]") {
    Process server(echo_server_args());
    auto client = Socket::connect(listening_port(server));
    client.send_all("abc");
    REQUIRE(client.read_exactly(3) == "abc");
    server.send_signal(SIGTERM);
    REQUIRE(client.wait_closed());
    REQUIRE(server.wait_for_exit() == 0);
    CHECK_THAT(server.err(), TCPKIT_CONTAINS("served 1 connection(s)"));
    CHECK_THAT(server.err(), TCPKIT_CONTAINS("server shutting down"));
}

namespace {

// Fills both directions' buffers without reading, so that the server blocks writing the echo
// to `client` (a send that makes no progress for 500 ms means they are full).
void block_server_writing_to(Socket& client) {
    client.set_receive_buffer(4096);
    std::string chunk(64 * 1024, 'z');
    try {
        for (int i = 0; i < 200; ++i) {
            client.send_all(chunk, std::chrono::milliseconds(500));
        }
    } catch (const std::exception&) {
        // Expected: our send buffer filled up because the server stopped reading.
    }
}

}  // namespace

TEST_CASE("echo-server on SIGINT does not wait forever for a client that never reads",
          "[echo-server]") {
    Process server(echo_server_args());
    auto client = Socket::connect(listening_port(server));
    block_server_writing_to(client);
    server.send_signal(SIGINT);
    // The drain deadline (2s) plus the close grace (1s) bound this; the default timeout is
    // generous.
    REQUIRE(server.wait_for_exit() == 0);
    CHECK_THAT(server.err(), TCPKIT_CONTAINS("still open after 2s"));
}

TEST_CASE("echo-server on a second SIGINT stops at once, without waiting for the drain",
          "[echo-server]") {
    Process server(echo_server_args());
    auto client = Socket::connect(listening_port(server));
    // The server's session outlives the first SIGINT.
    block_server_writing_to(client);
    server.send_signal(SIGINT);
    server.wait_for_stderr_line("interrupted: stopping, letting 1 connection(s) finish");
    // Sent only once the first has been handled, so that the two cannot merge into one.
    server.send_signal(SIGINT);
    CHECK_THAT(server.wait_for_stderr_line("interrupted again"),
               TCPKIT_ENDS_WITH("interrupted again: stopping now"));
    REQUIRE(server.wait_for_exit(std::chrono::seconds(10)) == 0);
    CHECK_THAT(server.err(), !TCPKIT_CONTAINS("still open after"));
}

TEST_CASE("echo-server serves 200 concurrent clients, each getting its own bytes",
          "[echo-server]") {
    auto threads = GENERATE(as<std::string>{}, "1", "2");
    Process server(echo_server_args({"--threads", threads}));
    auto port = listening_port(server);
    std::vector<Socket> clients;
    for (int i = 0; i < 200; ++i) {
        clients.push_back(Socket::connect(port));
    }
    for (int i = 0; i < 200; ++i) {
        clients[i].send_all("client " + std::to_string(i) + " says hello\n");
    }
    for (int i = 0; i < 200; ++i) {
        std::string expected = "client " + std::to_string(i) + " says hello\n";
        REQUIRE(clients[i].read_exactly(expected.size()) == expected);
    }
}

TEST_CASE("echo-server listens on IPv6 ::1", "[echo-server]") {
    Process server({tcpkit_binary(), "echo-server", "--port", "0", "--host", "::1"});
    auto line = server.wait_for_stderr_line("listening on ");
    CHECK_THAT(line, TCPKIT_CONTAINS("listening on [::1]:"));
    auto client = Socket::connect(listening_port(server), true);
    client.send_all("six");
    REQUIRE(client.read_exactly(3) == "six");
}

TEST_CASE("echo-server --host localhost --port 0 listens on each address, all on one port",
          "[echo-server][localhost]") {
    TwoAddressLocalhost localhost;
    if (!localhost.shortfall().empty()) {
        WARN("only partly tested: " << localhost.shortfall());
    }
    Process server(
        localhost.run({tcpkit_binary(), "echo-server", "--host", "localhost", "--port", "0"}));
    auto port = listening_port(server);
    for (const auto& address : localhost.addresses()) {
        std::string shown = address.find(':') == std::string::npos ? address : "[" + address + "]";
        CHECK_THAT(server.wait_for_stderr_line("listening on " + shown + ":"),
                   TCPKIT_ENDS_WITH("listening on " + shown + ":" + std::to_string(port)));
        auto client = Socket::connect(port, address == "::1");
        client.send_all(address);
        CHECK(client.read_exactly(address.size()) == address);
    }
    // Served, so past the listening lines, which all come first: no others.
    std::size_t lines = 0;
    for (std::size_t at = 0; (at = server.err().find("listening on ", at)) != std::string::npos;
         ++at) {
        ++lines;
    }
    CHECK(lines == localhost.addresses().size());
}

TEST_CASE("echo-server reports a port in use with exit status 1", "[echo-server]") {
    Process first(echo_server_args());
    auto port = listening_port(first);
    Process second(
        {tcpkit_binary(), "echo-server", "--host", "127.0.0.1", "--port", std::to_string(port)});
    REQUIRE(second.wait_for_exit() == 1);
    CHECK_THAT(second.err(), TCPKIT_CONTAINS("cannot listen on 127.0.0.1:" + std::to_string(port) +
                                             ": address already in use"));
}

TEST_CASE("echo-server survives a client that resets mid-stream", "[echo-server]") {
    Process server(echo_server_args());
    auto port = listening_port(server);
    {
        auto rude = Socket::connect(port);
        rude.send_all(std::string(100000, 'r'));
        server.wait_for_stderr_line("connection from");
        rude.reset();
    }
    server.wait_for_stderr_line("disconnected");
    auto polite = Socket::connect(port);
    polite.send_all("ok");
    REQUIRE(polite.read_exactly(2) == "ok");
}

TEST_CASE("echo-server keeps accepting after running out of file descriptors", "[echo-server]") {
    ProcessOptions options;
    options.open_file_limit = 24;
    Process server(echo_server_args(), options);
    auto port = listening_port(server);
    std::vector<Socket> clients;
    for (int i = 0; i < 40; ++i) {
        clients.push_back(
            Socket::connect(port));  // the kernel completes handshakes into the backlog
    }
    server.wait_for_stderr_line("cannot accept: too many open files");
    clients.clear();
    auto late = Socket::connect(port);
    late.send_all("back");
    REQUIRE(late.read_exactly(4) == "back");
    REQUIRE(server.running());
}

TEST_CASE("echo-server --udp echoes datagrams", "[echo-server]") {
    Process server(echo_server_args({"--udp"}));
    auto line = server.wait_for_stderr_line("listening on ");
    CHECK_THAT(line, TCPKIT_CONTAINS("(udp)"));
    auto port = listening_port(server);
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    Socket udp(fd);
    std::string datagram = "datagram\x00with nul";
    REQUIRE(::send(fd, datagram.data(), datagram.size(), 0) ==
            static_cast<ssize_t>(datagram.size()));
    REQUIRE(udp.read_exactly(datagram.size()) == datagram);
}

TEST_CASE("echo-server --log-format json writes one JSON object per line", "[echo-server]") {
    Process server(echo_server_args({"--log-format", "json", "--once"}));
    auto line = server.wait_for_stderr_line("listening on");
    CHECK(line.front() == '{');
    CHECK(line.back() == '}');
    CHECK_THAT(line, TCPKIT_CONTAINS("\"message\":\"listening on 127.0.0.1:"));
    { auto client = Socket::connect(listening_port(server)); }
    REQUIRE(server.wait_for_exit() == 0);
    std::size_t start = 0;
    while (start < server.err().size()) {
        std::size_t end = server.err().find('\n', start);
        REQUIRE(end != std::string::npos);
        std::string each = server.err().substr(start, end - start);
        CHECK(each.rfind("{\"time\":\"", 0) == 0);
        CHECK(each.back() == '}');
        start = end + 1;
    }
}

TEST_CASE("echo-server -q keeps the listening line and hides connection logs", "[echo-server]") {
    Process server(echo_server_args({"-q", "--once"}));
    auto port = listening_port(server);
    {
        auto client = Socket::connect(port);
        client.send_all("q");
        REQUIRE(client.read_exactly(1) == "q");
    }
    REQUIRE(server.wait_for_exit() == 0);
    CHECK(server.err().find("connection from") == std::string::npos);
}

namespace {

std::uint16_t local_port(const Socket& socket) {
    sockaddr_in address{};
    socklen_t size = sizeof address;
    REQUIRE(::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &size) == 0);
    return ntohs(address.sin_port);
}

// A UDP socket bound to `source` (a loopback address) and connected to 127.0.0.1:`port`.
Socket udp_client_from(const std::string& source, std::uint16_t port) {
    Socket socket(static_cast<int>(::socket(AF_INET, SOCK_DGRAM, 0)));
    sockaddr_in local{};
    local.sin_family = AF_INET;
    REQUIRE(::inet_pton(AF_INET, source.c_str(), &local.sin_addr) == 1);
    REQUIRE(::bind(socket.fd(), reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    return socket;
}

void send_datagram(Socket& socket, const std::string& datagram) {
    REQUIRE(::send(socket.fd(), datagram.data(), datagram.size(), 0) ==
            static_cast<ssize_t>(datagram.size()));
}

}  // namespace

TEST_CASE("echo-server --deny 127.0.0.1 resets 127.0.0.1 clients, logs them, serves ::1",
          "[echo-server][access]") {
    ServerOnBothFamilies both("echo-server", {"--deny", "127.0.0.1"});
    Process& server = both.process;
    auto port = both.port;
    bool has_ipv6 = both.has_ipv6;
    if (!has_ipv6) {
        WARN("no ::1 here: only the refusal of 127.0.0.1 is tested");
    }
    auto refused = Socket::connect(port);
    std::string expected = "refused 127.0.0.1:" + std::to_string(local_port(refused)) +
                           ": not allowed by --allow/--deny";
    require_reset(refused);
    CHECK_THAT(server.wait_for_stderr_line("refused 127.0.0.1:"), TCPKIT_ENDS_WITH(expected));
    CHECK_THAT(server.wait_for_stderr_line("refused 127.0.0.1:"), TCPKIT_CONTAINS(" info "));
    if (has_ipv6) {
        auto served = Socket::connect(port, true);
        served.send_all("over ipv6");
        REQUIRE(served.read_exactly(9) == "over ipv6");
        server.wait_for_stderr_line("connection from [::1]:");
    }
    CHECK(server.err().find("connection from 127.0.0.1") == std::string::npos);
}

TEST_CASE("echo-server --allow 127.0.0.2 serves only 127.0.0.2, and counts the refused",
          "[echo-server][access]") {
    Process server(echo_server_args({"--allow", "127.0.0.2", "--once"}));
    auto port = listening_port(server);
    auto refused = Socket::connect(port);  // from 127.0.0.1
    require_reset(refused);
    server.wait_for_stderr_line("refused 127.0.0.1:");
    {
        auto allowed = Socket::connect_from("127.0.0.2", port);
        allowed.send_all("allowed");
        REQUIRE(allowed.read_exactly(7) == "allowed");
        server.wait_for_stderr_line("connection from 127.0.0.2:");
    }
    // The refused one did not count as --once's client: the allowed one's leaving ends it.
    REQUIRE(server.wait_for_exit() == 0);
    CHECK_THAT(
        server.err(),
        TCPKIT_CONTAINS("served 1 connection(s) (1 refused), received 7 bytes, sent 7 bytes"));
}

TEST_CASE("echo-server --allow takes comma-separated lists and prefixes, --deny carves holes",
          "[echo-server][access]") {
    Process server(
        echo_server_args({"--allow", "10.0.0.0/8,127.0.0.0/29", "--deny", "127.0.0.1,127.0.0.3"}));
    auto port = listening_port(server);
    for (std::string source : {"127.0.0.1", "127.0.0.3"}) {
        auto refused = Socket::connect_from(source, port);
        require_reset(refused);
        server.wait_for_stderr_line("refused " + source + ":");
    }
    auto outside = Socket::connect_from("127.0.0.9", port);  // not in 127.0.0.0/29
    require_reset(outside);
    server.wait_for_stderr_line("refused 127.0.0.9:");
    auto inside = Socket::connect_from("127.0.0.7", port);
    inside.send_all("in");
    REQUIRE(inside.read_exactly(2) == "in");
}

TEST_CASE("echo-server --udp --deny drops the refused peer's datagrams, logging it once",
          "[echo-server][access]") {
    Process server(echo_server_args({"--udp", "--deny", "127.0.0.1", "-v"}));
    auto port = listening_port(server);
    auto refused = udp_client_from("127.0.0.1", port);
    auto allowed = udp_client_from("127.0.0.2", port);
    send_datagram(refused, "first");
    send_datagram(refused, "second");
    // One socket, one thread, taken in order: once the allowed datagram's echo is back, the
    // refused ones have been handled, and a reply to them would already be in `refused`.
    send_datagram(allowed, "allowed");
    REQUIRE(allowed.read_exactly(7) == "allowed");
    pollfd readable{refused.fd(), POLLIN, 0};
    CHECK(::poll(&readable, 1, 0) == 0);
    CHECK_THAT(server.wait_for_stderr_line("refused datagrams from"),
               TCPKIT_ENDS_WITH("refused datagrams from 127.0.0.1: not allowed by --allow/--deny"));
    std::size_t logged = 0;
    for (std::size_t at = 0; (at = server.err().find("refused datagrams", at)) != std::string::npos;
         ++at) {
        ++logged;
    }
    CHECK(logged == 1);
    CHECK(server.err().find("datagram from 127.0.0.1") == std::string::npos);
}
