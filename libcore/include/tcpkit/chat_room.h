// The room of the chat server: who is in it under which name, and the one place where a line
// for everyone is formatted, once, into one shared buffer that every receiver's queue holds.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/bounded_write_queue.h"
#include "tcpkit/message_catalog.h"
#include "tcpkit/rate_limiter.h"

namespace tcpkit {

class ClientConnection;

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

    ChatRoom(const MessageCatalog& catalog, std::size_t history_size)
        : catalog_(catalog), history_size_(history_size) {}

    std::size_t online() const { return members_.size(); }
    // Compared case-insensitively (see fold_nickname).
    bool is_taken(std::string_view name) const;
    // Names in case-insensitive alphabetical order.
    std::vector<std::string> names() const;
    // "alice, bob, +3": at most `shown` names, then how many more; costs O(shown).
    std::string list_names(std::size_t shown) const;

    // Enters `name` and tells everyone else. The name must be valid and free.
    void join(const std::string& name, std::shared_ptr<ClientConnection> connection,
              Clock::time_point now = Clock::now());
    // Removes `name`; announces it with `reason` (none when empty), unless the room is closing.
    void leave(const std::string& name, std::string_view reason,
               Clock::time_point now = Clock::now());
    void rename(const std::string& old_name, const std::string& new_name);
    // Announces the joins and leaves held back by the presence budget, one line per kind.
    void announce_held_back();

    // A line from `from` to everyone else, kept in the history.
    void say(const std::string& from, std::string_view text);
    // /me: "* from text" to everyone else, kept in the history.
    void act(const std::string& from, std::string_view text);
    // A private message; returns the recipient's name as they spell it, or empty if not online.
    std::string tell(const std::string& from, std::string_view to, std::string_view text);

    // The last lines of the room, marked as history, to one newcomer.
    void replay_history(ClientConnection& connection) const;
    // To everyone, once: the server is going away. Leaves are not announced after this.
    void close(std::string_view announcement);

  private:
    // Joins or leaves waiting for announce_held_back(): how many, and the first few names.
    struct HeldBack {
        std::size_t count = 0;
        std::vector<std::string> names;
        std::string reason;  // the first one's, shown when it is the only one
    };

    void announce_presence(HeldBack& held, std::string name, std::string reason,
                           const std::string& except_key, Clock::time_point now);
    std::string presence_line(const HeldBack& held, bool joining) const;
    void broadcast(const SharedBytes& message, const std::string& except_key);
    void remember(std::string line);

    struct Member {
        std::string name;
        std::shared_ptr<ClientConnection> connection;
    };

    const MessageCatalog& catalog_;
    std::size_t history_size_;
    // By folded name; ordered, so that the greeting's first names cost nothing to find.
    std::map<std::string, Member, std::less<>> members_;
    std::deque<std::string> history_;
    RateLimiter presence_budget_{presence_per_second, presence_burst};
    HeldBack held_joins_;
    HeldBack held_leaves_;
    bool closing_ = false;
};

}  // namespace tcpkit
