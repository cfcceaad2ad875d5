// End-to-end: `tcpkit connect -z`, the port check, against ports of the test's own on loopback:
// listening (open), bound but not listening (refused, and nobody else can take the port while
// the test holds it), and listening with a full accept queue (SYNs go unanswered: filtered).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "catch.h"
#include "loopback.h"
#include "process.h"

using namespace tcpkit::test;

namespace {

using Clock = std::chrono::steady_clock;

// A TCP socket bound to 127.0.0.1. Connections to it are refused until listen() is called.
class TestPort {
  public:
    // Binds `port` (0: a free one); nullopt when it is taken.
    static std::optional<TestPort> bind(std::uint16_t port = 0) {
        TestPort bound;
        bound.socket_ = Socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(bound.socket_.fd(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
            ::getsockname(bound.socket_.fd(), reinterpret_cast<sockaddr*>(&address), &length) !=
                0) {
            return std::nullopt;
        }
        bound.port_ = ntohs(address.sin_port);
        return bound;
    }

    std::uint16_t port() const { return port_; }
    std::string text() const { return std::to_string(port_); }

    // Open: the kernel completes handshakes into the accept queue; the test need not accept.
    void listen() { REQUIRE(::listen(socket_.fd(), 16) == 0); }

    // Filtered: a backlog of one, filled by connections nobody accepts, so that the kernel
    // drops further SYNs and a client's connect neither succeeds nor fails.
    void listen_filtered() {
        REQUIRE(::listen(socket_.fd(), 0) == 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port_);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        for (int i = 0; i < 4; ++i) {
            queued_.emplace_back(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            ::connect(queued_.back().fd(), reinterpret_cast<sockaddr*>(&address), sizeof address);
        }
    }

    // The first connection in the accept queue (there must be one already).
    Socket accept_queued() {
        int fd = ::accept(socket_.fd(), nullptr, nullptr);
        REQUIRE(fd >= 0);
        return Socket(fd);
    }

  private:
    TestPort() = default;
    Socket socket_;
    std::vector<Socket> queued_;
    std::uint16_t port_ = 0;
};

TestPort bound_port() {
    auto port = TestPort::bind();
    REQUIRE(port);
    return std::move(*port);
}

// Three consecutive ports, all held by the test, for the ranges.
std::vector<TestPort> consecutive_ports(std::size_t count) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::vector<TestPort> ports;
        ports.push_back(bound_port());
        std::uint16_t first = ports.front().port();
        if (first > 65535 - count) {
            continue;
        }
        for (std::size_t i = 1; i < count; ++i) {
            auto next = TestPort::bind(static_cast<std::uint16_t>(first + i));
            if (!next) {
                break;
            }
            ports.push_back(std::move(*next));
        }
        if (ports.size() == count) {
            return ports;
        }
    }
    FAIL("found no " << count << " consecutive free ports on 127.0.0.1");
    return {};
}

std::vector<std::string> check_args(std::vector<std::string> options,
                                    const std::vector<std::string>& ports,
                                    const std::string& host = "127.0.0.1") {
    std::vector<std::string> args = {tcpkit_binary(), "connect", "-z"};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back(host);
    args.insert(args.end(), ports.begin(), ports.end());
    return args;
}

// "127.0.0.1 8080 open (0.3ms)" as -v prints it, the time being whatever it was.
std::string open_line_pattern(const std::string& host, const TestPort& port) {
    return std::regex_replace(host, std::regex(R"([.\[\]])"), R"(\$&)") + " " + port.text() +
           R"( open \([0-9]+\.[0-9]ms\))";
}

bool matches_lines(const std::string& output, const std::vector<std::string>& patterns) {
    std::string whole;
    for (const auto& pattern : patterns) {
        whole += pattern + "\n";
    }
    return std::regex_match(output, std::regex(whole));
}

}  // namespace

