// End-to-end: the real `tcpkit listen`, with the test's own sockets, tcpkit connect, nc and ncat
// as its clients, and nc -l as the server of tcpkit connect.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "catch.h"
#include "listening.h"
#include "loopback.h"
#include "process.h"
#include "temp_file.h"

using namespace tcpkit::test;

namespace {

// The process id in `PEER: started process PID (PROGRAM)`.
int started_pid(Process& server) {
    std::string line = server.wait_for_stderr_line("started process ");
    std::smatch match;
    REQUIRE(std::regex_search(line, match, std::regex("started process ([0-9]+)")));
    return std::stoi(match[1]);
}

bool process_exists(int pid) {
    return std::filesystem::exists("/proc/" + std::to_string(pid));
}

std::size_t open_descriptors(int pid) {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        ++count;
    }
    return count;
}

bool command_exists(const std::string& name) {
    return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

TEST_CASE("listen moves 256 MiB each way between tcpkit connect and itself, in bounded memory",
          "[listen][bulk]") {
    constexpr std::size_t total = 256u << 20;
    TempFile input;
    TempFile output;
    write_random_file(input.path, total);
    SECTION("from listen's stdin to connect's stdout") {
        ProcessOptions listen_io;
        listen_io.stdin_file = input.path;
        Listening listen({}, listen_io);
        ProcessOptions connect_io;
        connect_io.stdout_file = output.path;
        Process client({tcpkit_binary(), "connect", "127.0.0.1", listen.port_text()}, connect_io);
        // connect's stdin stays open, as a terminal would: were it to end, connect would
        // half-close, and listen would take that as its client closing first and stop.
        REQUIRE(listen.process.wait_for_exit(std::chrono::minutes(5)) == 0);
        REQUIRE(client.wait_for_exit(std::chrono::minutes(5)) == 0);
#ifndef TCPKIT_SANITIZED
        CHECK(listen.process.max_rss_kib() < 64 * 1024);
#endif
    }
    SECTION("from connect's stdin to listen's stdout") {
        ProcessOptions listen_io;
        listen_io.stdout_file = output.path;
        Listening listen({}, listen_io);  // its stdin stays open until connect is done
        ProcessOptions connect_io;
        connect_io.stdin_file = input.path;
        Process client({tcpkit_binary(), "connect", "127.0.0.1", listen.port_text()}, connect_io);
        REQUIRE(client.wait_for_exit(std::chrono::minutes(5)) == 0);
        REQUIRE(listen.process.wait_for_exit(std::chrono::minutes(5)) == 0);
#ifndef TCPKIT_SANITIZED
        CHECK(listen.process.max_rss_kib() < 64 * 1024);
#endif
    }
    require_same_contents(input.path, output.path, total);
}

TEST_CASE("listen -k: standard input reaches three clients at once, and all three reach stdout",
          "[listen]") {
    Listening listen({"-k"});
    std::vector<Socket> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(Socket::connect(listen.port));
    }
    listen.process.wait_for_stderr_count("connection from", 3);
    listen.process.write_stdin("to everyone\n");
    for (auto& client : clients) {
        CHECK(client.read_exactly(12) == "to everyone\n");
    }
    clients[0].send_all("from 0\n");
    listen.process.wait_for_stdout(7);
    clients[1].send_all("from 1\n");
    listen.process.wait_for_stdout(14);
    clients[2].send_all("from 2\n");
    listen.process.wait_for_stdout(21);
    CHECK(listen.process.out() == "from 0\nfrom 1\nfrom 2\n");
    // The end of input half-closes them all.
    listen.process.close_stdin();
    for (auto& client : clients) {
        CHECK(client.read_to_end().empty());
    }
    listen.process.send_signal(SIGTERM);
    int status = listen.process.wait_for_exit();
    INFO(listen.process.err());
    REQUIRE(status == 0);
}

TEST_CASE("listen --exec cat echoes each connection through its own program", "[listen][exec]") {
    Listening listen({"-k", "--exec", "cat"});
    Socket first = Socket::connect(listen.port);
    Socket second = Socket::connect(listen.port);
    first.send_all("first\n");
    second.send_all("second\n");
    CHECK(first.read_exactly(6) == "first\n");
    CHECK(second.read_exactly(7) == "second\n");
    // The client's end of input closes cat's stdin; cat exits; the connection ends.
    first.shutdown_write();
    CHECK(first.read_to_end().empty());
    CHECK_THAT(listen.process.wait_for_stderr_line("exited with status 0"),
               TCPKIT_CONTAINS("(cat) exited with status 0"));
    second.shutdown_write();
    CHECK(second.read_to_end().empty());
    listen.process.send_signal(SIGTERM);
    REQUIRE(listen.process.wait_for_exit() == 0);
}

