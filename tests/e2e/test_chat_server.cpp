// End-to-end: the real `tcpkit chat-server` with real line clients on loopback.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "catch.h"
#include "chat_client.h"
#include "chat_server.h"
#include "line_client.h"
#include "process.h"
#include "reset_check.h"
#include "two_address_localhost.h"

using namespace tcpkit::test;

namespace {

// alice, bob and carol in one room, in that order, each having read the joins after their own.
struct ThreePeople {
    explicit ThreePeople(std::uint16_t port) : alice(port), bob(port), carol(port) {
        join(alice, "alice");
        join(bob, "bob");
        alice.line();  // * bob joined
        join(carol, "carol");
        alice.line();  // * carol joined
        bob.line();
    }
    LineClient alice;
    LineClient bob;
    LineClient carol;
};

}  // namespace

TEST_CASE("chat-server: banner, prompt, taken and invalid names, then the greeting",
          "[chat-server]") {
    ChatServer server;
    LineClient alice(server.port);
    CHECK(alice.until(prompt) == std::string("Welcome to tcpkit chat. Online: 1\r\n") + prompt);
    alice.send_line("alice");
    CHECK(alice.line() == "Welcome, alice! Online: alice. Type /help for commands.");

    LineClient other(server.port);
    CHECK(other.until(prompt) == std::string("Welcome to tcpkit chat. Online: 2\r\n") + prompt);
    other.send_line("ALICE");  // names are compared case-insensitively
    CHECK(other.line() == "The nickname ALICE is taken, please choose another");
    CHECK(other.until(prompt) == prompt);
    other.send_line("two words");
    CHECK(other.line() == "A nickname may only have letters, digits, '_', '-' and '.', not ' '");
    CHECK(other.until(prompt) == prompt);
    other.send_line(std::string(33, 'x'));
    CHECK(other.line() == "A nickname has at most 32 characters");
    CHECK(other.until(prompt) == prompt);
    other.send_line("   ");
    CHECK(other.line() == "A nickname needs at least one character");
    CHECK(other.until(prompt) == prompt);
    other.send_line("evil\x1b[31m");  // refused as the control character it is, shown harmless
    CHECK(other.line() == "A nickname may only have letters, digits, '_', '-' and '.', not '^['");
    // Still unnamed: alice's line must not reach it. Its greeting is the next thing it reads.
    alice.send_line("only for the named");
    other.until(prompt);
    other.send_line("小明");
    CHECK(other.line() == "Welcome, 小明! Online: alice, 小明. Type /help for commands.");
    CHECK(alice.line() == "* 小明 joined");
}

TEST_CASE("chat-server: a line goes to every other named client, not back to its sender",
          "[chat-server]") {
    ChatServer server;
    LineClient alice(server.port);
    join(alice, "alice");
    LineClient bob(server.port);
    join(bob, "bob");
    CHECK(alice.line() == "* bob joined");
    LineClient carol(server.port);
    join(carol, "carol\r");  // telnet sends CRLF: the CR is dropped
    CHECK(alice.line() == "* carol joined");
    CHECK(bob.line() == "* carol joined");

    alice.send_line("  \t ");  // blank lines are not sent
    alice.send_line("hello everyone");
    CHECK(bob.line() == "alice: hello everyone");
    CHECK(carol.line() == "alice: hello everyone");
    alice.send_line("/who");
    CHECK(alice.line() == "Online (3): alice, bob, carol");  // not her own line first
}

