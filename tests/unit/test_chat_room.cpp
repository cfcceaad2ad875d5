// The room with fake participants: what each member receives, message by message.
#include "tcpkit/chat/chat_room.h"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catch.h"

using namespace tcpkit;
using namespace std::chrono_literals;

namespace {

// A member that keeps every message it is delivered, to be taken and checked in order.
class FakeParticipant final : public ChatParticipant {
  public:
    explicit FakeParticipant(std::string peer) : peer_(std::move(peer)) {}

    void deliver(const SharedBytes& message) override { messages_.push_back(message); }
    std::string peer() const override { return peer_; }
    void renamed_by_room(const std::string& new_name) override { renamed_to_ = new_name; }
    const std::string& renamed_to() const { return renamed_to_; }

    // The messages delivered since the last take, each as the bytes it carries.
    std::vector<std::string> take() {
        std::vector<std::string> taken;
        for (const auto& message : messages_) {
            taken.push_back(*message);
        }
        messages_.clear();
        return taken;
    }
    std::vector<SharedBytes> take_shared() { return std::exchange(messages_, {}); }

  private:
    std::string renamed_to_;
    std::string peer_;
    std::vector<SharedBytes> messages_;
};

using Messages = std::vector<std::string>;

struct Room {
    explicit Room(std::size_t history = 20, std::size_t max_said_together = 16 * 1024)
        : room(catalog, history, max_said_together) {}

    // Joins `name` at time `now` (the presence budget's clock) with a new fake participant.
    FakeParticipant& join(const std::string& name, ChatRoom::Clock::time_point now) {
        auto participant = std::make_shared<FakeParticipant>("127.0.0.1:" + name);
        people[name] = participant;
        room.join(name, participant, now);
        return *participant;
    }
    FakeParticipant& operator[](const std::string& name) { return *people.at(name); }
    // alice and early1 to early19 at `start`: the presence budget's burst of 20 is spent, and
    // alice has taken what she saw.
    FakeParticipant& spend_presence_budget() {
        auto& alice = join("alice", start);
        for (int i = 1; i < 20; ++i) {
            join("early" + std::to_string(i), start);
        }
        alice.take();
        return alice;
    }

    MessageCatalog catalog{Language::en};
    ChatRoom room;
    std::map<std::string, std::shared_ptr<FakeParticipant>> people;
    // Early enough that the budget, full since the room was made, has its whole burst.
    ChatRoom::Clock::time_point start = ChatRoom::Clock::now();
};

// alice, bob and carol, with the joins they saw taken.
struct ThreePeople : Room {
    explicit ThreePeople(std::size_t history = 20, std::size_t max_said_together = 16 * 1024)
        : Room(history, max_said_together) {
        for (const char* name : {"alice", "bob", "carol"}) {
            join(name, start);
        }
        for (auto& [name, person] : people) {
            person->take();
        }
    }
};

}  // namespace

TEST_CASE("chat room: a line goes to everyone else, never back to its sender", "[chat_room]") {
    ThreePeople three;
    three.room.say("alice", "hi");
    three.room.send_said();
    CHECK(three["bob"].take() == Messages{"alice: hi\r\n"});
    CHECK(three["carol"].take() == Messages{"alice: hi\r\n"});
    CHECK(three["alice"].take().empty());

    three.room.act("bob", "waves");
    three.room.send_said();
    CHECK(three["alice"].take() == Messages{"* bob waves\r\n"});
    CHECK(three["carol"].take() == Messages{"* bob waves\r\n"});
    CHECK(three["bob"].take().empty());
}

TEST_CASE("chat room: one message, shared by every receiver, for lines said together",
          "[chat_room]") {
    ThreePeople three;
    three.room.say("alice", "one");
    three.room.act("alice", "pastes");
    three.room.say("alice", "three");
    CHECK(three["bob"].take().empty());  // not before send_said()
    three.room.send_said();
    auto bobs = three["bob"].take_shared();
    auto carols = three["carol"].take_shared();
    REQUIRE(bobs.size() == 1);
    REQUIRE(carols.size() == 1);
    CHECK(*bobs[0] == "alice: one\r\n* alice pastes\r\nalice: three\r\n");
    CHECK(bobs[0] == carols[0]);  // the same bytes, formatted once

    // Someone else speaking sends what was said before as its own message.
    three.room.say("alice", "mine");
    three.room.say("bob", "yours");
    three.room.send_said();
    CHECK(three["carol"].take() == Messages{"alice: mine\r\n", "bob: yours\r\n"});
    CHECK(three["alice"].take() == Messages{"bob: yours\r\n"});
    CHECK(three["bob"].take() == Messages{"alice: mine\r\n"});
}