TEST_CASE("connect -z reports an open port, sends nothing, closes with a FIN, exits 0",
          "[port-check]") {
    auto port = bound_port();
    port.listen();
    Process check(check_args({}, {port.text()}));
    REQUIRE(check.wait_for_exit() == 0);
    CHECK(check.out() == "127.0.0.1 " + port.text() + " open\n");
    CHECK(check.err().empty());
    // The connection waits in the accept queue: an orderly end, no data, no reset.
    Socket server_side = port.accept_queued();
    CHECK(server_side.read_to_end() == "");
}

TEST_CASE("connect -z prints nothing for a closed port and exits 1, -v says it was refused",
          "[port-check]") {
    auto port = bound_port();
    {
        Process check(check_args({}, {port.text()}));
        REQUIRE(check.wait_for_exit() == 1);
        CHECK(check.out().empty());
        CHECK(check.err().empty());
    }
    Process verbose(check_args({"-v"}, {port.text()}));
    REQUIRE(verbose.wait_for_exit() == 1);
    CHECK(verbose.out() == "127.0.0.1 " + port.text() + " closed (connection refused)\n");
}

TEST_CASE("connect -z --connect-timeout gives up on a filtered port", "[port-check]") {
    auto port = bound_port();
    port.listen_filtered();
    auto started = Clock::now();
    Process check(check_args({"-v", "--connect-timeout", "300ms"}, {port.text()}));
    REQUIRE(check.wait_for_exit() == 1);
    CHECK(Clock::now() - started >= std::chrono::milliseconds(300));
    CHECK(check.out() == "127.0.0.1 " + port.text() + " timed out after 300ms\n");
}

TEST_CASE("connect -z checks a range with open and closed ports, one line each in order",
          "[port-check]") {
    auto ports = consecutive_ports(3);
    ports[0].listen();
    ports[2].listen();
    std::string range = ports[0].text() + "-" + ports[2].text();
    {
        Process check(check_args({}, {range}));
        REQUIRE(check.wait_for_exit() == 1);
        CHECK(check.out() ==
              "127.0.0.1 " + ports[0].text() + " open\n127.0.0.1 " + ports[2].text() + " open\n");
    }
    Process verbose(check_args({"-v"}, {range}));
    REQUIRE(verbose.wait_for_exit() == 1);
    INFO(verbose.out());
    CHECK(matches_lines(verbose.out(),
                        {open_line_pattern("127.0.0.1", ports[0]),
                         "127\\.0\\.0\\.1 " + ports[1].text() + " closed \\(connection refused\\)",
                         open_line_pattern("127.0.0.1", ports[2])}));
}

TEST_CASE(
    "connect -z prints the ports in the order given, each once, not as the probes finish "
    "(--connect-timeout)",
    "[port-check]") {
    auto filtered = bound_port();
    filtered.listen_filtered();
    auto open = bound_port();
    open.listen();
    auto closed = bound_port();
    // The filtered port is given first and answers last, 300ms after the others.
    Process check(check_args({"-v", "--connect-timeout", "300ms"},
                             {filtered.text(), open.text(), closed.text(), open.text()}));
    REQUIRE(check.wait_for_exit() == 1);
    INFO(check.out());
    CHECK(matches_lines(check.out(),
                        {"127\\.0\\.0\\.1 " + filtered.text() + " timed out after 300ms",
                         open_line_pattern("127.0.0.1", open),
                         "127\\.0\\.0\\.1 " + closed.text() + " closed \\(connection refused\\)"}));
}

TEST_CASE("connect -z --parallel 1 checks one port at a time (--connect-timeout)", "[port-check]") {
    auto first = bound_port();
    first.listen_filtered();
    auto second = bound_port();
    second.listen_filtered();
    auto open = bound_port();
    open.listen();
    auto started = Clock::now();
    Process check(check_args({"--parallel", "1", "--connect-timeout", "300ms"},
                             {first.text(), second.text(), open.text()}));
    REQUIRE(check.wait_for_exit() == 1);
    // One after the other: each filtered port takes its whole timeout.
    CHECK(Clock::now() - started >= std::chrono::milliseconds(600));
    CHECK(check.out() == "127.0.0.1 " + open.text() + " open\n");
}

