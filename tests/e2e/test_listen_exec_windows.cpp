// End-to-end: `tcpkit listen --exec` and `--sh-exec` on Windows, with programs every Windows
// (and wine) has: cmd.exe and its `more`, and tcpkit.exe itself. The POSIX programs' tests are
// in test_listen.cpp.
#include <algorithm>
#include <string>
#include <vector>

#include <sys/socket.h>

#include "catch.h"
#include "listening.h"
#include "loopback.h"
#include "process.h"

using namespace tcpkit::test;

namespace {

// cmd.exe and its programs end lines with CRLF.
std::string without_carriage_returns(std::string text) {
    text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
    return text;
}

}  // namespace

TEST_CASE("listen --exec on Windows relays each connection through its own program",
          "[listen][exec]") {
    Listening listen({"-k", "--once", "--exec", "cmd.exe", "--", "/c", "more"});
    Socket first = Socket::connect(listen.port);
    Socket second = Socket::connect(listen.port);
    first.send_all("first\n");
    second.send_all("second\n");
    // `more` copies its input once it has all of it: the client's end of input closes its
    // standard input, and its exit ends the connection.
    first.shutdown_write();
    CHECK(without_carriage_returns(first.read_to_end()) == "first\n");
    CHECK_THAT(listen.process.wait_for_stderr_line("exited with status 0"),
               TCPKIT_CONTAINS("(cmd.exe) exited with status 0"));
    second.shutdown_write();
    CHECK(without_carriage_returns(second.read_to_end()) == "second\n");
    REQUIRE(listen.process.wait_for_exit() == 0);  // --once: the last client has gone
}

TEST_CASE("listen --sh-exec on Windows runs cmd.exe and gives it the connection's addresses",
          "[listen][exec]") {
    Listening listen({"--sh-exec",
                      "echo %TCPKIT_PEER_ADDR% %TCPKIT_PEER_PORT% %TCPKIT_LOCAL_ADDR% "
                      "%TCPKIT_LOCAL_PORT%& echo \"to stderr\" 1>&2"});
    Socket client = Socket::connect(listen.port);
    sockaddr_in local{};
    socklen_t length = sizeof local;
    ::getsockname(client.fd(), reinterpret_cast<sockaddr*>(&local), &length);
    CHECK(without_carriage_returns(client.read_to_end()) ==
          "127.0.0.1 " + std::to_string(ntohs(local.sin_port)) + " 127.0.0.1 " +
              listen.port_text() + "\n");
    REQUIRE(listen.process.wait_for_exit() == 0);  // without -k: one connection
    // The program's standard error is the server's by default; the quotes reached cmd.exe.
    CHECK_THAT(listen.process.err(), TCPKIT_CONTAINS("\"to stderr\""));
}

TEST_CASE(
    "listen --exec on Windows passes each argument as it was given, quoted for the C "
    "runtime",
    "[listen][exec]") {
    // tcpkit.exe itself as the program: its usage error quotes the argument it read back, and
    // --exec-stderr socket brings that line to the client.
    std::string argument = R"(two words, "quoted", a\ b\\ and a trailing backslash\)";
    Listening listen({"--exec-stderr", "socket", "--exec", "--", tcpkit_binary(), argument});
    Socket client = Socket::connect(listen.port);
    CHECK_THAT(client.read_to_end(), TCPKIT_CONTAINS("unknown command '" + argument + "'"));
    REQUIRE(listen.process.wait_for_exit() == 0);
    CHECK_THAT(listen.process.err(), TCPKIT_CONTAINS("exited with status 2"));
}

TEST_CASE("listen --exec --idle-timeout on Windows ends a silent connection and its program",
          "[listen][exec]") {
    // The server closes the socket without a shutdown here: the connection ends only if the
    // program did not inherit the socket (it inherits its three handles and nothing else).
    Listening listen(
        {"-k", "--once", "--idle-timeout", "300ms", "--exec", "cmd.exe", "--", "/c", "more"});
    Socket client = Socket::connect(listen.port);
    CHECK(client.read_to_end().empty());
    // Its input closed, `more` exits by itself.
    CHECK_THAT(listen.process.wait_for_stderr_line("(cmd.exe) "),
               TCPKIT_CONTAINS("exited with status 0"));
    REQUIRE(listen.process.wait_for_exit() == 0);
}