TEST_CASE("chat-server: commands", "[chat-server]") {
    ChatServer server;
    ThreePeople room(server.port);
    auto& [alice, bob, carol] = room;

    SECTION("/help lists the commands") {
        bob.send_line("/help");
        auto lines = bob.lines_until(
            "Other lines go to everyone; start a line with // to send one that begins with /.");
        CHECK(lines.front() == "Commands:");
        CHECK(lines.size() == 7);
    }
    SECTION("/me describes an action to the others") {
        bob.send_line("/me waves");
        CHECK(alice.line() == "* bob waves");
        CHECK(carol.line() == "* bob waves");
    }
    SECTION("/msg reaches only its target; the sender gets a copy; unknown names are an error") {
        bob.send_line("/msg ALICE just between us");
        CHECK(bob.line() == "[private to alice] just between us");
        CHECK(alice.line() == "[private] bob: just between us");
        bob.send_line("/msg\talice tabs work too");
        CHECK(bob.line() == "[private to alice] tabs work too");
        CHECK(alice.line() == "[private] bob: tabs work too");
        bob.send_line("/msg nobody hello");
        CHECK(bob.line() == "No one called nobody is online");
        bob.send_line("/msg alice");
        CHECK(bob.line() == "Usage: /msg NAME TEXT");
        bob.send_line("public now");
        CHECK(carol.line() == "bob: public now");  // carol never saw the private line
        CHECK(alice.line() == "bob: public now");
    }
    SECTION("/nick renames, refusing taken and invalid names") {
        bob.send_line("/nick Carol");
        CHECK(bob.line() == "The nickname Carol is taken, please choose another");
        bob.send_line("/nick b@d");
        CHECK(bob.line() == "A nickname may only have letters, digits, '_', '-' and '.', not '@'");
        bob.send_line("/nick robert");
        CHECK(bob.line() == "You are now known as robert");
        CHECK(alice.line() == "* bob is now known as robert");
        CHECK(carol.line() == "* bob is now known as robert");
        bob.send_line("hi");
        CHECK(alice.line() == "robert: hi");
        LineClient newcomer(server.port);
        newcomer.until(prompt);
        newcomer.send_line("bob");  // the old name is free again
        CHECK(newcomer.line() ==
              "Welcome, bob! Online: alice, bob, carol, robert. Type /help for commands.");
    }
    SECTION("unknown commands are an error to the sender only; // sends a line starting with /") {
        bob.send_line("/dance");
        CHECK(bob.line() == "Unknown command /dance. Type /help for commands.");
        bob.send_line("//dance is not a command");
        CHECK(alice.line() == "bob: /dance is not a command");
        CHECK(carol.line() == "bob: /dance is not a command");
    }
    SECTION("/quit with a reason is announced once") {
        bob.send_line("/quit gotta go");
        CHECK(bob.line() == "Bye!");
        CHECK(bob.closed());
        CHECK(alice.line() == "* bob left (quit: gotta go)");
        CHECK(carol.line() == "* bob left (quit: gotta go)");
        alice.send_line("/who");
        CHECK(alice.line() == "Online (2): alice, carol");
    }
}

TEST_CASE("chat-server: leaves are announced once, with the reason, however they happen",
          "[chat-server]") {
    ChatServer server({"--idle-timeout", "500ms", "--rate", "0"});
    LineClient alice(server.port);
    join(alice, "alice");

    SECTION("end of input") {
        LineClient bob(server.port);
        join(bob, "bob");
        CHECK(alice.line() == "* bob joined");
        bob.send("last words without a newline");
        bob.socket().shutdown_write();
        CHECK(alice.line() == "bob: last words without a newline");
        CHECK(alice.line() == "* bob left");
    }
    SECTION("a reset connection") {
        LineClient bob(server.port);
        join(bob, "bob");
        CHECK(alice.line() == "* bob joined");
        bob.send("half-typed");  // never finished: not sent to the room
        bob.socket().reset();
        CHECK(alice.line() == "* bob left (connection lost)");
    }
    SECTION("the idle timeout") {
        LineClient bob(server.port);
        join(bob, "bob");
        CHECK(alice.line() == "* bob joined");
        // alice keeps talking (one /who per round trip) so that only bob goes idle.
        std::string line = "Online";
        for (int i = 0; i < 1'000'000 && line.rfind("Online", 0) == 0; ++i) {
            alice.send_line("/who");
            line = alice.line();
        }
        CHECK(line == "* bob left (idle)");
    }
    alice.send_line("/who");
    CHECK(alice.line() == "Online (1): alice");
}

TEST_CASE("chat-server --motd adds a message of the day to the banner", "[chat-server]") {
    ChatServer server({"--motd", "Be nice. 友善"});
    LineClient alice(server.port);
    CHECK(alice.until(prompt) == std::string("Welcome to tcpkit chat. Online: 1\r\n"
                                             "Message of the day: Be nice. 友善\r\n") +
                                     prompt);
}

TEST_CASE("chat-server --history replays the last lines to a newcomer, marked", "[chat-server]") {
    ChatServer server({"--history", "2"});
    LineClient alice(server.port);
    join(alice, "alice");
    alice.send_line("one");
    alice.send_line("two");
    alice.send_line("/me counts three");
    alice.send_line("/who");
    alice.line();  // the room has the lines now
    LineClient bob(server.port);
    CHECK(join(bob, "bob") == "Welcome, bob! Online: alice, bob. Type /help for commands.");
    CHECK(bob.line() == "--- the last 2 message(s) ---");
    CHECK(bob.line() == "[history] alice: two");
    CHECK(bob.line() == "[history] * alice counts three");
    CHECK(bob.line() == "--- end of history ---");
}