TEST_CASE("connect -z exits 0 only when every port given is open", "[port-check]") {
    auto first = bound_port();
    first.listen();
    auto second = bound_port();
    second.listen();
    Process check(check_args({"--parallel", "2"}, {first.text(), second.text()}));
    REQUIRE(check.wait_for_exit() == 0);
    CHECK(check.out() ==
          "127.0.0.1 " + first.text() + " open\n127.0.0.1 " + second.text() + " open\n");
}

TEST_CASE("connect -z --wait retries until a listener appears, then exits 0", "[port-check]") {
    auto late = bound_port();
    auto early = bound_port();
    early.listen();
    Process check(check_args({"-v", "--wait", "20s"}, {early.text(), late.text()}));
    // Refused at least once (it says so before pausing), and only then does the server start.
    std::string retry = check.wait_for_stderr_line("trying again");
    CHECK_THAT(retry, TCPKIT_CONTAINS("1 port not open yet (" + late.text() + ")"));
    late.listen();
    REQUIRE(check.wait_for_exit() == 0);
    INFO(check.out());
    CHECK(matches_lines(check.out(), {open_line_pattern("127.0.0.1", early),
                                      open_line_pattern("127.0.0.1", late)}));
}

TEST_CASE("connect -z --wait gives up when its time is over, exits 1 and says what is closed",
          "[port-check]") {
    auto never = bound_port();
    auto started = Clock::now();
    Process check(check_args({"-v", "--wait", "500ms"}, {never.text()}));
    REQUIRE(check.wait_for_exit(std::chrono::seconds(10)) == 1);
    auto took = Clock::now() - started;
    CHECK(took >= std::chrono::milliseconds(500));
    // Back-off pauses never run past the deadline (50, 100, 200ms, then what is left).
    CHECK(took < std::chrono::seconds(5));
    CHECK(check.out() == "127.0.0.1 " + never.text() + " closed (connection refused)\n");
    CHECK_THAT(check.err(), TCPKIT_CONTAINS("gave up after --wait 500ms: 1 port not open (" +
                                            never.text() + ")"));
}

TEST_CASE("connect -z prints HOST as typed and tries each address of the name", "[port-check]") {
    // localhost may resolve to ::1 first, which refuses: 127.0.0.1 is tried next.
    auto port = bound_port();
    port.listen();
    Process check(check_args({}, {port.text()}, "localhost"));
    REQUIRE(check.wait_for_exit() == 0);
    CHECK(check.out() == "localhost " + port.text() + " open\n");
}

TEST_CASE("connect -z reports an unresolvable host in one line with exit status 1",
          "[port-check]") {
    Process check(check_args({}, {"80", "443"}, "no-such-host.invalid"));
    REQUIRE(check.wait_for_exit() == 1);
    CHECK(std::count(check.err().begin(), check.err().end(), '\n') == 1);
    CHECK_THAT(check.err(), TCPKIT_CONTAINS("cannot resolve 'no-such-host.invalid'"));
    CHECK(check.out().empty());
}

TEST_CASE("connect -z --parallel above the limit of file descriptors checks fewer at once",
          "[port-check]") {
    // 300 ports, 4096 at once allowed, 64 descriptors: every port still gets its answer
    // (refused, or open if something listens there), none is reported unreachable.
    ProcessOptions options;
    options.open_file_limit = 64;
    Process check(check_args({"-v", "--parallel", "4096"}, {"1-300"}), options);
    int status = check.wait_for_exit();
    CHECK((status == 0 || status == 1));
    CHECK(std::count(check.out().begin(), check.out().end(), '\n') == 300);
    CHECK(check.out().find("unreachable") == std::string::npos);
    CHECK_THAT(check.err(), TCPKIT_CONTAINS("checking fewer at a time"));
}