TEST_CASE("chat room: lines said together go out early at max_said_together bytes", "[chat_room]") {
    ThreePeople three(20, 20);
    three.room.say("alice", "0123456789");  // "alice: 0123456789\r\n" is 19 bytes
    CHECK(three["bob"].take().empty());
    three.room.say("alice", "x");  // 30 bytes: sent without waiting for send_said()
    CHECK(three["bob"].take() == Messages{"alice: 0123456789\r\nalice: x\r\n"});
    three.room.send_said();
    CHECK(three["bob"].take().empty());
}

TEST_CASE(
    "chat room: what was said comes before a private message, and only its recipient "
    "gets that",
    "[chat_room]") {
    ThreePeople three;
    three.room.say("carol", "before");
    three.room.say("alice", "public");
    CHECK(three.room.tell("alice", "BOB", "secret") == "bob");  // as they spell it
    CHECK(three["bob"].take() ==
          Messages{"carol: before\r\n", "alice: public\r\n", "[private] alice: secret\r\n"});
    CHECK(three["carol"].take() == Messages{"alice: public\r\n"});
    CHECK(three["alice"].take() == Messages{"carol: before\r\n"});  // its copy is the session's

    CHECK(three.room.tell("alice", "dave", "anyone?").empty());
    for (const char* name : {"alice", "bob", "carol"}) {
        CHECK(three[name].take().empty());
    }
}

TEST_CASE("chat room: a rename comes after the lines said under the old name", "[chat_room]") {
    ThreePeople three;
    three.room.say("alice", "as alice");
    three.room.rename("alice", "alicia");
    three.room.say("alicia", "as alicia");
    three.room.send_said();
    CHECK(three["bob"].take() == Messages{"alice: as alice\r\n",
                                          "* alice is now known as alicia\r\n",
                                          "alicia: as alicia\r\n"});
    CHECK(three["alice"].take().empty());  // not told of their own rename
    CHECK(three.room.names() == std::vector<std::string>{"alicia", "bob", "carol"});
    CHECK(three.room.tell("bob", "alicia", "found you") == "alicia");
    CHECK(three["alice"].take() == Messages{"[private] bob: found you\r\n"});
    CHECK(three.room.tell("bob", "alice", "gone?").empty());
}

TEST_CASE("chat room: your own name in another case is yours to take", "[chat_room]") {
    ThreePeople three;
    CHECK(three.room.is_available_to("Alice", "alice"));  // the same person
    CHECK(three.room.is_available_to("alice", "alice"));
    CHECK_FALSE(three.room.is_available_to("ALICE", "bob"));  // someone else's
    CHECK_FALSE(three.room.is_available_to("Alice", ""));     // a newcomer's choice
    CHECK(three.room.is_available_to("dave", ""));
    CHECK(three.room.is_available_to("Dave", "bob"));

    three.room.rename("alice", "Alice");
    CHECK(three["bob"].take() == Messages{"* alice is now known as Alice\r\n"});
    CHECK(three["alice"].take().empty());
    CHECK(three.room.names() == std::vector<std::string>{"Alice", "bob", "carol"});
    CHECK_FALSE(three.room.is_available_to("alice", "bob"));
}