TEST_CASE("chat-server --lang zh speaks as the tutorial does", "[chat-server]") {
    ChatServer server({"--lang", "zh"});
    LineClient ming(server.port);
    CHECK(ming.until("请输入昵称: ") == "在线人数: 1\r\n请输入昵称: ");
    ming.send_line("小明");
    CHECK(ming.line() == "欢迎小明加入! 在线: 小明。输入 /help 查看命令。");
    LineClient hong(server.port);
    hong.until("请输入昵称: ");
    hong.send_line("小明");
    CHECK(hong.line() == "小明该昵称被占用了,请更换");
    hong.until("请输入昵称: ");
    hong.send_line("小红");
    hong.line();
    CHECK(ming.line() == "欢迎小红加入");
    hong.send_line("你好");
    CHECK(ming.line() == "小红 说：你好");
    hong.send_line("/quit");
    CHECK(ming.line() == "小红离开聊天室");
}

TEST_CASE("chat-server neutralises escape sequences and invalid UTF-8", "[chat-server]") {
    ChatServer server;
    LineClient alice(server.port);
    join(alice, "alice");
    LineClient bob(server.port);
    join(bob, "bob");
    alice.line();
    bob.send_line(
        "clear\x1b[2J bell\x07 csi\xc2\x9b"
        "31m rtl\xe2\x80\xae bad\xff\xfe end");
    CHECK(alice.line() ==
          "bob: clear^[[2J bell^G csi<U+009B>31m rtl<U+202E> bad\xEF\xBF\xBD\xEF\xBF\xBD end");
}

TEST_CASE("chat-server --max-line drops the rest of a long line with one notice", "[chat-server]") {
    ChatServer server({"--max-line", "64"});
    LineClient alice(server.port);
    join(alice, "alice");
    LineClient bob(server.port);
    join(bob, "bob");
    alice.line();
    bob.send(std::string(1000, 'a'));
    bob.send(std::string(100000, 'b') + "\nshort\n");
    CHECK(bob.line() == "Your line was longer than 64 bytes and was dropped");
    CHECK(alice.line() == "bob: short");
}

TEST_CASE("chat-server --rate drops a flood with a notice, then disconnects the flooder",
          "[chat-server]") {
    ChatServer server({"--rate", "1", "--burst", "5"});
    LineClient alice(server.port);
    join(alice, "alice");
    LineClient bob(server.port);
    join(bob, "bob");
    alice.line();
    std::string flood;
    for (int i = 0; i < 8; ++i) {
        flood += "line " + std::to_string(i) + "\n";
    }
    bob.send(flood);
    // The name took a token; the burst allows 4 more lines at once.
    CHECK(bob.line() == "You are sending too fast: lines are being dropped");
    std::vector<std::string> delivered;
    for (int i = 0; i < 4; ++i) {
        delivered.push_back(alice.line());
    }
    CHECK(delivered ==
          std::vector<std::string>{"bob: line 0", "bob: line 1", "bob: line 2", "bob: line 3"});
    bob.send(flood);  // still flooding: more than `burst` lines dropped at over twice the rate
    CHECK(alice.line() == "* bob left (flooding)");
    CHECK(bob.line() == "Disconnected for flooding");
    CHECK(bob.closed());
}

TEST_CASE("chat-server disconnects a client that does not read, and the others do not notice",
          "[chat-server]") {
    ChatServer server({"--max-queue", "65536", "--rate", "0"});
    LineClient alice(server.port);
    join(alice, "alice");
    LineClient carol(server.port);
    join(carol, "carol");
    alice.line();
    LineClient sleepy(server.port);
    sleepy.socket().set_receive_buffer(4096);
    join(sleepy, "sleepy");
    alice.line();
    carol.line();
    // Until sleepy's socket buffers and queue are full (at most 200 MB), in pieces that carol
    // reads as they come.
    std::string payload(1000, 'x');
    int sent = 0;
    std::string left_line;
    for (int round = 0; round < 20'000 && left_line.empty(); ++round) {
        std::string batch;
        for (int i = 0; i < 10; ++i) {
            batch += std::to_string(sent++) + " " + payload + "\n";
        }
        alice.send(batch);
        for (int i = 0; i < 10; ++i) {
            std::string got = carol.line();
            if (got == "* sleepy left (too slow)") {
                left_line = got;
                got = carol.line();
            }
            REQUIRE(got == "alice: " + std::to_string(sent - 10 + i) + " " + payload);
        }
    }
    CHECK(left_line == "* sleepy left (too slow)");
    CHECK_THAT(server.process.wait_for_stderr_line("sleepy left"), TCPKIT_CONTAINS("too slow"));
}

