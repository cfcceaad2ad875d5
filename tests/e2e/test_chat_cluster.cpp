// End-to-end: two and three real `tcpkit chat-server --cluster` nodes on one machine forming one
// room through a redis-server of the test's own, with real line clients on loopback.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "catch.h"
#include "chat_client.h"
#include "line_client.h"
#include "loopback.h"
#include "process.h"
#include "redis_server.h"

using namespace tcpkit::test;

namespace {

using Clock = std::chrono::steady_clock;

// The cases that need Redis return early, with a warning, where none is installed.
#define SKIP_WITHOUT_REDIS()                            \
    if (!RedisServer::installed()) {                    \
        WARN("redis-server is not installed: skipped"); \
        return;                                         \
    }

std::vector<std::string> node_args(const std::string& url, const std::string& room,
                                   std::vector<std::string> extra) {
    std::vector<std::string> all = {tcpkit_binary(), "chat-server", "--host",    "127.0.0.1",
                                    "--port",        "0",           "--cluster", url,
                                    "--room",        room};
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
}

// One chat-server of the room. Its `listening on` line comes once it is connected to Redis,
// subscribed and has loaded the room's members, so its clients may talk across nodes at once.
// A join reaches the other nodes as an event published once the name is taken, so a node that
// was already running may greet someone before it hears of a join a moment earlier elsewhere
// (and then announce it just after the greeting): the tests start a node after the members
// its first greeting should list have joined, or greet only where the joins were seen.
struct Node {
    Node(const RedisServer& redis, const std::string& room, std::vector<std::string> extra = {})
        : Node(redis.url(), room, std::move(extra)) {}
    Node(const std::string& url, const std::string& room, std::vector<std::string> extra)
        : process(node_args(url, room, std::move(extra))) {}
    Process process;
    std::uint16_t port = listening_port(process);
};

// alice on the first node; then the second node (started once she is in, so that its greeting
// lists her) and bob on it, whose join she has seen.
struct AliceAndBob {
    explicit AliceAndBob(const std::string& room, const std::vector<std::string>& extra = {})
        : first(redis, room, extra),
          alice(first.port),
          second((join(alice, "alice"), redis), room, extra),
          bob(second.port) {
        join(bob, "bob");
        CHECK(alice.line() == "* bob joined");
    }
    RedisServer redis;
    Node first;
    LineClient alice;
    Node second;
    LineClient bob;
};

bool starts_with(const std::string& text, std::string_view prefix) {
    return text.rfind(prefix, 0) == 0;
}

// The lines a client reads before one that starts with `prefix`, and that line.
struct Reading {
    std::vector<std::string> before;
    std::string line;
};

Reading read_until_prefix(LineClient& client, std::string_view prefix,
                          Timeout timeout = default_timeout) {
    auto deadline = Clock::now() + timeout;
    Reading reading;
    for (;;) {
        auto left = std::chrono::duration_cast<Timeout>(deadline - Clock::now());
        std::string next = client.line(left.count() > 0 ? left : Timeout(0));
        if (starts_with(next, prefix)) {
            reading.line = next;
            return reading;
        }
        reading.before.push_back(std::move(next));
    }
}

// Whether every line is a presence announcement ("* bob joined", "* 3 joined: ...", renames):
// the lines a heal may bring besides the chat itself.
bool only_announcements(const std::vector<std::string>& lines) {
    return std::all_of(lines.begin(), lines.end(),
                       [](const std::string& line) { return starts_with(line, "* "); });
}

// Whether `process` writes a stderr line containing `needle` within `timeout`.
bool logs_within(Process& process, std::string_view needle, Timeout timeout) {
    try {
        process.wait_for_stderr_line(needle, timeout);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

// What `process` has written to stderr so far, for a failure's message (it waits a little for
// the last lines of a node that is going away).
std::string log_so_far(Process& process) {
    logs_within(process, "\x01 (a line no node writes)", 500ms);
    return process.err();
}

}  // namespace

TEST_CASE("cluster: a line reaches every member on every node once, in order, not its sender",
          "[cluster]") {
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    Node a(redis, "order");
    CHECK_THAT(a.process.wait_for_stderr_line("cluster: node "),
               TCPKIT_ENDS_WITH(
                   " in room 'order' at redis://127.0.0.1:" + std::to_string(redis.port()) + "/0"));
    LineClient alice(a.port);
    CHECK(join(alice, "alice") == "Welcome, alice! Online: alice. Type /help for commands.");
    Node b(redis, "order");
    LineClient bob(b.port);
    CHECK(join(bob, "bob") == "Welcome, bob! Online: alice, bob. Type /help for commands.");
    CHECK(alice.line() == "* bob joined");
    Node c(redis, "order");
    LineClient carol(c.port);
    CHECK(join(carol, "carol") ==
          "Welcome, carol! Online: alice, bob, carol. Type /help for commands.");
    CHECK(alice.line() == "* carol joined");
    CHECK(bob.line() == "* carol joined");
    LineClient ann(a.port);  // on alice's node: a local member sees remote lines as well
    join(ann, "ann");
    CHECK(alice.line() == "* ann joined");
    CHECK(bob.line() == "* ann joined");
    CHECK(carol.line() == "* ann joined");
    CHECK_THAT(a.process.wait_for_stderr_line("bob joined on node "),
               TCPKIT_CONTAINS("bob joined on node "));

    // alice and bob, on two nodes, each say twenty lines in one write at the same time: each
    // sender's lines arrive in the order said, each once, on every node, never to the sender.
    std::map<std::string, std::vector<std::string>> said;
    for (const std::string sender : {"alice", "bob"}) {
        for (int i = 0; i < 20; ++i) {
            said[sender].push_back(sender + ": line " + std::to_string(i));
        }
    }
    std::string alice_batch;
    std::string bob_batch;
    for (int i = 0; i < 20; ++i) {
        alice_batch += "line " + std::to_string(i) + "\n";
        bob_batch += "line " + std::to_string(i) + "\n";
    }
    alice.send(alice_batch);
    bob.send(bob_batch);
    auto by_sender = [](LineClient& member, int count) {
        std::map<std::string, std::vector<std::string>> got;
        for (int i = 0; i < count; ++i) {
            std::string line = member.line();
            got[line.substr(0, line.find(':'))].push_back(line);
        }
        return got;
    };
    using Said = std::map<std::string, std::vector<std::string>>;
    CHECK(by_sender(carol, 40) == said);
    CHECK(by_sender(ann, 40) == said);
    CHECK(by_sender(alice, 20) == Said{{"bob", said["bob"]}});
    CHECK(by_sender(bob, 20) == Said{{"alice", said["alice"]}});
    // carol answers once she has them all: whatever came before her answer came once.
    carol.send_line("got them");
    CHECK(bob.line() == "carol: got them");
    CHECK(ann.line() == "carol: got them");
    CHECK(alice.line() == "carol: got them");
    carol.send_line("/who");
    CHECK(carol.line() == "Online (4): alice, ann, bob, carol");
}

TEST_CASE("cluster: /me, renames, joins and leaves with their reasons reach the other nodes",
          "[cluster]") {
    SKIP_WITHOUT_REDIS();
    AliceAndBob two("presence");
    auto& [redis, a, alice, b, bob] = two;

    bob.send_line("/me waves");
    CHECK(alice.line() == "* bob waves");

    bob.send_line("/nick robert");
    CHECK(bob.line() == "You are now known as robert");
    CHECK(alice.line() == "* bob is now known as robert");
    alice.send_line("/nick Robert");  // taken on the other node, compared case-insensitively
    CHECK(alice.line() == "The nickname Robert is taken, please choose another");
    alice.send_line("/who");
    CHECK(alice.line() == "Online (2): alice, robert");

    LineClient newcomer(a.port);  // the old name is free again, on either node
    CHECK(join(newcomer, "bob") ==
          "Welcome, bob! Online: alice, bob, robert. Type /help for commands.");
    CHECK(alice.line() == "* bob joined");
    CHECK(bob.line() == "* bob joined");
    // The room's history (20 lines by default) came from Redis, said on the other node.
    CHECK(newcomer.lines_until("--- end of history ---") ==
          std::vector<std::string>{"--- the last 1 message(s) ---", "[history] * bob waves"});

    bob.send_line("/quit bye");
    CHECK(bob.line() == "Bye!");
    CHECK(bob.closed());
    CHECK(alice.line() == "* robert left (quit: bye)");
    CHECK(newcomer.line() == "* robert left (quit: bye)");
    CHECK_THAT(a.process.wait_for_stderr_line("robert left on node "),
               TCPKIT_ENDS_WITH("(quit: bye)"));

    LineClient dave(b.port);
    join(dave, "dave");
    CHECK(alice.line() == "* dave joined");
    dave.send("half-typed");  // never finished: not sent to the room
    dave.socket().reset();
    CHECK(alice.line() == "* dave left (connection lost)");

    LineClient eve(b.port);
    join(eve, "eve");
    CHECK(alice.line() == "* eve joined");
    eve.send_line("/quit");
    CHECK(alice.line() == "* eve left");

    LineClient fay(b.port);
    join(fay, "fay");
    CHECK(alice.line() == "* fay joined");
    fay.send("last words without a newline");
    fay.socket().shutdown_write();
    CHECK(alice.line() == "fay: last words without a newline");
    CHECK(alice.line() == "* fay left");

    alice.send_line("/who");
    CHECK(alice.line() == "Online (2): alice, bob");
}

TEST_CASE("cluster: /msg reaches its target on another node, and an unknown name is an error",
          "[cluster]") {
    SKIP_WITHOUT_REDIS();
    AliceAndBob two("private");
    auto& [redis, a, alice, b, bob] = two;
    LineClient carol(b.port);  // on bob's node: she must not see what is meant for bob
    join(carol, "carol");
    CHECK(alice.line() == "* carol joined");
    CHECK(bob.line() == "* carol joined");

    alice.send_line("/msg BOB just between us");
    CHECK(alice.line() == "[private to bob] just between us");
    CHECK(bob.line() == "[private] alice: just between us");
    bob.send_line("/msg alice and back");
    CHECK(bob.line() == "[private to alice] and back");
    CHECK(alice.line() == "[private] bob: and back");
    alice.send_line("/msg nobody hello");
    CHECK(alice.line() == "No one called nobody is online");

    alice.send_line("public now");
    CHECK(carol.line() == "alice: public now");  // carol never saw the private lines
    CHECK(bob.line() == "alice: public now");
}

TEST_CASE("cluster: /who, the banner and the greeting count and list the whole room", "[cluster]") {
    SKIP_WITHOUT_REDIS();
    AliceAndBob two("who");
    auto& [redis, a, alice, b, bob] = two;

    LineClient carol(a.port);
    CHECK(carol.until(prompt) == std::string("Welcome to tcpkit chat. Online: 3\r\n") + prompt);
    carol.send_line("carol");
    CHECK(carol.line() == "Welcome, carol! Online: alice, bob, carol. Type /help for commands.");
    CHECK(bob.line() == "* carol joined");
    bob.send_line("/who");
    CHECK(bob.line() == "Online (3): alice, bob, carol");
    alice.line();  // * carol joined
    alice.send_line("/who");
    CHECK(alice.line() == "Online (3): alice, bob, carol");

    LineClient late(b.port);
    CHECK(late.until(prompt) == std::string("Welcome to tcpkit chat. Online: 4\r\n") + prompt);
    late.send_line("ALICE");  // taken on the other node
    CHECK(late.line() == "The nickname ALICE is taken, please choose another");
    CHECK(late.until(prompt) == prompt);
}

TEST_CASE("cluster: two people asking for the same free name on two nodes at once: one gets it",
          "[cluster]") {
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    Node a(redis, "race");
    Node b(redis, "race");
    constexpr int rounds = 20;
    std::vector<std::unique_ptr<LineClient>> winners;
    std::vector<std::string> winner_names;  // as each winner spelt it
    for (int round = 0; round < rounds; ++round) {
        std::string name = "race" + std::to_string(round);
        // Every other round the second asks in capitals: the same name, case-insensitively.
        std::string other_name = round % 2 == 0 ? name : "RACE" + std::to_string(round);
        auto on_a = std::make_unique<LineClient>(a.port);
        auto on_b = std::make_unique<LineClient>(b.port);
        on_a->until(prompt);
        on_b->until(prompt);
        // Back to back, each node first in turn: both claims are in flight at once.
        if (round % 2 == 0) {
            on_a->send_line(name);
            on_b->send_line(other_name);
        } else {
            on_b->send_line(other_name);
            on_a->send_line(name);
        }
        std::string answer_a = on_a->line();
        std::string answer_b = on_b->line();
        bool a_won = starts_with(answer_a, "Welcome, " + name + "!");
        bool b_won = starts_with(answer_b, "Welcome, " + other_name + "!");
        INFO("round " << round << ": node a said '" << answer_a << "', node b said '" << answer_b
                      << "'");
        REQUIRE(a_won != b_won);
        if (a_won) {
            CHECK(answer_b == "The nickname " + other_name + " is taken, please choose another");
            CHECK(on_b->until(prompt) == prompt);
            winners.push_back(std::move(on_a));
            winner_names.push_back(name);
        } else {
            CHECK(answer_a == "The nickname " + name + " is taken, please choose another");
            CHECK(on_a->until(prompt) == prompt);
            winners.push_back(std::move(on_b));
            winner_names.push_back(other_name);
        }
    }
    // The first winner hears of each later one once, whichever node it was on.
    std::multiset<std::string> announced;
    for (int round = 1; round < rounds; ++round) {
        announced.insert(winners.front()->line());
    }
    std::multiset<std::string> expected;
    for (int round = 1; round < rounds; ++round) {
        expected.insert("* " + winner_names[round] + " joined");
    }
    CHECK(announced == expected);
    winners.front()->send_line("/who");
    CHECK(starts_with(winners.front()->line(), "Online (" + std::to_string(rounds) + "): "));
}

TEST_CASE("cluster: --history is the room's: a newcomer on either node gets the same lines",
          "[cluster]") {
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    Node a(redis, "history", {"--history", "3"});
    LineClient alice(a.port);
    join(alice, "alice");
    Node b(redis, "history", {"--history", "3"});
    LineClient carol(b.port);
    join(carol, "carol");
    CHECK(alice.line() == "* carol joined");
    alice.send_line("one");
    alice.send_line("two");
    alice.send_line("/me counts three");
    CHECK(carol.line() == "alice: one");
    CHECK(carol.line() == "alice: two");
    CHECK(carol.line() == "* alice counts three");
    carol.send_line("four from the other node");
    CHECK(alice.line() == "carol: four from the other node");

    const std::vector<std::string> history = {
        "--- the last 3 message(s) ---", "[history] alice: two", "[history] * alice counts three",
        "[history] carol: four from the other node", "--- end of history ---"};
    for (std::uint16_t port : {a.port, b.port}) {
        LineClient newcomer(port);
        std::string name = port == a.port ? "on_a" : "on_b";
        CHECK(starts_with(join(newcomer, name), "Welcome, " + name + "!"));
        std::vector<std::string> got;
        for (std::size_t i = 0; i < history.size(); ++i) {
            got.push_back(newcomer.line());
        }
        CHECK(got == history);
    }
}

TEST_CASE("cluster: --lang zh speaks Chinese across nodes", "[cluster]") {
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    Node a(redis, "zh", {"--lang", "zh"});
    LineClient ming(a.port);
    CHECK(ming.until("请输入昵称: ") == "在线人数: 1\r\n请输入昵称: ");
    ming.send_line("小明");
    CHECK(ming.line() == "欢迎小明加入! 在线: 小明。输入 /help 查看命令。");

    Node b(redis, "zh", {"--lang", "zh"});
    LineClient hong(b.port);
    CHECK(hong.until("请输入昵称: ") == "在线人数: 2\r\n请输入昵称: ");
    hong.send_line("小明");  // taken on the other node
    CHECK(hong.line() == "小明该昵称被占用了,请更换");
    hong.until("请输入昵称: ");
    hong.send_line("小红");
    CHECK(hong.line() == "欢迎小红加入! 在线: 小明, 小红。输入 /help 查看命令。");
    CHECK(ming.line() == "欢迎小红加入");
    LineClient third(a.port);  // node a has heard of 小红: the banner counts the whole room
    CHECK(third.until("请输入昵称: ") == "在线人数: 3\r\n请输入昵称: ");

    hong.send_line("你好");
    CHECK(ming.line() == "小红 说：你好");
    ming.send_line("/me 挥手");
    CHECK(hong.line() == "* 小明 挥手");
    ming.send_line("/msg 小红 悄悄话");
    CHECK(ming.line() == "[私聊给 小红] 悄悄话");
    CHECK(hong.line() == "[私聊] 小明 说：悄悄话");
    hong.send_line("/who");
    CHECK(hong.line() == "在线 (2): 小明, 小红");
    hong.send_line("/quit 再见");
    CHECK(ming.line() == "小红离开聊天室 (退出: 再见)");
}

TEST_CASE(
    "cluster: conserves messages: 50 clients over 3 nodes x 100 lines, each gets the others' "
    "4900 in order",
    "[cluster][load]") {
    SKIP_WITHOUT_REDIS();
    constexpr int clients = 50;
    constexpr int lines_each = 100;
    RedisServer redis;
    std::vector<std::unique_ptr<Node>> nodes;
    for (int i = 0; i < 3; ++i) {
        nodes.push_back(
            std::make_unique<Node>(redis, "conservation", std::vector<std::string>{"--rate", "0"}));
    }
    std::vector<std::unique_ptr<LineClient>> everyone;
    for (int i = 0; i < clients; ++i) {
        everyone.push_back(std::make_unique<LineClient>(nodes[i % 3]->port));
        join(*everyone.back(), "c" + std::to_string(i));
    }
    for (int i = 0; i < clients; ++i) {
        everyone[i]->send(conserved_batch(i, lines_each));
    }
    for (int i = 0; i < clients; ++i) {
        INFO("client c" << i << " on node " << i % 3);
        ConservedLines lines(i);
        while (lines.received() < (clients - 1) * lines_each) {
            lines.take(everyone[i]->line());
        }
        CHECK(lines.senders() == static_cast<std::size_t>(clients - 1));
        everyone[i]->send_line("/who");
        // Nothing but announcements before the answer: no line came twice.
        Reading who = read_until_prefix(*everyone[i], "Online (");
        CHECK(only_announcements(who.before));
        CHECK(starts_with(who.line, "Online (50): "));
    }
}

TEST_CASE("cluster: a node killed with SIGKILL: its members leave once, the names are free",
          "[cluster]") {
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    const std::vector<std::string> quick = {"--cluster-timeout", "2s"};
    Node doomed(redis, "kill", quick);
    LineClient alice(doomed.port);
    join(alice, "alice");
    LineClient ann(doomed.port);
    join(ann, "ann");
    Node b(redis, "kill", quick);
    LineClient bob(b.port);
    join(bob, "bob");
    Node c(redis, "kill", quick);
    LineClient carol(c.port);
    join(carol, "carol");
    CHECK(bob.line() == "* carol joined");
    for (LineClient* survivor : {&bob, &carol}) {
        survivor->send_line("/who");
        CHECK(read_until_prefix(*survivor, "Online (").line ==
              "Online (4): alice, ann, bob, carol");
    }

    doomed.process.send_signal(SIGKILL);
    REQUIRE(doomed.process.wait_for_exit() == 128 + SIGKILL);
    auto killed_at = Clock::now();
    const std::set<std::string> leaves = {"* alice left (connection lost)",
                                          "* ann left (connection lost)"};
    for (LineClient* survivor : {&bob, &carol}) {
        std::set<std::string> seen;
        while (seen.size() < leaves.size()) {
            std::string line = survivor->line(15s);
            if (leaves.count(line) != 1) {
                FAIL("a survivor read '" << line << "'\nnode b's log:\n"
                                         << log_so_far(b.process) << "node c's log:\n"
                                         << log_so_far(c.process));
            }
            REQUIRE(seen.insert(line).second);  // each once
        }
    }
    // The bound is --cluster-timeout and one heartbeat (2.5 s); generous for a busy machine.
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed_at);
    INFO("the leaves took " << took.count() << " ms");
    CHECK(took < 6s);
    // One survivor removed them, and says so.
    bool logged = logs_within(b.process, "gone (no heartbeat for 2s): 2 member(s) left", 1s) ||
                  logs_within(c.process, "gone (no heartbeat for 2s): 2 member(s) left", 1s);
    CHECK(logged);

    // The names are free again: the next thing the others see is alice joining anew.
    LineClient again(c.port);
    CHECK(join(again, "alice") ==
          "Welcome, alice! Online: alice, bob, carol. Type /help for commands.");
    CHECK(bob.line() == "* alice joined");
    CHECK(carol.line() == "* alice joined");
    LineClient ann_again(b.port);
    CHECK(starts_with(join(ann_again, "ann"), "Welcome, ann!"));
    bob.send_line("/who");
    CHECK(read_until_prefix(bob, "Online (").line == "Online (4): alice, ann, bob, carol");
}

TEST_CASE(
    "cluster: a node cut off for longer than --cluster-timeout: its members leave, then "
    "come back with it",
    "[cluster]") {
    SKIP_WITHOUT_REDIS();
    const std::vector<std::string> quick = {"--cluster-timeout", "2s"};
    AliceAndBob two("frozen", quick);
    auto& [redis, frozen, alice, b, bob] = two;

    // Stopped, it sends no heartbeat: to the others it is gone, as a dead node is.
    frozen.process.send_signal(SIGSTOP);
    CHECK(bob.line(15s) == "* alice left (connection lost)");
    bob.send_line("/who");
    CHECK(bob.line() == "Online (1): bob");
    bob.send_line("while you were away");

    // Going on, it finds it was given up, registers its members again, and they are back.
    frozen.process.send_signal(SIGCONT);
    CHECK(bob.line(15s) == "* alice joined");
    alice.send_line("I am back");
    Reading back = read_until_prefix(bob, "alice: I am back");
    CHECK(back.before.empty());
    bob.send_line("welcome back");
    // alice may be told that her node's link was down and is back (it was, to the room), and
    // may get what Redis kept for her node meanwhile; each once, nothing else.
    Reading seen = read_until_prefix(alice, "bob: welcome back");
    const std::set<std::string> allowed = {
        "bob: while you were away",
        "* The link to the other servers is down: you can reach only the 1 people on this server",
        "* The link to the other servers is back: 2 online"};
    std::set<std::string> distinct;
    for (const auto& line : seen.before) {
        INFO("alice read '" << line << "'");
        CHECK(allowed.count(line) == 1);
        CHECK(distinct.insert(line).second);
    }
    bob.send_line("/who");
    CHECK(bob.line() == "Online (2): alice, bob");
    alice.send_line("/who");
    CHECK(alice.line() == "Online (2): alice, bob");
}

TEST_CASE("cluster: a crowd on a killed node is announced as leaving, together when many",
          "[cluster]") {
    SKIP_WITHOUT_REDIS();
    constexpr int crowd = 30;
    RedisServer redis;
    const std::vector<std::string> quick = {"--cluster-timeout", "2s"};
    Node doomed(redis, "crowd", quick);
    std::vector<std::unique_ptr<LineClient>> people;
    for (int i = 0; i < crowd; ++i) {
        people.push_back(std::make_unique<LineClient>(doomed.port));
        join(*people.back(), "c" + std::to_string(i));
    }
    Node b(redis, "crowd", quick);
    LineClient bob(b.port);
    CHECK(starts_with(join(bob, "bob"), "Welcome, bob! Online: "));
    bob.send_line("/who");
    CHECK(starts_with(bob.line(), "Online (" + std::to_string(crowd + 1) + "): "));

    doomed.process.send_signal(SIGKILL);
    REQUIRE(doomed.process.wait_for_exit() == 128 + SIGKILL);
    // One by one ("* c7 left (connection lost)") within the node's budget, the rest together
    // ("* 10 left: c20, c21, ..."): each of them once in all.
    int left = 0;
    std::set<std::string> one_by_one;
    while (left < crowd) {
        std::string line = bob.line(15s);
        INFO("bob read '" << line << "'");
        if (line.find(" left: ") != std::string::npos) {
            CHECK_THAT(line, TCPKIT_CONTAINS(" left: c"));  // the first names of the group
            left += std::stoi(line.substr(2));
        } else {
            REQUIRE(starts_with(line, "* c"));
            REQUIRE_THAT(line, TCPKIT_ENDS_WITH(" left (connection lost)"));
            REQUIRE(one_by_one.insert(line).second);
            ++left;
        }
    }
    CHECK(left == crowd);
    bob.send_line("/who");
    CHECK(bob.line() == "Online (1): bob");
}

TEST_CASE("cluster: a node stopped with SIGTERM: its members leave at once, the names are free",
          "[cluster]") {
    SKIP_WITHOUT_REDIS();
    AliceAndBob two("stop");
    auto& [redis, stopping, alice, b, bob] = two;

    stopping.process.send_signal(SIGTERM);
    CHECK(alice.line() == "* The server is shutting down");
    CHECK(alice.closed());
    REQUIRE(stopping.process.wait_for_exit() == 0);
    // Not after --cluster-timeout (10 s here): the stopping node said so itself.
    CHECK(bob.line(5s) == "* alice left (their server stopped)");
    LineClient again(b.port);
    CHECK(join(again, "alice") == "Welcome, alice! Online: alice, bob. Type /help for commands.");
    CHECK(bob.line() == "* alice joined");
}

TEST_CASE("cluster: Redis stopped and restarted: each node chats locally, then the room heals",
          "[cluster]") {
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    Node a(redis, "split");
    LineClient alice(a.port);
    join(alice, "alice");
    LineClient ann(a.port);
    join(ann, "ann");
    CHECK(alice.line() == "* ann joined");
    Node b(redis, "split");
    LineClient bob(b.port);
    join(bob, "bob");
    CHECK(alice.line() == "* bob joined");
    CHECK(ann.line() == "* bob joined");
    alice.send_line("before");
    CHECK(bob.line() == "alice: before");
    CHECK(ann.line() == "alice: before");

    redis.stop();
    const std::string split = "* The link to the other servers is down: ";
    CHECK(alice.line() == split + "you can reach only the 2 people on this server");
    CHECK(ann.line() == split + "you can reach only the 2 people on this server");
    CHECK(bob.line() == split + "you can reach only the 1 people on this server");
    a.process.wait_for_stderr_count("cluster: ", 2);  // the start-up line, and the lost link

    // Each node is a room of its own meanwhile, and names are decided locally: both nodes give
    // out dave.
    alice.send_line("during the split");
    CHECK(ann.line() == "alice: during the split");
    bob.send_line("/who");
    CHECK(bob.line() == "Online (1): bob");  // alice's line did not reach him
    LineClient dave_on_a(a.port);
    CHECK(join(dave_on_a, "dave") ==
          "Welcome, dave! Online: alice, ann, dave. Type /help for commands.");
    CHECK(alice.line() == "* dave joined");
    CHECK(ann.line() == "* dave joined");
    LineClient dave_on_b(b.port);
    CHECK(join(dave_on_b, "dave") == "Welcome, dave! Online: bob, dave. Type /help for commands.");
    CHECK(bob.line() == "* dave joined");
    alice.send_line("/who");
    CHECK(alice.line() == "Online (3): alice, ann, dave");

    redis.start();
    const std::string back = "* The link to the other servers is back: ";
    std::map<std::string, Reading> healed;
    for (auto [name, member] : {std::pair{"alice", &alice},
                                {"ann", &ann},
                                {"bob", &bob},
                                {"dave on a", &dave_on_a},
                                {"dave on b", &dave_on_b}}) {
        healed[name] = read_until_prefix(*member, back);
        INFO(name << " read '" << healed[name].line << "'");
        CHECK(std::none_of(healed[name].before.begin(), healed[name].before.end(),
                           [&](const std::string& line) { return starts_with(line, split); }));
        CHECK(healed[name].line.find_first_of("0123456789", back.size()) == back.size());
        CHECK_THAT(healed[name].line, TCPKIT_ENDS_WITH(" online"));
    }

    // Across the nodes again, both ways; the heal may have announced who is back.
    alice.send_line("after the heal");
    Reading across = read_until_prefix(bob, "alice: after the heal");
    CHECK(only_announcements(across.before));
    bob.send_line("and back");
    across = read_until_prefix(alice, "bob: and back");
    CHECK(only_announcements(across.before));

    // One dave kept the name; the other was renamed and told, once.
    const std::string renamed =
        "* While the room was split, dave was taken on another server: you are now dave2. Use "
        "/nick to choose another name";
    int told = 0;
    for (auto [name, member] : {std::pair{"dave on a", &dave_on_a}, {"dave on b", &dave_on_b}}) {
        member->send_line("/who");
        Reading rest = read_until_prefix(*member, "Online (");
        CHECK(rest.line == "Online (5): alice, ann, bob, dave, dave2");
        std::vector<std::string> all = healed[name].before;
        all.insert(all.end(), rest.before.begin(), rest.before.end());
        told += static_cast<int>(std::count(all.begin(), all.end(), renamed));
    }
    CHECK(told == 1);
    bob.send_line("/who");
    CHECK(read_until_prefix(bob, "Online (").line == "Online (5): alice, ann, bob, dave, dave2");

    // No crash: both servers still serve and count the whole room. The restarted Redis kept
    // nothing, and lines said during the split were never shared: the room's history holds
    // only what was said since the heal.
    CHECK(a.process.running());
    CHECK(b.process.running());
    const std::vector<std::string> history = {"--- the last 2 message(s) ---",
                                              "[history] alice: after the heal",
                                              "[history] bob: and back", "--- end of history ---"};
    int online = 6;
    for (std::uint16_t port : {a.port, b.port}) {
        LineClient newcomer(port);
        CHECK(newcomer.until(prompt) ==
              "Welcome to tcpkit chat. Online: " + std::to_string(online++) + "\r\n" + prompt);
        newcomer.send_line(port == a.port ? "late_a" : "late_b");
        CHECK(starts_with(newcomer.line(), "Welcome, late_"));
        std::vector<std::string> got;
        for (std::size_t i = 0; i < history.size(); ++i) {
            got.push_back(newcomer.line());
        }
        CHECK(got == history);
        // Node b has heard of late_a before late_b's banner counts the room.
        read_until_prefix(bob, port == a.port ? "* late_a joined" : "* late_b joined");
    }
}

TEST_CASE(
    "cluster: Redis cuts off a node's subscription, as it does to one that falls behind: "
    "the node heals at once and says why",
    "[cluster]") {
    SKIP_WITHOUT_REDIS();
    AliceAndBob two("cut");
    auto& [redis, a, alice, b, bob] = two;

    // What client-output-buffer-limit pubsub does to a subscriber over its limit (seen for real
    // with a stopped node and a small limit: bench/findings.md), here at once and for both.
    CHECK(redis.command("CLIENT KILL TYPE pubsub") == ":2");
    const std::string split = "* The link to the other servers is down: ";
    CHECK(bob.line() == split + "you can reach only the 1 people on this server");
    CHECK(bob.line() == "* The link to the other servers is back: 2 online");
    CHECK(b.process.wait_for_stderr_line("cluster: lost Redis")
              .find("Redis ended the subscription") != std::string::npos);
    CHECK(logs_within(b.process, "client-output-buffer-limit pubsub", 5s));
    CHECK(logs_within(a.process, "the room is whole again", 5s));
    read_until_prefix(alice, "* The link to the other servers is back");

    alice.send_line("after the cut");
    CHECK(bob.line() == "alice: after the cut");
    bob.send_line("/who");
    CHECK(bob.line() == "Online (2): alice, bob");
}

TEST_CASE("cluster: a URL with a password and a database: the room is in that database",
          "[cluster]") {
    SKIP_WITHOUT_REDIS();
    RedisServer redis({.password = "secret"});
    std::string address = "127.0.0.1:" + std::to_string(redis.port());
    Node a("redis://:secret@" + address + "/3", "db", {});
    // The log names the database, not the password.
    CHECK_THAT(a.process.wait_for_stderr_line("cluster: node "),
               TCPKIT_ENDS_WITH(" in room 'db' at redis://" + address + "/3"));
    LineClient alice(a.port);
    join(alice, "alice");
    Node b("redis://default:secret@" + address + "/3", "db", {});  // a user name too
    LineClient bob(b.port);
    CHECK(join(bob, "bob") == "Welcome, bob! Online: alice, bob. Type /help for commands.");
    CHECK(alice.line() == "* bob joined");
    bob.send_line("same database");
    CHECK(alice.line() == "bob: same database");

    // The same room in database 0 is another room: its alice is someone else, and what is
    // said there does not reach database 3.
    Node elsewhere("redis://:secret@" + address, "db", {});
    LineClient other_alice(elsewhere.port);
    CHECK(join(other_alice, "alice") == "Welcome, alice! Online: alice. Type /help for commands.");
    other_alice.send_line("database 0 here");
    bob.send_line("still database 3");
    CHECK(alice.line() == "bob: still database 3");
    CHECK_THAT(a.process.err() + b.process.err() + elsewhere.process.err(),
               !TCPKIT_CONTAINS("secret"));
}

TEST_CASE("cluster: a URL with an IPv6 address reaches the same Redis as its IPv4 address",
          "[cluster]") {
    SKIP_WITHOUT_REDIS();
    if (!has_ipv6_loopback()) {
        WARN("no ::1 here: skipped");
        return;
    }
    RedisServer::Options on_both;
    on_both.also_ipv6 = true;
    RedisServer redis(on_both);
    std::string over_ipv6 = "redis://[::1]:" + std::to_string(redis.port());
    Node a(over_ipv6, "v6", {});
    CHECK_THAT(a.process.wait_for_stderr_line("cluster: node "),
               TCPKIT_ENDS_WITH(" in room 'v6' at " + over_ipv6 + "/0"));
    LineClient alice(a.port);
    join(alice, "alice");
    Node b(redis, "v6");  // redis://127.0.0.1:PORT
    LineClient bob(b.port);
    CHECK(join(bob, "bob") == "Welcome, bob! Online: alice, bob. Type /help for commands.");
    CHECK(alice.line() == "* bob joined");
    alice.send_line("over IPv6");
    CHECK(bob.line() == "alice: over IPv6");
}

TEST_CASE("cluster: --cluster-optional starts as a local room and joins when Redis comes",
          "[cluster]") {
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    redis.stop();  // its port is known, and nothing listens there yet
    Node a(redis, "late", {"--cluster-optional"});
    CHECK_THAT(a.process.wait_for_stderr_line("cannot reach Redis"), TCPKIT_CONTAINS("cluster:"));
    LineClient alice(a.port);
    join(alice, "alice");
    LineClient ann(a.port);
    join(ann, "ann");
    CHECK(alice.line() == "* ann joined");
    ann.send_line("just us");
    CHECK(alice.line() == "ann: just us");

    redis.start();
    // Trying again with back-off: well within the default timeout here.
    CHECK(alice.line() == "* The link to the other servers is back: 2 online");
    CHECK(ann.line() == "* The link to the other servers is back: 2 online");
    Node b(redis, "late");
    LineClient bob(b.port);
    CHECK(join(bob, "bob") == "Welcome, bob! Online: alice, ann, bob. Type /help for commands.");
    CHECK(alice.line() == "* bob joined");
    bob.send_line("found you");
    CHECK(alice.line() == "bob: found you");
    CHECK(ann.line() == "* bob joined");
    CHECK(ann.line() == "bob: found you");
}

namespace {

// `tcpkit chat-server ARGS` exits with `status` and one line on stderr containing `expected`.
void require_failure(std::vector<std::string> args, int status, const std::string& expected) {
    args.insert(args.begin(),
                {tcpkit_binary(), "chat-server", "--host", "127.0.0.1", "--port", "0"});
    Process process(args);
    REQUIRE(process.wait_for_exit() == status);
    CHECK(std::count(process.err().begin(), process.err().end(), '\n') == 1);
    CHECK_THAT(process.err(), TCPKIT_CONTAINS(expected));
    CHECK_THAT(process.err(), !TCPKIT_CONTAINS("listening on"));
}

}  // namespace

TEST_CASE("cluster: a malformed --cluster URL or option is a usage error (exit 2)", "[cluster]") {
    for (const std::string& url :
         std::vector<std::string>{"http://127.0.0.1:6379", "redis://", "redis://127.0.0.1:99999",
                                  "redis://127.0.0.1:port", "redis://127.0.0.1:6379/db",
                                  "rediss://127.0.0.1:6379", "127.0.0.1:6379"}) {
        INFO("--cluster " << url);
        require_failure({"--cluster", url}, 2, "--cluster");
    }
    std::string url = "redis://127.0.0.1:" + std::to_string(unused_port());
    for (const std::string& room :
         std::vector<std::string>{"two words", "", std::string(65, 'r'), "a/b"}) {
        INFO("--room '" << room << "'");
        require_failure({"--cluster", url, "--room", room}, 2, "--room");
    }
    for (const std::string& timeout : std::vector<std::string>{"0s", "500ms", "61s", "soon"}) {
        INFO("--cluster-timeout " << timeout);
        require_failure({"--cluster", url, "--cluster-timeout", timeout}, 2, "--cluster-timeout");
    }
}

TEST_CASE("cluster: a --cluster URL with nothing listening exits 1, unless --cluster-optional",
          "[cluster]") {
    std::string url = "redis://127.0.0.1:" + std::to_string(unused_port());
    require_failure({"--cluster", url}, 1, "cannot reach Redis");
    if (RedisServer::installed()) {
        RedisServer redis(
            {.password = "secret"});  // listening, but refusing the wrong password or none
        std::string address = "127.0.0.1:" + std::to_string(redis.port());
        require_failure({"--cluster", "redis://:wrong@" + address}, 1, "cannot reach Redis");
        require_failure({"--cluster", "redis://" + address}, 1, "cannot reach Redis");
    }

    Process optional({tcpkit_binary(), "chat-server", "--host", "127.0.0.1", "--port", "0",
                      "--cluster", url, "--cluster-optional"});
    std::uint16_t port = listening_port(optional);
    LineClient alice(port);
    join(alice, "alice");
    LineClient bob(port);
    join(bob, "bob");
    CHECK(alice.line() == "* bob joined");
    bob.send_line("local, for now");
    CHECK(alice.line() == "bob: local, for now");
    CHECK(optional.running());
}
