// End-to-end, POSIX only: `tcpkit connect` gives its standard input back as it found it.
// It reads stdin through a dup() that Asio makes non-blocking, and a dup shares that flag with
// the descriptor the shell gave it: left set, the user's terminal (or the next program on a
// pipe) would find its reads failing with EAGAIN. So the test gives tcpkit one end of a pipe
// whose open file description it shares, and looks at the flags before, during and after.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "catch.h"
#include "loopback.h"
#include "process.h"

using namespace tcpkit::test;

namespace {

struct Pipe {
    Pipe() {
        if (::pipe2(ends, O_CLOEXEC) != 0) {
            throw std::system_error(errno, std::generic_category(), "pipe2");
        }
    }
    ~Pipe() {
        close_write_end();
        ::close(ends[0]);
    }
    int read_end() const { return ends[0]; }
    int write_end() const { return ends[1]; }
    void close_write_end() {
        if (ends[1] >= 0) {
            ::close(ends[1]);
            ends[1] = -1;
        }
    }
    int ends[2] = {-1, -1};
};

int status_flags(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags == -1) {
        throw std::system_error(errno, std::generic_category(), "fcntl(F_GETFL)");
    }
    return flags;
}

}  // namespace

TEST_CASE("connect leaves its standard input's flags as it found them, however it ends",
          "[connect][stdin-flags]") {
    bool non_blocking_before = GENERATE(false, true);
    std::string ending = GENERATE(as<std::string>{}, "end of input", "server closes", "SIGINT");
    CAPTURE(non_blocking_before, ending);

    // Echoes "ping\n" and "end\n", then closes first or waits for tcpkit to close.
    ScriptedServer server([ending](Socket& peer) {
        peer.send_all(peer.read_exactly(5));
        peer.send_all(peer.read_exactly(4));
        if (ending != "server closes") {
            peer.wait_closed();
        }
    });
    Pipe input;
    if (non_blocking_before) {
        REQUIRE(::fcntl(input.read_end(), F_SETFL, status_flags(input.read_end()) | O_NONBLOCK) ==
                0);
    }
    int flags_before = status_flags(input.read_end());

    ProcessOptions options;
    options.stdin_descriptor = input.read_end();
    Process client({tcpkit_binary(), "connect", "127.0.0.1", std::to_string(server.port())},
                   options);
    REQUIRE(::write(input.write_end(), "ping\n", 5) == 5);
    REQUIRE(client.wait_for_stdout(5) == "ping\n");
    // tcpkit is reading its stdin now: the shared flag is set (else this test shows nothing).
    CHECK((status_flags(input.read_end()) & O_NONBLOCK) != 0);
    REQUIRE(::write(input.write_end(), "end\n", 4) == 4);
    if (ending != "server closes") {
        REQUIRE(client.wait_for_stdout(9) == "ping\nend\n");
    }

    int expected_status = 0;
    if (ending == "end of input") {
        input.close_write_end();
    } else if (ending == "SIGINT") {
        client.send_signal(SIGINT);
        expected_status = 130;
    }
    REQUIRE(client.wait_for_exit() == expected_status);
    CHECK(client.out() == "ping\nend\n");
    CHECK(status_flags(input.read_end()) == flags_before);
}