TEST_CASE("listen --exec takes the program's arguments after --, without a shell",
          "[listen][exec]") {
    Listening listen({"--exec", "--", "printf", "%s|%s", "two words", "$HOME"});
    Socket client = Socket::connect(listen.port);
    CHECK(client.read_to_end() == "two words|$HOME");
    REQUIRE(listen.process.wait_for_exit() == 0);  // without -k: one connection
}

TEST_CASE("listen --sh-exec runs a shell command and gives it the connection's addresses",
          "[listen][exec]") {
    Listening listen({"--sh-exec",
                      "echo $TCPKIT_PEER_ADDR $TCPKIT_PEER_PORT $TCPKIT_LOCAL_ADDR "
                      "$TCPKIT_LOCAL_PORT"});
    Socket client = Socket::connect(listen.port);
    sockaddr_in local{};
    socklen_t length = sizeof local;
    ::getsockname(client.fd(), reinterpret_cast<sockaddr*>(&local), &length);
    CHECK(client.read_to_end() == "127.0.0.1 " + std::to_string(ntohs(local.sin_port)) +
                                      " 127.0.0.1 " + listen.port_text() + "\n");
    REQUIRE(listen.process.wait_for_exit() == 0);
}

TEST_CASE("listen --exec: a program that exits early ends the connection after its output",
          "[listen][exec]") {
    Listening listen({"-k", "--sh-exec", "head -c 3; echo ' done'"});
    Socket client = Socket::connect(listen.port);
    client.send_all("abcdef");  // more than the program reads
    CHECK(client.read_to_end() == "abc done\n");
    listen.process.send_signal(SIGTERM);
    REQUIRE(listen.process.wait_for_exit() == 0);
}

TEST_CASE("listen --exec: a program that never reads is ended when its client goes",
          "[listen][exec]") {
    Listening listen({"-k", "--exec", "--", "sleep", "60"});
    int pid = 0;
    {
        Socket client = Socket::connect(listen.port);
        pid = started_pid(listen.process);
        client.send_all(std::string(1 << 20, 'x'), std::chrono::milliseconds(200));
        client.reset();
    }
    listen.process.wait_for_stderr_line("killed by signal 15");
    CHECK_FALSE(process_exists(pid));  // ended and reaped: no zombie
    listen.process.send_signal(SIGTERM);
    REQUIRE(listen.process.wait_for_exit() == 0);
}

TEST_CASE("listen --exec: the child holds no descriptor but its three, and none leaks",
          "[listen][exec][descriptors]") {
    Listening listen({"-k", "--exec", "--", "ls", "/proc/self/fd"});
    std::size_t baseline = open_descriptors(listen.process.pid());
    Socket other = Socket::connect(listen.port);  // another connection the child must not hold
    for (int i = 0; i < 3; ++i) {
        Socket client = Socket::connect(listen.port);
        // 0, 1, 2, and the directory ls is reading.
        CHECK(client.read_to_end() == "0\n1\n2\n3\n");
    }
    other.close();
    listen.process.send_signal(SIGTERM);
    listen.process.wait_for_stderr_line("served 4 connection(s)");
    REQUIRE(listen.process.wait_for_exit() == 0);
    CHECK(baseline > 0);
}

TEST_CASE("listen --exec returns to its descriptors after many connections",
          "[listen][exec][descriptors]") {
    Listening listen({"-k", "--exec", "cat"});
    Socket probe = Socket::connect(listen.port);  // warm-up: the first connection's lazies
    probe.send_all("x");
    CHECK(probe.read_exactly(1) == "x");
    probe.shutdown_write();
    probe.read_to_end();
    listen.process.wait_for_stderr_line("exited with status 0");
    std::size_t baseline = open_descriptors(listen.process.pid());
    for (int i = 0; i < 20; ++i) {
        Socket client = Socket::connect(listen.port);
        client.send_all("y");
        CHECK(client.read_exactly(1) == "y");
        client.shutdown_write();
        client.read_to_end();
    }
    listen.process.send_signal(SIGTERM);
    listen.process.wait_for_stderr_line("served 21 connection(s)");
    CHECK(open_descriptors(listen.process.pid()) <= baseline);
    REQUIRE(listen.process.wait_for_exit() == 0);
}

