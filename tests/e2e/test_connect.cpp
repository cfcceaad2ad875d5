// End-to-end: the real `tcpkit connect` between a pipe or file and a loopback server.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "catch.h"
#include "isolation.h"
#include "loopback.h"
#include "process.h"
#include "temp_file.h"
#include "two_address_localhost.h"

using namespace tcpkit::test;

namespace {

struct EchoServer {
    Process process{{tcpkit_binary(), "echo-server", "--port", "0", "--host", "127.0.0.1"}};
    std::uint16_t port = listening_port(process);
    std::string port_text() const { return std::to_string(port); }
};

std::vector<std::string> connect_args(std::uint16_t port, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {tcpkit_binary(), "connect", "127.0.0.1", std::to_string(port)};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

}  // namespace

TEST_CASE("connect sends stdin, prints the reply, half-closes at end of input, exits 0",
          "[connect]") {
    EchoServer echo;
    Process client(connect_args(echo.port));
    client.write_stdin("hello\nworld\n");
    client.wait_for_stdout(12);
    client.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "hello\nworld\n");
    CHECK(client.err().empty());
}

TEST_CASE("connect moves 256 MiB through an echo-server and back unchanged, in bounded memory",
          "[connect][bulk]") {
    EchoServer echo;
    TempFile input;
    TempFile output;
    constexpr std::size_t total = 256u << 20;
    write_random_file(input.path, total);
    ProcessOptions options;
    options.stdin_file = input.path;
    options.stdout_file = output.path;
    Process client(connect_args(echo.port), options);
    REQUIRE(client.wait_for_exit(std::chrono::minutes(5)) == 0);
#ifndef TCPKIT_SANITIZED
    // Constant memory: nothing like the 256 MiB that went through. (Under AddressSanitizer the
    // quarantine of freed memory makes RSS meaningless, so only the normal build checks it.)
    CHECK(client.max_rss_kib() < 64 * 1024);
#endif

    require_same_contents(input.path, output.path, total);
}

TEST_CASE("connect exits at once when the server closes first, though stdin is still open",
          "[connect]") {
    ScriptedServer server([](Socket& peer) { peer.send_all("bye\n"); });
    Process client(connect_args(server.port(), {"-v"}));
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "bye\n");
    CHECK_THAT(client.err(),
               TCPKIT_CONTAINS("connected to 127.0.0.1:" + std::to_string(server.port())));
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("connection closed by peer"));
}

TEST_CASE("connect keeps printing after its input ends until the server closes", "[connect]") {
    // The server reads to end-of-stream and only then answers: the four-step close.
    ScriptedServer server([](Socket& peer) {
        std::string request = peer.read_to_end();
        peer.send_all("got " + std::to_string(request.size()) + " bytes\n");
    });
    Process client(connect_args(server.port()));
    client.write_stdin("12345");
    client.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "got 5 bytes\n");
}

TEST_CASE("connect reports a refused connection with exit status 1", "[connect]") {
    Process client(connect_args(unused_port()));
    REQUIRE(client.wait_for_exit() == 1);
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("connection refused"));
    CHECK(std::count(client.err().begin(), client.err().end(), '\n') == 1);
    CHECK(client.out().empty());
}

TEST_CASE("connect reports an unresolvable host with exit status 1", "[connect]") {
    Process client({tcpkit_binary(), "connect", "no-such-host.invalid", "80"});
    REQUIRE(client.wait_for_exit() == 1);
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("cannot resolve 'no-such-host.invalid'"));
}

TEST_CASE("connect reports a reset connection with exit status 1", "[connect]") {
    ScriptedServer server([](Socket& peer) {
        peer.read_exactly(5);
        peer.reset();
    });
    Process client(connect_args(server.port()));
    client.write_stdin("hello");
    REQUIRE(client.wait_for_exit() == 1);
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("connection reset by peer"));
}

TEST_CASE("connect --connect-timeout gives up on a server that does not answer", "[connect]") {
    // A listener that never accepts, with its accept queue full: further SYNs go unanswered.
    Socket listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(listener.fd(), reinterpret_cast<sockaddr*>(&address), length) == 0);
    REQUIRE(::listen(listener.fd(), 0) == 0);
    REQUIRE(::getsockname(listener.fd(), reinterpret_cast<sockaddr*>(&address), &length) == 0);
    std::vector<Socket> queued;
    for (int i = 0; i < 4; ++i) {
        queued.emplace_back(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        ::connect(queued.back().fd(), reinterpret_cast<sockaddr*>(&address), length);
    }
    Process client(connect_args(ntohs(address.sin_port), {"--connect-timeout", "300ms"}));
    REQUIRE(client.wait_for_exit() == 1);
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("timed out after 300ms"));
}

namespace {

// Runs `command` after binding a UDP socket to 127.0.0.1:53 that the command inherits and never
// reads: a nameserver that neither answers nor refuses (a closed port would refuse at once).
std::vector<std::string> with_silent_nameserver(std::vector<std::string> command) {
    std::vector<std::string> args = {"python3", "-c",
                                     "import os, socket, sys\n"
                                     "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                                     "s.bind(('127.0.0.1', 53))\n"
                                     "os.set_inheritable(s.fileno(), True)\n"
                                     "os.execvp(sys.argv[1], sys.argv[1:])\n"};
    args.insert(args.end(), command.begin(), command.end());
    return args;
}

}  // namespace