TEST_CASE("chat-server --max-clients tells one more 'server full'", "[chat-server]") {
    ChatServer server({"--max-clients", "1"});
    LineClient alice(server.port);
    join(alice, "alice");
    LineClient late(server.port);
    CHECK(late.line() == "Server full, please try again later");
    CHECK(late.closed());
    CHECK_THAT(server.process.wait_for_stderr_line("refused"),
               TCPKIT_CONTAINS("connection limit of 1 reached"));
}

TEST_CASE(
    "chat-server --max-conns-per-ip: a client still choosing its name counts, and one more from "
    "that address is told 'server full'",
    "[chat-server][limits]") {
    ChatServer server({"--max-conns-per-ip", "1"});
    LineClient shy(server.port);
    shy.until(prompt);  // no name yet: it holds its place all the same
    LineClient late(server.port);
    CHECK(late.line() == "Server full, please try again later");
    CHECK(late.closed());
    CHECK_THAT(server.process.wait_for_stderr_line("refused"),
               TCPKIT_CONTAINS("1 connection(s) from 127.0.0.1 already (--max-conns-per-ip 1)"));
}

TEST_CASE("chat-server's default per-address limit leaves loopback peers alone",
          "[chat-server][limits]") {
    ChatServer server;  // 16 per address not on loopback
    std::vector<std::unique_ptr<LineClient>> many;
    for (int i = 0; i < 20; ++i) {
        many.push_back(std::make_unique<LineClient>(server.port));
        CHECK(many.back()->until(prompt) ==
              "Welcome to tcpkit chat. Online: " + std::to_string(1) + "\r\n" + prompt);
    }
}

TEST_CASE("chat-server --nick-timeout closes a connection that never picks a name",
          "[chat-server]") {
    ChatServer server({"--nick-timeout", "300ms"});
    LineClient shy(server.port);
    shy.until(prompt);
    // The prompt has no line end, so the notice starts a new line.
    CHECK(shy.until("goodbye\r\n") == "\r\nNo nickname chosen within 300ms, goodbye\r\n");
    CHECK(shy.closed());
}

TEST_CASE("chat-server --nick-timeout 0 waits for a name forever", "[chat-server]") {
    ChatServer patient({"--nick-timeout", "0"});
    LineClient shy(patient.port);
    shy.until(prompt);
    // A second server with a short timeout closes a client that came after ours: by then ours
    // has waited longer than that without a name, and is still served.
    ChatServer strict({"--nick-timeout", "100ms"});
    LineClient later(strict.port);
    later.until(prompt);
    CHECK(later.until("goodbye\r\n") == "\r\nNo nickname chosen within 100ms, goodbye\r\n");
    CHECK(later.closed());
    shy.send_line("alice");
    CHECK(shy.line() == "Welcome, alice! Online: alice. Type /help for commands.");
}

TEST_CASE("chat-server on SIGTERM tells everyone, closes, prints a summary, exits 0",
          "[chat-server]") {
    ChatServer server;
    LineClient alice(server.port);
    join(alice, "alice");
    LineClient bob(server.port);
    join(bob, "bob");
    alice.line();
    LineClient undecided(server.port);
    undecided.until(prompt);
    alice.send_line("/who");
    alice.line();  // the server has seen all three
    server.process.send_signal(SIGTERM);
    CHECK(alice.line() == "* The server is shutting down");
    CHECK(bob.line() == "* The server is shutting down");
    CHECK(undecided.until("down\r\n") == "\r\n* The server is shutting down\r\n");
    CHECK(undecided.closed());
    CHECK(alice.closed());
    CHECK(bob.closed());
    REQUIRE(server.process.wait_for_exit() == 0);
    CHECK_THAT(server.process.err(), TCPKIT_CONTAINS("served 3 connection(s)"));
}