TEST_CASE("listen --exec --idle-timeout ends a silent connection and its program",
          "[listen][exec]") {
    Listening listen({"-k", "--idle-timeout", "300ms", "--exec", "cat"});
    Socket client = Socket::connect(listen.port);
    int pid = started_pid(listen.process);
    CHECK(client.read_to_end().empty());  // closed by the server when idle
    listen.process.wait_for_stderr_line("killed by signal 15");
    CHECK_FALSE(process_exists(pid));
    listen.process.send_signal(SIGTERM);
    REQUIRE(listen.process.wait_for_exit() == 0);
}

TEST_CASE("listen --exec on SIGTERM ends its programs, SIGKILL for one that ignores SIGTERM",
          "[listen][exec]") {
    Listening listen({"-k", "--sh-exec", "trap '' TERM; while :; do sleep 1; done"});
    Socket client = Socket::connect(listen.port);
    int pid = started_pid(listen.process);
    listen.process.send_signal(SIGTERM);
    // The drain (2s), then SIGTERM, ignored, then SIGKILL 2s later, or the server's exit.
    REQUIRE(listen.process.wait_for_exit() == 0);
    CHECK_FALSE(process_exists(pid));
}

TEST_CASE("listen --exec-stderr socket sends the program's stderr to the client",
          "[listen][exec]") {
    SECTION("socket") {
        Listening listen({"--exec-stderr", "socket", "--sh-exec", "echo out; echo err >&2"});
        Socket client = Socket::connect(listen.port);
        CHECK(client.read_to_end() == "out\nerr\n");
        REQUIRE(listen.process.wait_for_exit() == 0);
    }
    SECTION("server (the default)") {
        Listening listen({"--sh-exec", "echo out; echo err >&2"});
        Socket client = Socket::connect(listen.port);
        CHECK(client.read_to_end() == "out\n");
        REQUIRE(listen.process.wait_for_exit() == 0);
        CHECK_THAT(listen.process.err(), TCPKIT_CONTAINS("err\n"));
    }
}

TEST_CASE("listen --exec --max-conns bounds the programs running at once", "[listen][exec]") {
    Listening listen({"-k", "--max-conns", "1", "--exec", "cat"});
    Socket first = Socket::connect(listen.port);
    first.send_all("1");
    CHECK(first.read_exactly(1) == "1");
    Socket second = Socket::connect(listen.port);
    CHECK(second.wait_closed());  // reset at once
    CHECK_THAT(listen.process.wait_for_stderr_line("refused"),
               TCPKIT_CONTAINS("connection limit of 1 reached"));
    listen.process.send_signal(SIGTERM);
    REQUIRE(listen.process.wait_for_exit() == 0);
}

TEST_CASE("listen -k --max-conns-per-ip: one address cannot take every program slot",
          "[listen][exec][limits]") {
    Listening listen({"-k", "--max-conns", "3", "--max-conns-per-ip", "1", "--exec", "cat"});
    Socket first = Socket::connect_from("127.0.0.1", listen.port);
    first.send_all("1");
    CHECK(first.read_exactly(1) == "1");
    Socket second = Socket::connect_from("127.0.0.1", listen.port);
    CHECK(second.wait_closed());  // reset at once
    CHECK_THAT(listen.process.wait_for_stderr_line("refused"),
               TCPKIT_CONTAINS("1 connection(s) from 127.0.0.1 already (--max-conns-per-ip 1)"));
    Socket other = Socket::connect_from("127.0.0.2", listen.port);
    other.send_all("2");
    CHECK(other.read_exactly(1) == "2");
    listen.process.send_signal(SIGTERM);
    REQUIRE(listen.process.wait_for_exit() == 0);
}

TEST_CASE("listen --deny refuses a peer and goes on listening for an allowed one", "[listen]") {
    Listening listen({"--deny", "127.0.0.1"});
    Socket refused = Socket::connect_from("127.0.0.1", listen.port);
    CHECK(refused.wait_closed());
    listen.process.wait_for_stderr_line("not allowed by --allow/--deny");
    Socket allowed = Socket::connect_from("127.0.0.2", listen.port);
    allowed.send_all("allowed");
    allowed.shutdown_write();
    REQUIRE(listen.process.wait_for_exit() == 0);
    CHECK(listen.process.out() == "allowed");
}

TEST_CASE("listen --tls serves one TLS connection to tcpkit connect --tls --pin", "[listen]") {
    Listening listen({"--tls"});
    std::string line = listen.process.wait_for_stderr_line("tls certificate sha256:");
    std::string pin = line.substr(line.find("sha256:"));
    Process client(
        {tcpkit_binary(), "connect", "--tls", "--pin", pin, "127.0.0.1", listen.port_text()});
    client.write_stdin("secret\n");
    listen.process.wait_for_stdout(7);
    listen.process.write_stdin("reply\n");
    client.wait_for_stdout(6);
    client.close_stdin();
    listen.process.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    REQUIRE(listen.process.wait_for_exit() == 0);
    CHECK(listen.process.out() == "secret\n");
    CHECK(client.out() == "reply\n");
}

