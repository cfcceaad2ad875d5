// End-to-end: the real `tcpkit send`, the tutorial's write-a-message-and-print-the-reply client.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>

#include "catch.h"
#include "loopback.h"
#include "process.h"

using namespace tcpkit::test;

namespace {

struct EchoServer {
    Process process{{tcpkit_binary(), "echo-server", "--port", "0", "--host", "127.0.0.1"}};
    std::uint16_t port = listening_port(process);
};

std::vector<std::string> send_args(std::uint16_t port, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {tcpkit_binary(), "send", "localhost", std::to_string(port)};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

}  // namespace

TEST_CASE("send prints the echo-server's reply and exits 0 without waiting for a timeout",
          "[send]") {
    EchoServer echo;
    // With a timeout far beyond the test's own deadline, only the server's close can end it.
    Process client(send_args(echo.port, {"--timeout", "1h", "hello"}));
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "hello\n");
    CHECK(client.err().empty());
}

TEST_CASE("send joins its TEXT arguments with spaces and -n leaves out the newline", "[send]") {
    EchoServer echo;
    Process joined(send_args(echo.port, {"one", "two", "three"}));
    REQUIRE(joined.wait_for_exit() == 0);
    CHECK(joined.out() == "one two three\n");
    Process bare(send_args(echo.port, {"-n", "OK"}));
    REQUIRE(bare.wait_for_exit() == 0);
    CHECK(bare.out() == "OK");
}

TEST_CASE("send --file sends a file's bytes", "[send]") {
    EchoServer echo;
    char name[] = "/tmp/tcpkit-send-XXXXXX";
    int fd = ::mkstemp(name);
    std::string content = "line 1\nline 2\n\x00\xff binary";
    REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    ::close(fd);
    Process client(send_args(echo.port, {"--file", name}));
    REQUIRE(client.wait_for_exit() == 0);
    std::remove(name);
    CHECK(client.out() == content);
}

TEST_CASE("send reads standard input when no TEXT is given", "[send]") {
    EchoServer echo;
    Process client(send_args(echo.port));
    client.write_stdin("from stdin\n");
    client.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "from stdin\n");
}

TEST_CASE("send --lines N stops after N reply lines", "[send]") {
    ScriptedServer server([](Socket& peer) {
        peer.read_exactly(4);
        peer.send_all("first\nsecond\n");
        peer.wait_closed();
    });
    Process client(send_args(server.port(), {"--lines", "1", "ask"}));
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "first\n");
}

TEST_CASE("send --timeout expires with exit 1, a message, and what arrived printed", "[send]") {
    ScriptedServer server([](Socket& peer) {
        peer.send_all("partial");
        peer.wait_closed();
    });
    Process client(send_args(server.port(), {"--timeout", "300ms", "--no-shutdown", "x"}));
    REQUIRE(client.wait_for_exit() == 1);
    CHECK(client.out() == "partial");
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("timed out after 300ms"));
}

TEST_CASE("send --no-shutdown keeps the sending side open while the server answers", "[send]") {
    std::atomic<bool> saw_end_of_stream_early{false};
    ScriptedServer server([&](Socket& peer) {
        std::string request = peer.read_exactly(6);
        // A server that gives up on end-of-input: it must not see one before answering.
        saw_end_of_stream_early = peer.wait_closed(std::chrono::milliseconds(200));
        peer.send_all("answer\n");
    });
    Process client(send_args(server.port(), {"--no-shutdown", "hello"}));
    REQUIRE(client.wait_for_exit() == 0);
    server.join();
    CHECK_FALSE(saw_end_of_stream_early);
    CHECK(client.out() == "answer\n");
}

TEST_CASE("send to a port nobody listens on fails with exit 1", "[send]") {
    Process client(send_args(unused_port(), {"hello"}));
    REQUIRE(client.wait_for_exit() == 1);
    CHECK_THAT(client.err(), TCPKIT_CONTAINS("connection refused"));
}