TEST_CASE("chat room: joins and leaves come after what was said before them", "[chat_room]") {
    ThreePeople three;
    three.room.say("alice", "before dave");
    auto& dave = three.join("dave", three.start);
    CHECK(three["bob"].take() == Messages{"alice: before dave\r\n", "* dave joined\r\n"});
    CHECK(three["alice"].take() == Messages{"* dave joined\r\n"});
    CHECK(dave.take().empty());  // said before they came; not told of their own join

    three.room.say("bob", "bye");
    three.room.leave("bob", "quit: lunch", three.start);
    CHECK(three["carol"].take() == Messages{"alice: before dave\r\n", "* dave joined\r\n",
                                            "bob: bye\r\n", "* bob left (quit: lunch)\r\n"});
    CHECK(dave.take() == Messages{"bob: bye\r\n", "* bob left (quit: lunch)\r\n"});
    CHECK(three["bob"].take().empty());  // not told of their own leave

    three.room.leave("carol", "", three.start);
    CHECK(dave.take() == Messages{"* carol left\r\n"});
    CHECK(three.room.online() == 2);
}

TEST_CASE("chat room: past the presence budget, a crowd's joins are announced together",
          "[chat_room]") {
    Room room;
    auto& alice = room.join("alice", room.start);  // one of the burst of 20
    for (int i = 1; i < 20; ++i) {
        room.join("early" + std::to_string(i), room.start);
    }
    CHECK(alice.take().size() == 19);  // one by one

    for (int i = 0; i < 312; ++i) {
        room.join("p" + std::to_string(100 + i), room.start);
    }
    CHECK(alice.take().empty());  // held back
    room.room.announce_held_back();
    Messages together{
        "* 312 joined: p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, +302\r\n"};
    CHECK(alice.take() == together);
    CHECK(room["p411"].take() == together);  // the newcomers too: their names are in it
    room.room.announce_held_back();
    CHECK(alice.take().empty());  // nothing held back any more

    // The budget refills at 5 a second.
    auto later = room.start + 1s;
    for (int i = 0; i < 6; ++i) {
        room.join("late" + std::to_string(i), later);
    }
    CHECK(alice.take() == Messages{"* late0 joined\r\n", "* late1 joined\r\n", "* late2 joined\r\n",
                                   "* late3 joined\r\n", "* late4 joined\r\n"});
    room.room.announce_held_back();
    CHECK(alice.take() == Messages{"* late5 joined\r\n"});  // one held back: the plain line
    CHECK(room.room.online() == 1 + 19 + 312 + 6);
}

TEST_CASE("chat room: once something is held back, the rest waits behind it, in order",
          "[chat_room]") {
    Room room;
    auto& alice = room.spend_presence_budget();
    room.join("held", room.start);
    // The budget has refilled, but a leave must not overtake the join held back before it.
    room.room.leave("early1", "quit: bye", room.start + 10s);
    room.room.leave("early2", "", room.start + 10s);
    room.room.leave("early3", "", room.start + 10s);
    CHECK(alice.take().empty());
    // A line said after them comes after them.
    room.room.say("early4", "hello");
    room.room.send_said();
    CHECK(alice.take() == Messages{"* held joined\r\n", "* 3 left: early1, early2, early3\r\n",
                                   "early4: hello\r\n"});
}

TEST_CASE("chat room: a join or leave held back alone is announced as usual, with its reason",
          "[chat_room]") {
    Room room;
    auto& alice = room.spend_presence_budget();
    room.join("busy", room.start);  // the 21st at once: held back
    room.room.leave("busy", "quit: too busy", room.start);
    CHECK(alice.take().empty());
    room.room.announce_held_back();
    CHECK(alice.take() == Messages{"* busy joined\r\n", "* busy left (quit: too busy)\r\n"});
}

TEST_CASE("chat room: a newcomer is shown the last lines said, marked as history", "[chat_room]") {
    ThreePeople three(3);
    FakeParticipant newcomer("127.0.0.1:4000");
    three.room.replay_history(newcomer);
    CHECK(newcomer.take().empty());  // nothing said yet: no header either

    three.room.say("alice", "one");
    three.room.say("bob", "two");
    three.room.tell("bob", "alice", "not for the history");
    three.room.act("carol", "three");
    three.room.rename("carol", "caroline");
    three.room.say("alice", "four");
    three.room.send_said();
    three.room.replay_history(newcomer);
    CHECK(newcomer.take() == Messages{"--- the last 3 message(s) ---\r\n"
                                      "[history] bob: two\r\n"
                                      "[history] * carol three\r\n"
                                      "[history] alice: four\r\n"
                                      "--- end of history ---\r\n"});
}