TEST_CASE("chat-server on a second SIGINT stops at once, without waiting for the drain",
          "[chat-server]") {
    ChatServer server({"--max-queue", "67108864", "--rate", "0"});
    LineClient alice(server.port);
    join(alice, "alice");
    LineClient sleepy(server.port);
    sleepy.socket().set_receive_buffer(4096);
    join(sleepy, "sleepy");
    alice.line();  // * sleepy joined
    // 16 MB for sleepy, who never reads: more than the sockets between them hold (a few MB at
    // most), less than its queue may, so its last lines cannot go out and the server's goodbye
    // to it waits behind them: its connection outlives the first SIGINT.
    std::string batch;
    for (int i = 0; i < 1000; ++i) {
        batch += std::string(1000, 'x') + "\n";
    }
    for (int i = 0; i < 16; ++i) {
        alice.send(batch);
    }
    alice.send_line("/who");
    REQUIRE(alice.line() == "Online (2): alice, sleepy");  // all of it is in sleepy's queue
    server.process.send_signal(SIGINT);
    server.process.wait_for_stderr_line("interrupted: stopping, letting 2 connection(s) finish");
    CHECK(alice.line() == "* The server is shutting down");
    CHECK(alice.closed());
    // Sent only once the first has been handled, so that the two cannot merge into one.
    server.process.send_signal(SIGINT);
    CHECK_THAT(server.process.wait_for_stderr_line("interrupted again"),
               TCPKIT_ENDS_WITH("interrupted again: stopping now"));
    REQUIRE(server.process.wait_for_exit(std::chrono::seconds(10)) == 0);
    CHECK_THAT(server.process.err(), !TCPKIT_CONTAINS("still open after"));
    CHECK_THAT(server.process.err(), !TCPKIT_CONTAINS("too slow"));
}

TEST_CASE(
    "chat-server conserves messages: 50 clients x 100 lines, each gets the others' 4900 in order",
    "[chat-server][load]") {
    constexpr int clients = 50;
    constexpr int lines_each = 100;
    ChatServer server({"--rate", "0"});
    std::vector<std::unique_ptr<LineClient>> everyone;
    for (int i = 0; i < clients; ++i) {
        everyone.push_back(std::make_unique<LineClient>(server.port));
        join(*everyone.back(), "c" + std::to_string(i));
    }
    for (int i = 0; i < clients; ++i) {
        everyone[i]->send(conserved_batch(i, lines_each));
    }
    for (int i = 0; i < clients; ++i) {
        ConservedLines lines(i);
        while (lines.received() < (clients - 1) * lines_each) {
            lines.take(everyone[i]->line());
        }
        CHECK(lines.senders() == static_cast<std::size_t>(clients - 1));
        everyone[i]->send_line("/who");
        CHECK(everyone[i]->line().rfind("Online (50)", 0) == 0);  // nothing extra came before it
    }
}

namespace {

// A member of a flooded room, read with the others in one poll() loop, so that every client
// reads at once, as real ones do, and the room's whole output is what limits them.
struct FloodedClient {
    FloodedClient(std::uint16_t port, int number, std::size_t padding)
        : socket(Socket::connect(port)), lines(number, padding) {}

    // Reads what is there (poll() said so); false once the server has closed the connection.
    bool take_input() {
        char chunk[65536];
        ssize_t count = ::recv(socket.fd(), chunk, sizeof chunk, 0);
        if (count <= 0) {
            return false;
        }
        buffer.append(chunk, static_cast<std::size_t>(count));
        std::size_t start = 0;
        for (std::size_t end; (end = buffer.find("\r\n", start)) != std::string::npos;
             start = end + 2) {
            on_line(buffer.substr(start, end - start));
        }
        buffer.erase(0, start);
        return true;
    }
    void on_line(const std::string& line) {
        if (!joined) {
            joined = line.find("Type /help for commands.") != std::string::npos;
        } else if (line.rfind("Online (", 0) == 0) {
            who = line;
        } else {
            lines.take(line);
        }
    }

    Socket socket;
    ConservedLines lines;
    std::string buffer;
    bool joined = false;
    std::string who;  // the answer to /who, once it came
};

// Reads every client in `clients` until `done()` or the deadline; returns whether done. A client
// the server closes fails the test.
template <typename Done>
bool read_all_until(std::vector<std::unique_ptr<FloodedClient>>& clients, Done done,
                    Timeout timeout = default_timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<pollfd> polled;
    for (auto& client : clients) {
        polled.push_back({client->socket.fd(), POLLIN, 0});
    }
    while (!done()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return false;
        }
        int ready = ::poll(polled.data(), polled.size(), static_cast<int>(left.count()));
        REQUIRE(ready >= 0);
        for (std::size_t i = 0; i < polled.size(); ++i) {
            if (polled[i].revents != 0) {
                INFO("client c" << i);
                REQUIRE(clients[i]->take_input());
            }
        }
    }
    return true;
}

