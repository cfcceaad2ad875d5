#include "tcpkit/chat_room.h"

#include <fmt/format.h>

#include <algorithm>

#include "tcpkit/nickname.h"
#include "tcpkit/tcp_server.h"

namespace tcpkit {

bool ChatRoom::is_taken(std::string_view name) const {
    return members_.count(fold_nickname(name)) > 0;
}

std::vector<std::string> ChatRoom::names() const {
    std::vector<std::string> result;
    result.reserve(members_.size());
    for (const auto& [key, member] : members_) {
        result.push_back(member.name);
    }
    std::sort(result.begin(), result.end());
    return result;
}

std::string ChatRoom::list_names(std::size_t shown) const {
    auto all = names();
    std::string list;
    for (std::size_t i = 0; i < all.size() && i < shown; ++i) {
        list += i == 0 ? "" : ", ";
        list += all[i];
    }
    if (all.size() > shown) {
        list += fmt::format(", +{}", all.size() - shown);
    }
    return list;
}

void ChatRoom::join(const std::string& name, std::shared_ptr<ClientConnection> connection) {
    std::string key = fold_nickname(name);
    broadcast(make_shared_bytes(catalog_.line(Message::joined, name)), key);
    members_.emplace(std::move(key), Member{name, std::move(connection)});
}

void ChatRoom::leave(const std::string& name, std::string_view reason) {
    std::string key = fold_nickname(name);
    members_.erase(key);
    if (closing_) {
        return;
    }
    auto line = reason.empty() ? catalog_.line(Message::left, name)
                               : catalog_.line(Message::left_because, name, reason);
    broadcast(make_shared_bytes(std::move(line)), key);
}

void ChatRoom::rename(const std::string& old_name, const std::string& new_name) {
    auto node = members_.extract(fold_nickname(old_name));
    if (node.empty()) {
        return;
    }
    node.key() = fold_nickname(new_name);
    node.mapped().name = new_name;
    std::string key = node.key();
    members_.insert(std::move(node));
    broadcast(make_shared_bytes(catalog_.line(Message::renamed, old_name, new_name)), key);
}

void ChatRoom::say(const std::string& from, std::string_view text) {
    std::string line = catalog_.text(Message::said, from, text);
    broadcast(make_shared_bytes(line + "\r\n"), fold_nickname(from));
    remember(std::move(line));
}

void ChatRoom::act(const std::string& from, std::string_view text) {
    std::string line = catalog_.text(Message::action, from, text);
    broadcast(make_shared_bytes(line + "\r\n"), fold_nickname(from));
    remember(std::move(line));
}

std::string ChatRoom::tell(const std::string& from, std::string_view to, std::string_view text) {
    auto found = members_.find(fold_nickname(to));
    if (found == members_.end()) {
        return {};
    }
    found->second.connection->enqueue(
        make_shared_bytes(catalog_.line(Message::private_from, from, text)));
    return found->second.name;
}

void ChatRoom::replay_history(ClientConnection& connection) const {
    if (history_.empty()) {
        return;
    }
    std::string replay = catalog_.line(Message::history_header, history_.size());
    for (const auto& line : history_) {
        replay += catalog_.line(Message::history_line, line);
    }
    replay += catalog_.line(Message::history_footer);
    connection.enqueue(make_shared_bytes(std::move(replay)));
}

void ChatRoom::close(std::string_view announcement) {
    if (closing_) {
        return;
    }
    broadcast(make_shared_bytes(std::string(announcement)), {});
    closing_ = true;
}

void ChatRoom::broadcast(const SharedBytes& message, const std::string& except_key) {
    // enqueue() may close a receiver that is too slow; its session leaves the room later, on
    // its own turn, so the members are never changed while we walk them.
    for (auto& [key, member] : members_) {
        if (key != except_key) {
            member.connection->enqueue(message);
        }
    }
}

void ChatRoom::remember(std::string line) {
    if (history_size_ == 0) {
        return;
    }
    if (history_.size() == history_size_) {
        history_.pop_front();
    }
    history_.push_back(std::move(line));
}

}  // namespace tcpkit