TEST_CASE("chat room: a history of 0 lines replays nothing", "[chat_room]") {
    ThreePeople three(0);
    three.room.say("alice", "one");
    three.room.send_said();
    FakeParticipant newcomer("127.0.0.1:4000");
    three.room.replay_history(newcomer);
    CHECK(newcomer.take().empty());
}

TEST_CASE("chat room: the greeting's names, in alphabetical order ignoring case", "[chat_room]") {
    Room room;
    for (const char* name : {"carol", "Bob", "Zed", "alice", "adam"}) {
        room.join(name, room.start);
    }
    CHECK(room.room.list_names(20) == "adam, alice, Bob, carol, Zed");
    CHECK(room.room.list_names(5) == "adam, alice, Bob, carol, Zed");
    CHECK(room.room.list_names(2) == "adam, alice, +3");
    CHECK(room.room.names() == std::vector<std::string>{"adam", "alice", "Bob", "carol", "Zed"});
}

TEST_CASE(
    "chat room: closing tells everyone once, after what was held back; leaves are not "
    "announced then",
    "[chat_room]") {
    ThreePeople three;
    three.room.say("alice", "last words");
    three.room.close("Server shutting down\r\n");
    three.room.close("Server shutting down\r\n");
    CHECK(three["bob"].take() == Messages{"alice: last words\r\n", "Server shutting down\r\n"});
    CHECK(three["alice"].take() == Messages{"Server shutting down\r\n"});
    three.room.leave("alice", "", three.start);
    CHECK(three["bob"].take().empty());
    CHECK(three.room.online() == 2);
}

TEST_CASE("chat room: joins and leaves held back still come after what was said before them",
          "[chat_room]") {
    Room room;
    auto& alice = room.join("alice", room.start);
    auto& bob = room.join("bob", room.start);
    for (int i = 2; i < 20; ++i) {
        room.join("early" + std::to_string(i), room.start);
    }
    alice.take();
    bob.take();

    room.room.say("alice", "before dave");
    auto& dave = room.join("dave", room.start);               // held back
    CHECK(bob.take() == Messages{"alice: before dave\r\n"});  // at once, without the join
    CHECK(dave.take().empty());                               // said before he came
    room.room.announce_held_back();
    CHECK(bob.take() == Messages{"* dave joined\r\n"});

    room.room.say("bob", "bye");
    room.room.leave("bob", "", room.start);                                // held back
    CHECK(alice.take() == Messages{"* dave joined\r\n", "bob: bye\r\n"});  // at once
    CHECK(dave.take() == Messages{"* dave joined\r\n", "bob: bye\r\n"});
    room.room.announce_held_back();
    CHECK(alice.take() == Messages{"* bob left\r\n"});
}

// ---- A room across servers: what the room tells its link, and what it does with reports ----

namespace {

// A link that records what the room tells it, and decides name claims when told to.
class FakeLink final : public RoomLink {
  public:
    void claim(const std::string& key, const std::string& name, NameClaimDecided decided) override {
        calls.push_back("claim " + key + " " + name);
        pending.push_back(std::move(decided));
    }
    void release(const std::string& key) override { calls.push_back("release " + key); }
    void joined(const std::string& name) override { calls.push_back("joined " + name); }
    void left(const std::string& name, const std::string& reason) override {
        calls.push_back("left " + name + " (" + reason + ")");
    }
    void renamed(const std::string& old_name, const std::string& new_name) override {
        calls.push_back("renamed " + old_name + " " + new_name);
    }
    void said(const SharedBytes& message, std::span<const std::string> lines) override {
        calls.push_back("said " + *message);
        for (const auto& line : lines) {
            calls.push_back("history " + line);
        }
    }
    void tell(const std::string& node, const std::string& key,
              const SharedBytes& message) override {
        calls.push_back("tell " + node + " " + key + " " + *message);
    }
    void closing() override { calls.push_back("closing"); }
    void finish() override {}

    std::vector<std::string> take() { return std::exchange(calls, {}); }

    std::vector<std::string> calls;
    std::vector<NameClaimDecided> pending;
};

struct LinkedRoom : Room {
    LinkedRoom() { room.attach(&link); }
    FakeLink link;
};

}  // namespace