// `clients` flooders named c0, c1, ..., each having read its greeting.
std::vector<std::unique_ptr<FloodedClient>> joined_flooders(std::uint16_t port, int clients,
                                                            std::size_t padding) {
    std::vector<std::unique_ptr<FloodedClient>> everyone;
    for (int i = 0; i < clients; ++i) {
        everyone.push_back(std::make_unique<FloodedClient>(port, i, padding));
        everyone.back()->socket.send_all("c" + std::to_string(i) + "\n");
    }
    REQUIRE(read_all_until(everyone, [&] {
        return std::all_of(everyone.begin(), everyone.end(), [](auto& c) { return c->joined; });
    }));
    return everyone;
}

}  // namespace

TEST_CASE(
    "chat-server over capacity slows the senders down: 40 clients paste 60 long lines each "
    "into small queues, and every one gets all the others' lines in order, nobody cut off",
    "[chat-server][load][overload]") {
    // 40 x 60 lines of 300 bytes: 700 KB for each client, far more than its 8 KiB queue and its
    // sockets hold, all due at once (a build without the pause cuts most of them off). The room is
    // over capacity as a whole, so the server stops reading from the senders until the readers have
    // caught up, instead of cutting them off.
    constexpr int clients = 40;
    constexpr int lines_each = 60;
    constexpr std::size_t padding = 300;
    ChatServer server({"--rate", "0", "--max-queue", "8192"});
    auto everyone = joined_flooders(server.port, clients, padding);
    for (int i = 0; i < clients; ++i) {
        // Small enough to fit in the sockets, so that a paused server never blocks the test.
        everyone[i]->socket.send_all(conserved_batch(i, lines_each, padding));
    }
    auto all_received = [&] {
        return std::all_of(everyone.begin(), everyone.end(), [](auto& c) {
            return c->lines.received() == (clients - 1) * lines_each;
        });
    };
    REQUIRE(read_all_until(everyone, all_received, std::chrono::seconds(60)));
    for (auto& client : everyone) {
        CHECK(client->lines.senders() == static_cast<std::size_t>(clients - 1));
        client->socket.send_all("/who\n");
    }
    // Nothing else came for anyone, and all are still there.
    REQUIRE(read_all_until(everyone, [&] {
        return std::all_of(everyone.begin(), everyone.end(),
                           [](auto& c) { return !c->who.empty(); });
    }));
    for (auto& client : everyone) {
        CHECK(client->who.rfind("Online (40)", 0) == 0);
    }
    CHECK_THAT(server.process.wait_for_stderr_line("room congested"),
               TCPKIT_CONTAINS("senders wait"));
    CHECK_THAT(server.process.err(), !TCPKIT_CONTAINS("too slow"));
}

TEST_CASE("chat-server over capacity still cuts off the one client that never reads, and only it",
          "[chat-server][load][overload]") {
    constexpr int clients = 30;
    constexpr int lines_each = 60;
    constexpr std::size_t padding = 300;
    ChatServer server({"--rate", "0", "--max-queue", "8192"});
    auto everyone = joined_flooders(server.port, clients, padding);
    LineClient sleepy(server.port);
    sleepy.socket().set_receive_buffer(4096);
    join(sleepy, "sleepy");
    int sleepy_left = 0;
    for (int i = 0; i < clients; ++i) {
        everyone[i]->socket.send_all(conserved_batch(i, lines_each, padding));
    }
    for (auto& client : everyone) {
        client->lines.on_announcement = [&](const std::string& line) {
            sleepy_left += line == "* sleepy left (too slow)" ? 1 : 0;
        };
    }
    REQUIRE(read_all_until(
        everyone,
        [&] {
            return std::all_of(everyone.begin(), everyone.end(), [](auto& c) {
                return c->lines.received() == (clients - 1) * lines_each;
            });
        },
        std::chrono::seconds(60)));
    // Then c0 goes on, 10 lines at a time that everyone reads, until sleepy, who reads nothing,
    // has been sent more than its sockets and 8 KiB queue hold (at most 60 MB).
    int more = 0;
    for (int round = 0; round < 20'000 && sleepy_left < clients; ++round) {
        std::string batch;
        for (int i = 0; i < 10; ++i) {
            batch += "c0 m" + std::to_string(lines_each + more++) + " " +
                     std::string(padding, 'x') + "\n";
        }
        everyone[0]->socket.send_all(batch);
        REQUIRE(read_all_until(everyone, [&] {
            return std::all_of(everyone.begin() + 1, everyone.end(), [&](auto& c) {
                return c->lines.received() == (clients - 1) * lines_each + more;
            });
        }));
    }
    REQUIRE(read_all_until(everyone, [&] { return sleepy_left == clients; }));
    CHECK_THAT(server.process.wait_for_stderr_line("sleepy left"), TCPKIT_CONTAINS("too slow"));
    for (auto& client : everyone) {
        client->socket.send_all("/who\n");
    }
    REQUIRE(read_all_until(everyone, [&] {
        return std::all_of(everyone.begin(), everyone.end(),
                           [](auto& c) { return !c->who.empty(); });
    }));
    for (auto& client : everyone) {
        CHECK(client->who.rfind("Online (30)", 0) == 0);  // everyone else is still there
    }
}

