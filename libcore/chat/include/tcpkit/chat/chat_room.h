// The room of the chat server: who is in it under which name, and the one place where a line
// for everyone is formatted, once, into one shared buffer that every receiver's queue holds.
// Its members are ChatParticipants, so the room needs no sockets and is tested with fakes.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/base/rate_limiter.h"
#include "tcpkit/chat/chat_participant.h"
#include "tcpkit/chat/message_catalog.h"
#include "tcpkit/codec/bounded_write_queue.h"

namespace tcpkit {

// Joins and leaves cost one line to everyone, so n people arriving in a room cost n² lines:
// 50 million for 10,000. They are announced one by one up to a burst of this many, refilled at
// this rate; beyond that they are held back and announced together, one line per kind at each
// announce_held_back() (once a second), as "* 312 joined: ann, bob, … +302".
inline constexpr double presence_burst = 20;
inline constexpr double presence_per_second = 5;
// How many names a line of held-back joins or leaves lists before "+N".
inline constexpr std::size_t names_per_presence_line = 10;

class ChatRoom {
  public:
    using Clock = std::chrono::steady_clock;

    // `max_said_together` bounds the message that lines said together become (see say()).
    ChatRoom(const MessageCatalog& catalog, std::size_t history_size, std::size_t max_said_together)
        : catalog_(catalog), history_size_(history_size), max_said_together_(max_said_together) {}

    std::size_t online() const { return members_.size(); }
    // Whether the person now called `current_name` (empty before they have a name) may take
    // `wanted`: not when someone else has it, in any case (see fold_nickname); their own name in
    // another case is theirs to take (alice -> Alice).
    bool is_available_to(std::string_view wanted, std::string_view current_name) const;
    // Names in case-insensitive alphabetical order.
    std::vector<std::string> names() const;
    // "alice, bob, +3": at most `shown` names, then how many more; costs O(shown).
    std::string list_names(std::size_t shown) const;

    // Enters `name` and tells everyone else. The name must be valid and free.
    void join(const std::string& name, std::shared_ptr<ChatParticipant> participant,
              Clock::time_point now = Clock::now());
    // Removes `name`; announces it with `reason` (none when empty), unless the room is closing.
    void leave(const std::string& name, std::string_view reason,
               Clock::time_point now = Clock::now());
    void rename(const std::string& old_name, const std::string& new_name);
    // Announces the joins and leaves held back by the presence budget, one line per kind.
    void announce_held_back();

    // A line from `from` to everyone else, kept in the history. Lines said one after another
    // by the same person go out together, as one message, at send_said() (or when they reach
    // max_said_together bytes, or anything else happens in the room): a paste of 100 lines
    // costs each receiver one queue entry and one write instead of 100.
    void say(const std::string& from, std::string_view text);
    // /me: "* from text" to everyone else, kept in the history; sent like say().
    void act(const std::string& from, std::string_view text);
    // Sends the lines said since the last call. Sessions call it after each read.
    void send_said();
    // A private message; returns the recipient's name as they spell it, or empty if not online.
    std::string tell(const std::string& from, std::string_view to, std::string_view text);

    // The last lines of the room, marked as history, to one newcomer. A reply to the participant
    // that just joined here, not a delivery between members, so not part of the seam below.
    void replay_history(ChatParticipant& newcomer) const;
    // To everyone, once: the server is going away. Leaves are not announced after this.
    void close(std::string_view announcement);

  private:
    // Joins or leaves waiting for announce_held_back(): how many, and the first few names.
    struct HeldBack {
        std::size_t count = 0;
        std::vector<std::string> names;
        std::string reason;  // the first one's, shown when it is the only one
    };

    void add_said(const std::string& from, std::string line);
    void announce_presence(HeldBack& held, std::string name, std::string reason,
                           const std::string& except_key, Clock::time_point now);
    std::string presence_line(const HeldBack& held, bool joining) const;
    // Sends the lines said so far, then `message` to everyone but `except_key`.
    void broadcast(const SharedBytes& message, std::string_view except_key);
    void remember(std::string line);

    // The room's outgoing side. Bytes leave the room for its members in exactly these two
    // places, so this is the seam where a room spanning machines (a later step: Redis pub/sub)
    // plugs its remote link in: what goes to everyone goes to the other machines too, and a
    // name not found here is looked for there. Everything above decides what is said and in
    // which order; these only carry it.
    //
    // To every member but the one whose folded name is `except_key` (none when empty).
    void deliver_to_all_but(const SharedBytes& message, std::string_view except_key);
    // To the member called `name` (compared folded); returns their name as they spell it, or
    // empty when no one has it and nothing was delivered.
    std::string deliver_to(std::string_view name, const SharedBytes& message);

    struct Member {
        std::string name;
        std::shared_ptr<ChatParticipant> participant;
    };

    const MessageCatalog& catalog_;
    std::size_t history_size_;
    std::size_t max_said_together_;
    // Lines said together and not sent yet: who said them, as named and folded, and the bytes.
    std::string said_by_name_;
    std::string said_by_;
    std::string said_;
    // By folded name; ordered, so that the greeting's first names cost nothing to find.
    std::map<std::string, Member, std::less<>> members_;
    std::deque<std::string> history_;
    RateLimiter presence_budget_{presence_per_second, presence_burst};
    HeldBack held_joins_;
    HeldBack held_leaves_;
    bool closing_ = false;
};

}  // namespace tcpkit