TEST_CASE("chat room: a local room grants a free name at once and refuses a taken one",
          "[chat_room]") {
    Room room;
    room.join("alice", room.start);
    std::vector<bool> decided;
    auto record = [&](const NameClaimOutcome& outcome) { decided.push_back(outcome.granted); };
    room.room.claim("bob", "", record);
    room.room.claim("ALICE", "", record);
    CHECK(decided == std::vector<bool>{true, false});
}

TEST_CASE("chat room: with a link, a name is decided by the link, and asked for once at a time",
          "[chat_room]") {
    LinkedRoom room;
    std::vector<bool> decided;
    auto record = [&](const NameClaimOutcome& outcome) { decided.push_back(outcome.granted); };
    room.room.claim("Bob", "", record);
    CHECK(decided.empty());
    CHECK(room.link.take() == Messages{"claim bob Bob"});
    room.room.claim("bob", "", record);  // someone here is asking for it already
    CHECK(decided == std::vector<bool>{false});
    room.link.pending.front()(NameClaimOutcome{true, std::vector<std::string>{"ann: old"}});
    CHECK(decided == std::vector<bool>{false, true});
    room.room.claim("bob", "", record);  // decided now: free again to ask for
    CHECK(room.link.take() == Messages{"claim bob bob"});
}

TEST_CASE("chat room: what happens here is told to the link", "[chat_room]") {
    LinkedRoom room;
    auto& alice = room.join("alice", room.start);
    room.room.say("alice", "hi");
    room.room.send_said();
    room.room.rename("alice", "Ally");
    room.room.leave("Ally", "quit: bye", room.start);
    CHECK(room.link.take() == Messages{"joined alice", "said alice: hi\r\n", "history alice: hi",
                                       "renamed alice Ally", "left Ally (quit: bye)"});
    CHECK(alice.take().size() == 0);
    room.room.close("* The server is shutting down\r\n");
    CHECK(room.link.take() == Messages{"closing"});
}

TEST_CASE(
    "chat room: members elsewhere count, are listed, and get private messages through the "
    "link",
    "[chat_room]") {
    LinkedRoom room;
    auto& alice = room.join("alice", room.start);
    room.link.take();
    CHECK(room.room.remote_joined("Bob", "node-b", room.start));
    CHECK_FALSE(room.room.remote_joined("bob", "node-b", room.start));  // known already
    CHECK(alice.take() == Messages{"* Bob joined\r\n"});
    CHECK(room.room.online() == 2);
    CHECK(room.room.names() == Messages{"alice", "Bob"});
    CHECK_FALSE(room.room.is_available_to("BOB", ""));
    CHECK(room.room.node_of("bob") == "node-b");

    // Nothing is delivered to Bob from here: his server does that.
    room.room.say("alice", "hi");
    room.room.send_said();
    CHECK(room.room.tell("alice", "bob", "psst") == "Bob");
    CHECK(room.link.take() == Messages{"said alice: hi\r\n", "history alice: hi",
                                       "tell node-b bob [private] alice: psst\r\n"});

    room.room.remote_said(make_shared_bytes("Bob: hello\r\n"));
    CHECK(room.room.remote_told("alice", make_shared_bytes("[private] Bob: back\r\n")));
    CHECK(alice.take() == Messages{"Bob: hello\r\n", "[private] Bob: back\r\n"});

    CHECK(room.room.remote_renamed("Bob", "Robert"));
    CHECK(alice.take() == Messages{"* Bob is now known as Robert\r\n"});
    CHECK(room.room.remote_left("robert", "quit: bye", room.start));
    CHECK(alice.take() == Messages{"* Robert left (quit: bye)\r\n"});
    CHECK(room.room.online() == 1);
    CHECK(room.link.take().empty());  // reports from elsewhere do not go back out
}