namespace {

// How many people one presence line announces: "* c7 joined" is one, "* 12 joined: ..." twelve.
int people_in(const std::string& line, const std::string& verb) {
    if (line.rfind("* ", 0) != 0 || line.find(" " + verb) == std::string::npos) {
        return 0;
    }
    std::string first = line.substr(2, line.find(' ', 2) - 2);
    bool counted = line.find(" " + verb + ": ") != std::string::npos;
    return counted ? std::stoi(first) : 1;
}

}  // namespace

TEST_CASE("chat-server holds back a crowd's joins and leaves and announces them together",
          "[chat-server]") {
    // 20 at once and 5 a second are announced one by one; 100 arrivals within a few seconds
    // cannot all be, so some are announced together, and none is lost or out of order.
    constexpr int crowd = 100;
    ChatServer server;
    LineClient alice(server.port);
    join(alice, "alice");
    std::vector<std::unique_ptr<LineClient>> people;
    for (int i = 0; i < crowd; ++i) {
        people.push_back(std::make_unique<LineClient>(server.port));
        join(*people.back(), "c" + std::to_string(i));
    }
    people.back()->send_line("hello");  // held-back joins are announced before this line

    int announced = 0;
    int lines = 0;
    bool together = false;
    for (;;) {
        std::string line = alice.line();
        if (line == "c99: hello") {
            break;
        }
        int count = people_in(line, "joined");
        REQUIRE(count > 0);
        if (count > 1) {
            together = true;
            // "* 80 joined: c20, c21, ... c29, +70": the first ten names, then how many more.
            CHECK(line.find(": c") != std::string::npos);
            CHECK(line.find(", +" + std::to_string(count - 10)) != std::string::npos);
        }
        announced += count;
        ++lines;
    }
    CHECK(announced == crowd);
    CHECK(together);
    CHECK(lines < crowd);

    people.clear();  // everyone leaves at once; the leaves come together within a second or two
    int left = 0;
    while (left < crowd) {
        left += people_in(alice.line(), "left");
    }
    CHECK(left == crowd);
    alice.send_line("/who");
    CHECK(alice.line() == "Online (1): alice");
}

TEST_CASE("chat-server keeps the order of a pasted block that mixes lines and commands",
          "[chat-server]") {
    // Lines said in one read leave together as one message; whatever else the block does
    // (a private message, a rename, leaving) must still come in the order it was typed.
    ChatServer server;
    ThreePeople room(server.port);
    auto& [alice, bob, carol] = room;

    alice.send("one\n/msg bob psst\ntwo\n/nick ann\nthree\n/me waves\nlast words\n/quit\n");
    CHECK(bob.line() == "alice: one");
    CHECK(bob.line() == "[private] alice: psst");
    CHECK(bob.line() == "alice: two");
    CHECK(bob.line() == "* alice is now known as ann");
    CHECK(bob.line() == "ann: three");
    CHECK(bob.line() == "* ann waves");
    CHECK(bob.line() == "ann: last words");
    CHECK(bob.line() == "* ann left");
    CHECK(carol.lines_until("* ann left") ==
          std::vector<std::string>{"alice: one", "alice: two", "* alice is now known as ann",
                                   "ann: three", "* ann waves", "ann: last words"});
    // Her own lines never come back to her, under either name.
    CHECK(alice.lines_until("Bye!") ==
          std::vector<std::string>{"[private to bob] psst", "You are now known as ann"});
}

namespace {

// Sends 1 MiB blocks of blank lines from one client until stopped. The server reads and drops
// blank lines, so it has little work per byte and sends nothing back: the client's socket
// never runs dry. A flood that dies (its connection dropped, a send timed out) says why.
class Flood {
  public:
    explicit Flood(LineClient& client) : thread_([this, &client] { run(client); }) {}
    ~Flood() { stop(); }
    Flood(const Flood&) = delete;
    Flood& operator=(const Flood&) = delete;