// Left alone, getaddrinfo blocks for as long as the system resolver likes (here 5 tries of
// 30 s), and SIGINT cannot end it: tcpkit resolves on a thread it abandons at the deadline.
TEST_CASE("connect --connect-timeout bounds name resolution too", "[connect][dns-deadline]") {
    // A network of tcpkit's own, whose only nameserver is the silent one, and a name in no
    // hosts file: resolving it hangs, deterministically, touching nothing outside.
    Isolation isolation(
        {"127.0.0.1 localhost\n", "nameserver 127.0.0.1\noptions timeout:30 attempts:5\n", true});
    std::string why_not = isolation.why_unavailable(with_silent_nameserver({"true"}));
    if (!why_not.empty()) {
        WARN("skipped: no private network and resolver here: " << why_not);
        return;
    }
    Process client(isolation.wrap(with_silent_nameserver(
        {tcpkit_binary(), "connect", "--connect-timeout", "1s", "hangs.tcpkit.test", "80"})));
    REQUIRE(client.wait_for_exit(std::chrono::seconds(10)) == 1);
    CHECK(std::count(client.err().begin(), client.err().end(), '\n') == 1);
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("timed out"));
    bool says_what_failed = client.err().find("cannot resolve") != std::string::npos ||
                            client.err().find("cannot connect") != std::string::npos;
    CHECK(says_what_failed);
    CHECK(client.out().empty());
}

TEST_CASE("connect --crlf sends line ends as CRLF", "[connect]") {
    EchoServer echo;
    Process client(connect_args(echo.port, {"--crlf"}));
    client.write_stdin("a\nb\r\nc\n");
    client.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "a\r\nb\r\nc\r\n");
}

TEST_CASE("connect --hex dumps both directions to stderr and only data to stdout", "[connect]") {
    EchoServer echo;
    Process client(connect_args(echo.port, {"--hex"}));
    client.write_stdin("hello\n");
    client.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "hello\n");
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("> 00000000  68 65 6c 6c 6f 0a"));
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("< 00000000  68 65 6c 6c 6f 0a"));
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("|hello.|"));
}

TEST_CASE("connect --idle-timeout gives up on a silent server with exit status 1", "[connect]") {
    ScriptedServer server([](Socket& peer) { peer.wait_closed(); });
    Process client(connect_args(server.port(), {"--idle-timeout", "300ms"}));
    REQUIRE(client.wait_for_exit() == 1);
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("idle timeout: nothing sent or received for 300ms"));
}

TEST_CASE("connect --udp sends a datagram and prints the reply", "[connect]") {
    Process server({tcpkit_binary(), "echo-server", "--udp", "--port", "0", "--host", "127.0.0.1"});
    auto port = listening_port(server);
    Process client(connect_args(port, {"--udp"}));
    client.write_stdin("ping");
    client.wait_for_stdout(4);
    client.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "ping");
}

TEST_CASE("connect -6 to an IPv4-only listener fails, -4 succeeds", "[connect]") {
    EchoServer echo;
    Process v6({tcpkit_binary(), "connect", "-6", "::1", echo.port_text()});
    REQUIRE(v6.wait_for_exit() == 1);
    CHECK_THAT(v6.err(), TCPKIT_CONTAINS("connection refused"));

    Process v4({tcpkit_binary(), "connect", "-4", "localhost", echo.port_text()});
    v4.write_stdin("four\n");
    v4.close_stdin();
    REQUIRE(v4.wait_for_exit() == 0);
    CHECK(v4.out() == "four\n");
}

TEST_CASE("connect tries a name's next address when one refuses", "[connect][localhost]") {
    // localhost is 127.0.0.1 and ::1, in the order the resolver likes. With a server on one
    // address only, whichever comes first refuses for one of the two servers.
    TwoAddressLocalhost localhost;
    if (!localhost.shortfall().empty()) {
        WARN("only partly tested: " << localhost.shortfall());
    }
    for (const auto& address : localhost.addresses()) {
        INFO("an echo-server on " << address << " only");
        Process server({tcpkit_binary(), "echo-server", "--port", "0", "--host", address});
        auto port = std::to_string(listening_port(server));
        Process client(localhost.run({tcpkit_binary(), "connect", "-v", "localhost", port}));
        client.write_stdin("via " + address + "\n");
        client.close_stdin();
        REQUIRE(client.wait_for_exit() == 0);
        CHECK(client.out() == "via " + address + "\n");
        std::string shown = address.find(':') == std::string::npos ? address : "[" + address + "]";
        CHECK_THAT(client.err(), TCPKIT_CONTAINS("connected to " + shown + ":" + port));
    }
}

TEST_CASE("connect ends cleanly on SIGINT", "[connect]") {
    EchoServer echo;
    Process client(connect_args(echo.port));
    client.write_stdin("x");
    client.wait_for_stdout(1);
    client.send_signal(SIGINT);
    REQUIRE(client.wait_for_exit() == 130);
}
