// The room of the chat server: who is in it under which name, and the one place where a line
// for everyone is formatted, once, into one shared buffer that every receiver's queue holds.
// Its members are ChatParticipants, so the room needs no sockets and is tested with fakes.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/base/rate_limiter.h"
#include "tcpkit/chat/chat_participant.h"
#include "tcpkit/chat/message_catalog.h"
#include "tcpkit/chat/room_link.h"
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

    // A room spanning servers: what happens here goes out through `link`, which reports what
    // happens elsewhere through the remote_* functions below. Null (the default): a local room.
    void attach(RoomLink* link) { link_ = link; }
    const MessageCatalog& catalog() const { return catalog_; }

    // Everyone in the room, on every server.
    std::size_t online() const { return members_.size(); }
    // Whether the person now called `current_name` (empty before they have a name) may take
    // `wanted`: not when someone else has it, in any case or form (see fold_nickname), nor a name
    // that looks like someone else's (see nickname_lookalike_keys); their own name in another
    // case is theirs to take (alice -> Alice).
    bool is_available_to(std::string_view wanted, std::string_view current_name) const;
    // The name of someone other than `current_name` whose name looks like `wanted`, if any.
    std::optional<std::string> lookalike_of(std::string_view wanted,
                                            std::string_view current_name) const;
    // Asks for `wanted` for the person now called `current_name`: refused at once when
    // is_available_to() says no or someone here is asking for it; else decided by the link (the
    // other servers), or at once in a local room. `decided` is called once, now or later.
    void claim(const std::string& wanted, std::string_view current_name, NameClaimDecided decided);
    // A name granted to a session that left before it used it.
    void abandon_claim(const std::string& name);
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

    // The last lines of the room, marked as history, to one newcomer: `shared` when the link
    // gave the room's history with the name, else this server's. A reply to the participant
    // that just joined here, not a delivery between members, so not part of the seam below.
    void replay_history(ChatParticipant& newcomer,
                        const std::vector<std::string>* shared = nullptr) const;
    // To everyone, once: the server is going away. Leaves are not announced after this.
    void close(std::string_view announcement);

    // ---- What happens on the room's other servers, as its link reports it -----------------
    // Members elsewhere are in the room as everyone here is (names, online(), /who), with the
    // id of their server, and nothing is delivered to them from here: their server does that.
    // Each returns whether it changed the room (a report repeated during a resync does not).
    bool remote_joined(const std::string& name, const std::string& node,
                       Clock::time_point now = Clock::now());
    bool remote_left(const std::string& name, std::string_view reason,
                     Clock::time_point now = Clock::now());
    bool remote_renamed(const std::string& old_name, const std::string& new_name);
    // Lines said elsewhere, to every member here.
    void remote_said(const SharedBytes& message);
    // A private message for the member here folded as `key`; false if there is none.
    bool remote_told(const std::string& key, const SharedBytes& message);
    // Every member of `node` leaves with `reason`; returns their names.
    std::vector<std::string> remote_node_gone(const std::string& node, std::string_view reason,
                                              Clock::time_point now = Clock::now());
    // The link is down: the members elsewhere are out of reach. They leave the room silently and
    // everyone here is told once; the room goes on as a local one.
    void split();
    // The link is back: `members` (name, node) are the room's members elsewhere now, and
    // everyone here is told that the room is whole again.
    void rejoined(const std::vector<std::pair<std::string, std::string>>& members);
    // Members of this server, as (folded name, name): what the link registers elsewhere.
    std::vector<std::pair<std::string, std::string>> local_members() const;
    // The name of the member here `old_name` was taken elsewhere while the room was split: they
    // become `new_name`, announced as a rename, and are told why.
    void rename_after_split(const std::string& old_name, const std::string& new_name);
    // The id of the server of the member called `name`; empty when here or unknown.
    std::string node_of(std::string_view name) const;

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

    // The room's outgoing side to its members here: bytes leave the room for them in exactly
    // these two places (what happens here leaves for the room's other servers through link_,
    // room_link.h). Everything above decides what is said and in which order; these carry it.
    //
    // To every member here but the one whose folded name is `except_key` (none when empty).
    void deliver_to_all_but(const SharedBytes& message, std::string_view except_key);
    // To the member called `name` (compared folded), here or, through the link, elsewhere;
    // returns their name as they spell it, or empty when no one has it and nothing was sent.
    std::string deliver_to(std::string_view name, const SharedBytes& message);

    struct Member {
        std::string name;
        std::shared_ptr<ChatParticipant> participant;  // null for a member elsewhere
        std::string node;                              // elsewhere: their server's id
    };

    void rename_member(const std::string& old_name, const std::string& new_name);
    // Every change to members_ goes through these two and erase, which keep lookalikes_ right.
    void add_member(std::string key, Member member);
    void forget_lookalikes(const std::string& key, const std::string& name);
    void tell_here(std::string_view text);

    const MessageCatalog& catalog_;
    std::size_t history_size_;
    std::size_t max_said_together_;
    // Lines said together and not sent yet: who said them, as named and folded, and the bytes.
    std::string said_by_name_;
    std::string said_by_;
    std::string said_;
    std::vector<std::string> said_lines_;  // the same, one by one, for a link's shared history
    // By folded name; ordered, so that the greeting's first names cost nothing to find.
    std::map<std::string, Member, std::less<>> members_;
    // Each member's look-alike keys (nickname_lookalike_keys) -> their folded name. A multimap:
    // two members on two servers may claim look-alike names at the same moment.
    std::multimap<std::string, std::string, std::less<>> lookalikes_;
    std::deque<std::string> history_;
    RateLimiter presence_budget_{presence_per_second, presence_burst};
    HeldBack held_joins_;
    HeldBack held_leaves_;
    bool closing_ = false;
    RoomLink* link_ = nullptr;
    std::set<std::string, std::less<>> claims_in_flight_;  // folded names being decided
    bool split_ = false;
};

}  // namespace tcpkit