    std::size_t blocks_sent() {
        std::lock_guard lock(mutex_);
        return blocks_sent_;
    }
    // Waits until `count` blocks have gone out in all; returns why not if they did not.
    std::string wait_until_sent(std::size_t count, Timeout timeout = default_timeout) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, timeout, [&] { return blocks_sent_ >= count || ended_; });
        if (blocks_sent_ >= count) {
            return "";
        }
        return (ended_ ? failure_ : "timed out") + " after " + std::to_string(blocks_sent_) +
               " of " + std::to_string(count) + " block(s)";
    }
    // Stops sending; returns why the flood ended early, or nothing if it was still going.
    std::string stop() {
        stop_ = true;
        if (thread_.joinable()) {
            thread_.join();
        }
        return failure_;
    }

  private:
    void run(LineClient& client) {
        std::string block;
        while (block.size() < (std::size_t{1} << 20)) {
            block += std::string(1000, ' ') + "\n";
        }
        std::string failure;
        try {
            while (!stop_) {
                client.send(block);
                std::lock_guard lock(mutex_);
                ++blocks_sent_;
                changed_.notify_all();
            }
        } catch (const std::exception& error) {
            failure = std::string("the flood died (") + error.what() + ")";
        }
        std::lock_guard lock(mutex_);
        failure_ = failure;
        ended_ = true;
        changed_.notify_all();
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t blocks_sent_ = 0;
    bool ended_ = false;
    std::string failure_;
    std::atomic<bool> stop_{false};
    std::thread thread_;  // last: it starts with everything above in place
};

}  // namespace

TEST_CASE("chat-server keeps serving everyone while one client sends without pause",
          "[chat-server]") {
    // A client whose socket never runs dry must not keep the room's one thread to itself:
    // the others' lines still go out, promptly.
    ChatServer server({"--rate", "0", "--max-line", "65536"});
    ThreePeople room(server.port);
    auto& [alice, bob, carol] = room;
    Flood flood(carol);
    // Under way before the pings, and (below) still going after them: carol's socket is not
    // empty while they go round.
    REQUIRE(flood.wait_until_sent(1) == "");
    for (int round = 0; round < 20; ++round) {
        alice.send_line("ping " + std::to_string(round));
        REQUIRE(bob.line(std::chrono::seconds(5)) == "alice: ping " + std::to_string(round));
    }
    // The server kept reading carol too, and her connection is whole.
    REQUIRE(flood.wait_until_sent(flood.blocks_sent() + 1) == "");
    REQUIRE(flood.stop() == "");
    carol.send_line("/who");
    std::vector<std::string> pings;
    for (int round = 0; round < 20; ++round) {
        pings.push_back("alice: ping " + std::to_string(round));
    }
    CHECK(carol.lines_until("Online (3): alice, bob, carol") == pings);
}

namespace {

// The chat server's first words to a newcomer in an empty room.
const std::string first_banner = std::string("Welcome to tcpkit chat. Online: 1\r\n") + prompt;

}  // namespace

TEST_CASE("chat-server --allow 127.0.0.2 refuses 127.0.0.1 before the banner, serves 127.0.0.2",
          "[chat-server][access]") {
    ChatServer server({"--allow", "127.0.0.2"});
    auto refused = Socket::connect(server.port);
    require_reset(refused);
    CHECK_THAT(server.process.wait_for_stderr_line("refused 127.0.0.1:"),
               TCPKIT_ENDS_WITH(": not allowed by --allow/--deny"));
    auto allowed = Socket::connect_from("127.0.0.2", server.port);
    REQUIRE(allowed.read_exactly(first_banner.size()) == first_banner);
    server.process.wait_for_stderr_line("connection from 127.0.0.2:");
}

TEST_CASE("chat-server --deny 127.0.0.1 refuses 127.0.0.1 and serves 127.0.0.2 and ::1",
          "[chat-server][access]") {
    // One server on both families, to show that one filter tells them apart.
    ServerOnBothFamilies both("chat-server", {"--deny", "127.0.0.1"});
    Process& server = both.process;
    auto port = both.port;
    bool has_ipv6 = both.has_ipv6;
    if (!has_ipv6) {
        WARN("no ::1 here: only 127.0.0.1 and 127.0.0.2 are tested");
    }
    auto refused = Socket::connect(port);
    require_reset(refused);
    server.wait_for_stderr_line("refused 127.0.0.1:");
    auto served = Socket::connect_from("127.0.0.2", port);
    REQUIRE(served.read_exactly(first_banner.size()) == first_banner);
    if (has_ipv6) {
        auto over_ipv6 = Socket::connect(port, true);
        // Online counts those who have chosen a nickname: the other is still at the prompt.
        REQUIRE(over_ipv6.read_exactly(first_banner.size()) == first_banner);
    }
}
