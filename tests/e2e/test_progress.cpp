// End-to-end: --progress of `connect` and `send`, on stderr (a pipe here, so one line a second
// and a summary line at the end), never on stdout.
#include <signal.h>

#include <chrono>
#include <future>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "catch.h"
#include "loopback.h"
#include "process.h"
#include "temp_file.h"

using namespace tcpkit::test;

namespace {

struct EchoServer {
    Process process{{tcpkit_binary(), "echo-server", "--port", "0", "--host", "127.0.0.1"}};
    std::uint16_t port = listening_port(process);
};

std::vector<std::string> client_args(std::string command, std::uint16_t port,
                                     std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {tcpkit_binary(), std::move(command), "127.0.0.1",
                                     std::to_string(port)};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
        lines.push_back(line);
    }
    return lines;
}

bool matches(const std::string& line, const std::string& pattern) {
    return std::regex_match(line, std::regex(pattern));
}

// A status line without a known size; the tests that may take a second can see one.
const std::string status_pattern =
    R"(sent [0-9.]+ (B|KiB|MiB)( \([0-9.]+ (B|KiB|MiB|GiB)/s\))?, )"
    R"(received [0-9.]+ (B|KiB|MiB)( \([0-9.]+ (B|KiB|MiB|GiB)/s\))?)";
// How long a direction took in the summary, and at what rate.
const std::string timed = R"( in [0-9.hms]+ \([0-9.]+ (B|KiB|MiB|GiB)/s\))";

// Every line of `err` but the last is a status line; the last is returned.
std::string summary_after_status_lines(const std::string& err) {
    auto lines = lines_of(err);
    REQUIRE(!lines.empty());
    REQUIRE(err.back() == '\n');
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
        CAPTURE(lines[i]);
        CHECK(matches(lines[i], status_pattern));
    }
    return lines.back();
}

}  // namespace

TEST_CASE("connect --progress ends with a summary line on stderr, stdout has the data only",
          "[progress][connect]") {
    EchoServer echo;
    Process client(client_args("connect", echo.port, {"--progress"}));
    client.write_stdin("hello\n");
    client.close_stdin();
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "hello\n");
    // Six bytes each way in one write and one read: no time or rate worth printing.
    CHECK(summary_after_status_lines(client.err()) == "sent 6 B, received 6 B");
}

TEST_CASE("send --progress sums up TEXT and the reply", "[progress][send]") {
    EchoServer echo;
    Process client(client_args("send", echo.port, {"--progress", "hi", "there"}));
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out() == "hi there\n");
    CHECK(summary_after_status_lines(client.err()) == "sent 9 B, received 9 B");
}

TEST_CASE("connect --progress leaves the bytes on stdout unchanged", "[progress][connect][bulk]") {
    EchoServer echo;
    TempFile input;
    TempFile output;
    constexpr std::size_t total = 16u << 20;
    write_random_file(input.path, total);
    ProcessOptions options;
    options.stdin_file = input.path;
    options.stdout_file = output.path;
    Process client(client_args("connect", echo.port, {"--progress"}), options);
    REQUIRE(client.wait_for_exit(std::chrono::minutes(2)) == 0);
    require_same_contents(input.path, output.path, total);
    // A regular file on stdin: its status lines (if the machine was slow enough to show one)
    // give the percentage of its 16 MiB.
    auto lines = lines_of(client.err());
    REQUIRE(!lines.empty());
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
        CAPTURE(lines[i]);
        CHECK(matches(lines[i], R"(sent [0-9.]+ (B|KiB|MiB) of 16\.0 MiB \([0-9]+%, .*)"));
    }
    CAPTURE(lines.back());
    // (A fast machine may move it all in less time than the summary bothers to print.)
    CHECK(
        matches(lines.back(), "sent 16.0 MiB(" + timed + ")?, received 16.0 MiB(" + timed + ")?"));
}

TEST_CASE("connect --progress prints a line a second while a slow peer holds the transfer up",
          "[progress][connect]") {
    // More than loopback's socket buffers hold, so the send stalls until the peer reads.
    constexpr std::size_t total = 32u << 20;
    TempFile input;
    write_random_file(input.path, total);
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    ScriptedServer server([released](Socket& peer) {
        if (released.wait_for(default_timeout) != std::future_status::ready) {
            throw std::runtime_error("the test never saw two progress lines");
        }
        std::string all = peer.read_to_end();
        if (all.size() != total) {
            throw std::runtime_error("the server got " + std::to_string(all.size()) + " bytes");
        }
        peer.send_all("done\n");
    });

    ProcessOptions options;
    options.stdin_file = input.path;
    Process client(client_args("connect", server.port(), {"--progress"}), options);
    // The peer reads nothing until two status lines are out: a second line has begun once a
    // newline is followed by another "sent".
    client.wait_for_stderr_line("of 32.0 MiB (");
    client.wait_for_stderr_line("\nsent ");
    release.set_value();
    REQUIRE(client.wait_for_exit() == 0);
    server.join();
    CHECK(client.out() == "done\n");

    auto lines = lines_of(client.err());
    REQUIRE(lines.size() >= 3);
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
        CAPTURE(lines[i]);
        CHECK(matches(lines[i],
                      R"(sent [0-9.]+ (B|KiB|MiB) of 32\.0 MiB \([0-9]{1,3}%, )"
                      R"([0-9.]+ (B|KiB|MiB|GiB)/s(, [0-9hms]+ left)?\)(, received .*)?)"));
    }
    CAPTURE(lines.back());
    CHECK(matches(lines.back(), "sent 32.0 MiB" + timed + ", received 5 B"));
}

TEST_CASE("connect prints no progress without --progress", "[progress][connect]") {
    EchoServer echo;
    TempFile input;
    write_random_file(input.path, 4u << 20);
    ProcessOptions options;
    options.stdin_file = input.path;
    Process client(client_args("connect", echo.port), options);
    REQUIRE(client.wait_for_exit() == 0);
    CHECK(client.out().size() == 4u << 20);
    CHECK(client.err().empty());
}

TEST_CASE("connect --progress still sums up when SIGINT cuts the transfer short",
          "[progress][connect]") {
    ScriptedServer server([](Socket& peer) {
        peer.send_all("hi\n");
        peer.wait_closed();
    });
    Process client(client_args("connect", server.port(), {"--progress"}));
    REQUIRE(client.wait_for_stdout(3) == "hi\n");
    client.send_signal(SIGINT);
    REQUIRE(client.wait_for_exit() == 130);
    CHECK(summary_after_status_lines(client.err()) == "sent 0 B, received 3 B");
}