TEST_CASE("chat room: a node gone takes its members with it, with the reason", "[chat_room]") {
    LinkedRoom room;
    auto& alice = room.join("alice", room.start);
    room.room.remote_joined("bob", "node-b", room.start);
    room.room.remote_joined("bert", "node-b", room.start);
    room.room.remote_joined("carol", "node-c", room.start);
    alice.take();
    auto gone = room.room.remote_node_gone("node-b", "connection lost", room.start);
    CHECK(gone == Messages{"bert", "bob"});
    CHECK(alice.take() ==
          Messages{"* bert left (connection lost)\r\n", "* bob left (connection lost)\r\n"});
    CHECK(room.room.names() == Messages{"alice", "carol"});
}

TEST_CASE("chat room: split, the room goes on here, and rejoined, it is whole again",
          "[chat_room]") {
    LinkedRoom room;
    auto& alice = room.join("alice", room.start);
    room.join("ann", room.start);
    room.room.remote_joined("bob", "node-b", room.start);
    alice.take();
    room.room.split();
    room.room.split();  // told once
    CHECK(alice.take() == Messages{"* The link to the other servers is down: you can reach only "
                                   "the 2 people on this server\r\n"});
    CHECK(room.room.names() == Messages{"alice", "ann"});
    CHECK(room.room.is_available_to("bob", ""));

    room.room.rejoined({{"bob", "node-b"}, {"carol", "node-c"}});
    CHECK(alice.take() == Messages{"* The link to the other servers is back: 4 online\r\n"});
    CHECK(room.room.names() == Messages{"alice", "ann", "bob", "carol"});
    CHECK(room.room.local_members() ==
          std::vector<std::pair<std::string, std::string>>{{"alice", "alice"}, {"ann", "ann"}});
}

TEST_CASE("chat room: a name taken elsewhere during a split is renamed, and its owner told",
          "[chat_room]") {
    LinkedRoom room;
    auto& alice = room.join("alice", room.start);
    auto& ann = room.join("ann", room.start);
    room.room.split();
    alice.take();
    ann.take();
    room.link.take();
    room.room.rename_after_split("ann", "ann2");
    CHECK(ann.renamed_to() == "ann2");
    CHECK(alice.take() == Messages{"* ann is now known as ann2\r\n"});
    CHECK(ann.take() == Messages{"* While the room was split, ann was taken on another server: "
                                 "you are now ann2. Use /nick to choose another name\r\n"});
    CHECK(room.link.take().empty());  // the link registers ann2 itself
}

TEST_CASE("chat room: a newcomer is shown the shared history the link gave with the name",
          "[chat_room]") {
    Room room;
    room.join("alice", room.start);
    room.room.say("alice", "local line");
    auto& bob = room.join("bob", room.start);
    bob.take();
    std::vector<std::string> shared{"carol: from elsewhere", "alice: local line"};
    room.room.replay_history(bob, &shared);
    CHECK(bob.take() == Messages{"--- the last 2 message(s) ---\r\n[history] carol: from "
                                 "elsewhere\r\n[history] alice: local line\r\n--- end of "
                                 "history ---\r\n"});
}

TEST_CASE("chat room: a look-alike of a member here or elsewhere is refused until they go",
          "[chat_room]") {
    const std::string cyrillic_ape = "\xD0\xB0\xD1\x80\xD0\xB5";
    LinkedRoom room;
    room.join("ape", room.start);
    CHECK_FALSE(room.room.is_available_to(cyrillic_ape, ""));
    CHECK(room.room.lookalike_of(cyrillic_ape, "") == "ape");
    CHECK(room.room.lookalike_of(cyrillic_ape, "ape") == std::nullopt);  // their own
    CHECK(room.room.is_available_to(cyrillic_ape, "ape"));
    room.room.rename("ape", "apex");
    CHECK(room.room.is_available_to(cyrillic_ape, ""));
    CHECK_FALSE(room.room.is_available_to("apeх", ""));  // х: Cyrillic ha

    room.room.remote_joined("Ian", "node-b", room.start);
    CHECK(room.room.lookalike_of("lan", "") == "Ian");
    room.room.remote_left("ian", "quit", room.start);
    CHECK(room.room.is_available_to("lan", ""));
    room.room.remote_joined("mary", "node-b", room.start);
    room.room.split();  // members elsewhere are forgotten, and their look-alikes
    CHECK(room.room.is_available_to("rnary", ""));
    room.room.leave("apex", "", room.start);
    CHECK(room.room.is_available_to("apex", ""));
}
