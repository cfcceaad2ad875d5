// End-to-end: the real `tcpkit listen` relaying one connection, or every client with -k, to
// the test's own sockets; on every platform (the programs of --exec and the peers nc and ncat
// are in test_listen.cpp, POSIX only).
#include <string>
#include <vector>

#include "catch.h"
#include "listening.h"
#include "loopback.h"
#include "process.h"

using namespace tcpkit::test;

TEST_CASE("listen relays one connection both ways and exits 0 when the client closes first",
          "[listen]") {
    Listening listen;
    Socket client = Socket::connect(listen.port);
    listen.process.wait_for_stderr_line("connection from 127.0.0.1:");
    listen.process.write_stdin("to the client\n");
    CHECK(client.read_exactly(14) == "to the client\n");
    client.send_all("to stdout\n");
    listen.process.wait_for_stdout(10);
    client.shutdown_write();
    REQUIRE(listen.process.wait_for_exit() == 0);  // stdin still open: exits at once
    CHECK(listen.process.out() == "to stdout\n");
}

TEST_CASE("listen half-closes at the end of its input and prints until the client closes",
          "[listen]") {
    Listening listen;
    Socket client = Socket::connect(listen.port);
    listen.process.write_stdin("request");
    listen.process.close_stdin();
    CHECK(client.read_to_end() == "request");  // the FIN came after the data
    client.send_all("answer after the end of input\n");
    client.shutdown_write();
    REQUIRE(listen.process.wait_for_exit() == 0);
    CHECK(listen.process.out() == "answer after the end of input\n");
}

TEST_CASE("listen takes [HOST] PORT positionally, as nc -l does", "[listen]") {
    Process listen({tcpkit_binary(), "listen", "127.0.0.1", "0"});
    std::uint16_t port = listening_port(listen);
    Socket client = Socket::connect(port);
    client.send_all("hi");
    client.shutdown_write();
    REQUIRE(listen.wait_for_exit() == 0);
    CHECK(listen.out() == "hi");
}

TEST_CASE("listen closes its listener once it has its connection: the next client is refused",
          "[listen]") {
    Listening listen;
    Socket first = Socket::connect(listen.port);
    listen.process.wait_for_stderr_line("connection from");
    CHECK_THROWS(Socket::connect(listen.port));
    first.send_all("x");
    first.shutdown_write();
    REQUIRE(listen.process.wait_for_exit() == 0);
}

TEST_CASE("listen -k --once exits after the last client has gone", "[listen]") {
    Listening listen({"-k", "--once"});
    {
        Socket client = Socket::connect(listen.port);
        client.send_all("only\n");
        listen.process.wait_for_stdout(5);
    }
    REQUIRE(listen.process.wait_for_exit() == 0);
    CHECK(listen.process.out() == "only\n");
}

TEST_CASE("listen --recv-only and connect --recv-only ignore an input that ends at once",
          "[listen]") {
    // A script's background job has /dev/null for stdin: without --recv-only its end would
    // half-close, and the peer that sends would take that as the other side being done.
    SECTION("listen receives") {
        Listening listen({"--recv-only"});
        listen.process.close_stdin();
        Process client({tcpkit_binary(), "connect", "127.0.0.1", listen.port_text()});
        std::string data(300000, 'x');
        client.write_stdin(data);
        client.close_stdin();
        listen.process.wait_for_stdout(data.size());  // read while it comes: pipes are small
        REQUIRE(listen.process.wait_for_exit() == 0);
        REQUIRE(client.wait_for_exit() == 0);
        CHECK(listen.process.out() == data);
    }
    SECTION("connect receives") {
        Listening listen;
        Process client(
            {tcpkit_binary(), "connect", "--recv-only", "127.0.0.1", listen.port_text()});
        client.close_stdin();
        std::string data(300000, 'y');
        listen.process.write_stdin(data);
        listen.process.close_stdin();
        REQUIRE(client.wait_for_exit() == 0);
        REQUIRE(listen.process.wait_for_exit() == 0);
        CHECK(client.out() == data);
    }
}

TEST_CASE("listen --progress ends with a summary on stderr, the data alone on stdout", "[listen]") {
    Listening listen({"--progress"});
    Socket client = Socket::connect(listen.port);
    client.send_all(std::string(100000, 'z'));
    client.shutdown_write();
    REQUIRE(listen.process.wait_for_exit() == 0);
    CHECK(listen.process.out() == std::string(100000, 'z'));
    CHECK_THAT(listen.process.err(), TCPKIT_CONTAINS("received 97.7 KiB"));
}
