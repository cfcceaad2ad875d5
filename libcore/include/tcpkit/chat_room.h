// The room of the chat server: who is in it under which name, and the one place where a line
// for everyone is formatted, once, into one shared buffer that every receiver's queue holds.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tcpkit/bounded_write_queue.h"
#include "tcpkit/message_catalog.h"

namespace tcpkit {

class ClientConnection;

class ChatRoom {
  public:
    ChatRoom(const MessageCatalog& catalog, std::size_t history_size)
        : catalog_(catalog), history_size_(history_size) {}

    std::size_t online() const { return members_.size(); }
    // Compared case-insensitively (see fold_nickname).
    bool is_taken(std::string_view name) const;
    // Names in alphabetical order.
    std::vector<std::string> names() const;
    // "alice, bob, +3": at most `shown` names, then how many more.
    std::string list_names(std::size_t shown) const;

    // Enters `name` and tells everyone else. The name must be valid and free.
    void join(const std::string& name, std::shared_ptr<ClientConnection> connection);
    // Removes `name`; announces it with `reason` (none when empty), unless the room is closing.
    void leave(const std::string& name, std::string_view reason);
    void rename(const std::string& old_name, const std::string& new_name);

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
    void broadcast(const SharedBytes& message, const std::string& except_key);
    void remember(std::string line);

    struct Member {
        std::string name;
        std::shared_ptr<ClientConnection> connection;
    };

    const MessageCatalog& catalog_;
    std::size_t history_size_;
    std::unordered_map<std::string, Member> members_;  // by folded name
    std::deque<std::string> history_;
    bool closing_ = false;
};

}  // namespace tcpkit
