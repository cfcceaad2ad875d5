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

  public:
  private:
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