TEST_CASE("listen -u prints datagrams and sends its input lines back to the last sender",
          "[listen]") {
    Process listen({tcpkit_binary(), "listen", "-u", "127.0.0.1", "0"});
    std::uint16_t port = listening_port(listen);
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    Socket owner(fd);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    REQUIRE(::send(fd, "ping\n", 5, 0) == 5);
    listen.wait_for_stdout(5);
    listen.write_stdin("line one\nline two\n");
    timeval wait{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    char buffer[100];
    ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    REQUIRE(got == 9);
    CHECK(std::string(buffer, 9) == "line one\n");
    got = ::recv(fd, buffer, sizeof buffer, 0);
    REQUIRE(got == 9);
    CHECK(std::string(buffer, 9) == "line two\n");
    listen.send_signal(SIGINT);
    CHECK(listen.wait_for_exit() == 130);
    CHECK(listen.out() == "ping\n");
}

TEST_CASE("listen works with nc and ncat as its clients", "[listen][peers]") {
    for (const std::string peer : {"nc", "ncat"}) {
        if (!command_exists(peer)) {
            WARN(peer + " is not installed: skipped");
            continue;
        }
        Listening listen;
        listen.process.write_stdin("from tcpkit\n");
        listen.process.close_stdin();
        std::vector<std::string> args =
            peer == "nc"
                ? std::vector<std::string>{"/usr/bin/env", "nc", "-N", "127.0.0.1",
                                           listen.port_text()}
                : std::vector<std::string>{"/usr/bin/env", "ncat", "127.0.0.1", listen.port_text()};
        Process client(args);
        client.write_stdin("from " + peer + "\n");
        client.close_stdin();
        client.wait_for_stdout(12);
        REQUIRE(listen.process.wait_for_exit() == 0);
        CHECK(client.wait_for_exit() == 0);
        CHECK(client.out() == "from tcpkit\n");
        CHECK(listen.process.out() == "from " + peer + "\n");
    }
}

TEST_CASE("tcpkit connect works as the client of ncat -l", "[listen][peers]") {
    if (!command_exists("ncat")) {
        WARN("ncat is not installed: skipped");
        return;
    }
    std::uint16_t port = unused_port();
    Process server({"/usr/bin/env", "ncat", "-v", "-l", "127.0.0.1", std::to_string(port)});
    server.wait_for_stderr_line("Listening on");
    server.write_stdin("from ncat\n");
    Process client({tcpkit_binary(), "connect", "127.0.0.1", std::to_string(port)});
    client.write_stdin("from tcpkit\n");
    client.wait_for_stdout(10);
    server.wait_for_stdout(12);
    server.close_stdin();  // ncat closes the connection at the end of its input
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "from ncat\n");
    CHECK(server.out() == "from tcpkit\n");
}

namespace {

// Whether something listens on 127.0.0.1:`port`, from the kernel's table (nc -l says nothing
// when it is ready, and a probe connection would be the one connection it serves).
bool is_listening(std::uint16_t port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    char wanted[32];
    std::snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
    while (std::getline(table, line)) {
        // sl local_address rem_address st ...: state 0A is LISTEN.
        if (line.find(wanted) != std::string::npos && line.find(" 0A ") != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_CASE("tcpkit connect works as the client of nc -l", "[listen][peers]") {
    if (!command_exists("nc")) {
        WARN("nc is not installed: skipped");
        return;
    }
    std::uint16_t port = unused_port();
    Process server({"/usr/bin/env", "nc", "-N", "-l", "127.0.0.1", std::to_string(port)});
    auto deadline = std::chrono::steady_clock::now() + default_timeout;
    while (!is_listening(port)) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        REQUIRE(server.running());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a table: no event
    }
    Process client({tcpkit_binary(), "connect", "127.0.0.1", std::to_string(port)});
    client.write_stdin("from tcpkit\n");
    server.wait_for_stdout(12);
    // -N: at the end of its input nc shuts down its sending side; connect, seeing the server
    // finish first, exits, and nc exits when the connection closes.
    server.write_stdin("from nc\n");
    server.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "from nc\n");
    REQUIRE(server.wait_for_exit() == 0);
    CHECK(server.out() == "from tcpkit\n");
}
