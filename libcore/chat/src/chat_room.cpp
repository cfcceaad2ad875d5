#include "tcpkit/chat/chat_room.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "tcpkit/chat/nickname.h"

namespace tcpkit {

bool ChatRoom::is_available_to(std::string_view wanted, std::string_view current_name) const {
    std::string key = fold_nickname(wanted);
    bool renaming_self = !current_name.empty() && key == fold_nickname(current_name);
    return renaming_self || (members_.count(key) == 0 && !lookalike_of(wanted, current_name));
}

std::optional<std::string> ChatRoom::lookalike_of(std::string_view wanted,
                                                  std::string_view current_name) const {
    std::string own_key = current_name.empty() ? std::string() : fold_nickname(current_name);
    for (const auto& lookalike : nickname_lookalike_keys(wanted)) {
        auto [first, last] = lookalikes_.equal_range(lookalike);
        for (auto it = first; it != last; ++it) {
            auto member = members_.find(it->second);
            if (it->second != own_key && member != members_.end()) {
                return member->second.name;
            }
        }
    }
    return std::nullopt;
}

void ChatRoom::add_member(std::string key, Member member) {
    auto lookalikes = nickname_lookalike_keys(member.name);
    if (!members_.emplace(key, std::move(member)).second) {
        return;  // the name is someone's already: the index keeps pointing at them
    }
    for (auto& lookalike : lookalikes) {
        lookalikes_.emplace(std::move(lookalike), key);
    }
}

void ChatRoom::forget_lookalikes(const std::string& key, const std::string& name) {
    for (const auto& lookalike : nickname_lookalike_keys(name)) {
        auto [first, last] = lookalikes_.equal_range(lookalike);
        for (auto it = first; it != last; ++it) {
            if (it->second == key) {
                lookalikes_.erase(it);
                break;
            }
        }
    }
}

void ChatRoom::claim(const std::string& wanted, std::string_view current_name,
                     NameClaimDecided decided) {
    std::string key = fold_nickname(wanted);
    if (!is_available_to(wanted, current_name) || claims_in_flight_.count(key) != 0) {
        decided(NameClaimOutcome{});
        return;
    }
    if (link_ == nullptr) {
        decided(NameClaimOutcome{true, std::nullopt});
        return;
    }
    claims_in_flight_.insert(key);
    link_->claim(key, wanted,
                 [this, key, decided = std::move(decided)](const NameClaimOutcome& outcome) {
                     claims_in_flight_.erase(key);
                     decided(outcome);
                 });
}

void ChatRoom::abandon_claim(const std::string& name) {
    std::string key = fold_nickname(name);
    if (link_ != nullptr && members_.count(key) == 0) {
        link_->release(key);
    }
}

std::vector<std::string> ChatRoom::names() const {
    std::vector<std::string> result;
    result.reserve(members_.size());
    for (const auto& [key, member] : members_) {
        result.push_back(member.name);
    }
    return result;
}

std::string ChatRoom::list_names(std::size_t shown) const {
    std::string list;
    std::size_t listed = 0;
    for (auto it = members_.begin(); it != members_.end() && listed < shown; ++it, ++listed) {
        list += listed == 0 ? "" : ", ";
        list += it->second.name;
    }
    if (members_.size() > listed) {
        list += fmt::format(", +{}", members_.size() - listed);
    }
    return list;
}

void ChatRoom::join(const std::string& name, std::shared_ptr<ChatParticipant> participant,
                    Clock::time_point now) {
    send_said();  // said before the newcomer came: not for them
    std::string key = fold_nickname(name);
    announce_presence(held_joins_, name, {}, key, now);
    ++members_here_;
    backed_up_here_ += participant->backed_up() ? 1 : 0;
    participant->report_backlog([this](bool backed_up) { backlog_changed(backed_up); });
    add_member(std::move(key), Member{name, std::move(participant), {}});
    update_congestion();
    if (link_ != nullptr) {
        link_->joined(name);
    }
}

void ChatRoom::leave(const std::string& name, std::string_view reason, Clock::time_point now) {
    send_said();  // their last lines go out before they leave
    std::string key = fold_nickname(name);
    if (auto found = members_.find(key); found != members_.end()) {
        if (auto& participant = found->second.participant) {
            participant->report_backlog(nullptr);
            backed_up_here_ -= participant->backed_up() ? 1 : 0;
            --members_here_;
        }
        forget_lookalikes(key, found->second.name);
        members_.erase(found);
    }
    update_congestion();
    if (closing_) {
        return;  // the link said so for everyone here at once (closing())
    }
    announce_presence(held_leaves_, name, std::string(reason), key, now);
    if (link_ != nullptr) {
        link_->left(name, std::string(reason));
    }
}

void ChatRoom::announce_presence(HeldBack& held, std::string name, std::string reason,
                                 const std::string& except_key, Clock::time_point now) {
    bool joining = &held == &held_joins_;
    // Once anything is held back, the rest waits behind it, so the order is kept.
    if (held_joins_.count == 0 && held_leaves_.count == 0 && presence_budget_.allow(now)) {
        HeldBack one{1, {std::move(name)}, std::move(reason)};
        broadcast(make_shared_bytes(presence_line(one, joining)), except_key);
        return;
    }
    if (held.count++ == 0) {
        held.reason = std::move(reason);
    }
    if (held.names.size() < names_per_presence_line) {
        held.names.push_back(std::move(name));
    }
}

std::string ChatRoom::presence_line(const HeldBack& held, bool joining) const {
    if (held.count == 1) {
        const std::string& name = held.names.front();
        if (joining) {
            return catalog_.line(Message::joined, name);
        }
        return held.reason.empty() ? catalog_.line(Message::left, name)
                                   : catalog_.line(Message::left_because, name, held.reason);
    }
    std::string names = fmt::format("{}", fmt::join(held.names, ", "));
    if (held.count > held.names.size()) {
        names += fmt::format(", +{}", held.count - held.names.size());
    }
    return catalog_.line(joining ? Message::joined_together : Message::left_together, held.count,
                         names);
}

void ChatRoom::announce_held_back() {
    if (held_joins_.count == 0 && held_leaves_.count == 0) {
        return;
    }
    for (HeldBack* held : {&held_joins_, &held_leaves_}) {
        if (held->count > 0) {
            if (!closing_) {
                broadcast(make_shared_bytes(presence_line(*held, held == &held_joins_)), {});
            }
            *held = HeldBack{};
        }
    }
}

void ChatRoom::rename(const std::string& old_name, const std::string& new_name) {
    rename_member(old_name, new_name);
    if (link_ != nullptr) {
        link_->renamed(old_name, new_name);
    }
}

void ChatRoom::rename_member(const std::string& old_name, const std::string& new_name) {
    send_said();  // sent under the name they were said with
    announce_held_back();
    auto node = members_.extract(fold_nickname(old_name));
    if (node.empty()) {
        return;
    }
    forget_lookalikes(node.key(), node.mapped().name);
    std::string key = fold_nickname(new_name);
    node.mapped().name = new_name;
    add_member(key, std::move(node.mapped()));
    broadcast(make_shared_bytes(catalog_.line(Message::renamed, old_name, new_name)), key);
}

void ChatRoom::say(const std::string& from, std::string_view text) {
    add_said(from, catalog_.text(Message::said, from, text));
}

void ChatRoom::act(const std::string& from, std::string_view text) {
    add_said(from, catalog_.text(Message::action, from, text));
}

void ChatRoom::add_said(const std::string& from, std::string line) {
    announce_held_back();  // a newcomer's join comes before their first line
    if (from != said_by_name_) {
        send_said();
        said_by_name_ = from;
        said_by_ = fold_nickname(from);
    }
    said_ += line;
    said_ += "\r\n";
    if (link_ != nullptr) {
        said_lines_.push_back(line);
    }
    remember(std::move(line));
    if (said_.size() >= max_said_together_) {
        send_said();
    }
}

void ChatRoom::send_said() {
    if (said_.empty()) {
        return;
    }
    // Moved out first: broadcast() must not find these lines still waiting.
    auto message = make_shared_bytes(std::exchange(said_, {}));
    deliver_to_all_but(message, said_by_);
    if (link_ != nullptr) {
        link_->said(message, said_lines_);
        said_lines_.clear();
    }
}

std::string ChatRoom::tell(const std::string& from, std::string_view to, std::string_view text) {
    send_said();  // what they said before comes first
    return deliver_to(to, make_shared_bytes(catalog_.line(Message::private_from, from, text)));
}

void ChatRoom::replay_history(ChatParticipant& newcomer,
                              const std::vector<std::string>* shared) const {
    auto replay_lines = [&](const auto& lines) {
        if (lines.empty()) {
            return;
        }
        std::string replay = catalog_.line(Message::history_header, lines.size());
        for (const auto& line : lines) {
            replay += catalog_.line(Message::history_line, line);
        }
        replay += catalog_.line(Message::history_footer);
        newcomer.deliver(make_shared_bytes(std::move(replay)));
    };
    if (shared != nullptr) {
        replay_lines(*shared);
    } else {
        replay_lines(history_);
    }
}

void ChatRoom::close(std::string_view announcement) {
    if (closing_) {
        return;
    }
    announce_held_back();
    broadcast(make_shared_bytes(std::string(announcement)), {});
    closing_ = true;
    update_congestion();  // nobody waits for the queues any more: they have the deadline
    if (link_ != nullptr) {
        link_->closing();
    }
}

void ChatRoom::backlog_changed(bool backed_up) {
    if (backed_up) {
        ++backed_up_here_;
    } else {
        --backed_up_here_;
    }
    update_congestion();
}

void ChatRoom::update_congestion() {
    bool congested = !closing_ && backed_up_here_ >= 2 && backed_up_here_ * 2 > members_here_;
    if (congested == congested_) {
        return;
    }
    congested_ = congested;
    if (congested) {
        congested_since_ = Clock::now();
    }
    if (on_congestion_change_) {
        on_congestion_change_(congested);
    }
}

void ChatRoom::cut_off_stalled(Clock::time_point now) {
    if (!congested_ || now - congested_since_ < congestion_grace) {
        return;
    }
    // cut_off() reports the backlog gone at once, which may end the congestion, but never
    // changes the members while we walk them.
    for (auto& [key, member] : members_) {
        if (member.participant && member.participant->backed_up()) {
            member.participant->cut_off();
        }
    }
}

void ChatRoom::broadcast(const SharedBytes& message, std::string_view except_key) {
    send_said();  // whatever the room says next comes after the lines already said
    deliver_to_all_but(message, except_key);
}

void ChatRoom::deliver_to_all_but(const SharedBytes& message, std::string_view except_key) {
    // deliver() may end a receiver that is too slow; its session leaves the room later, on its
    // own turn, so the members are never changed while we walk them.
    for (auto& [key, member] : members_) {
        if (member.participant && key != except_key) {
            member.participant->deliver(message);
        }
    }
}

std::string ChatRoom::deliver_to(std::string_view name, const SharedBytes& message) {
    auto found = members_.find(fold_nickname(name));
    if (found == members_.end()) {
        return {};
    }
    Member& member = found->second;
    if (member.participant) {
        member.participant->deliver(message);
    } else if (link_ != nullptr) {
        link_->tell(member.node, found->first, message);
    }
    return member.name;
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

bool ChatRoom::remote_joined(const std::string& name, const std::string& node,
                             Clock::time_point now) {
    std::string key = fold_nickname(name);
    if (members_.count(key) != 0) {
        return false;  // known already (a resync), or a clash the link resolves
    }
    send_said();
    announce_presence(held_joins_, name, {}, key, now);
    add_member(std::move(key), Member{name, nullptr, node});
    return true;
}

bool ChatRoom::remote_left(const std::string& name, std::string_view reason,
                           Clock::time_point now) {
    auto found = members_.find(fold_nickname(name));
    if (found == members_.end() || found->second.participant) {
        return false;
    }
    send_said();
    std::string key = found->first;
    std::string spelled = std::move(found->second.name);  // as they spell it
    forget_lookalikes(key, spelled);
    members_.erase(found);
    if (!closing_) {
        announce_presence(held_leaves_, std::move(spelled), std::string(reason), key, now);
    }
    return true;
}

bool ChatRoom::remote_renamed(const std::string& old_name, const std::string& new_name) {
    auto found = members_.find(fold_nickname(old_name));
    if (found == members_.end() || found->second.participant) {
        return false;
    }
    std::string new_key = fold_nickname(new_name);
    if (new_key != found->first && members_.count(new_key) != 0) {
        return false;
    }
    rename_member(old_name, new_name);
    return true;
}

void ChatRoom::remote_said(const SharedBytes& message) {
    send_said();  // what was said here before it came in goes first
    deliver_to_all_but(message, {});
}

bool ChatRoom::remote_told(const std::string& key, const SharedBytes& message) {
    auto found = members_.find(key);
    if (found == members_.end() || !found->second.participant) {
        return false;
    }
    send_said();
    found->second.participant->deliver(message);
    return true;
}

std::vector<std::string> ChatRoom::remote_node_gone(const std::string& node,
                                                    std::string_view reason,
                                                    Clock::time_point now) {
    std::vector<std::string> gone;
    for (const auto& [key, member] : members_) {
        if (!member.participant && member.node == node) {
            gone.push_back(member.name);
        }
    }
    for (const auto& name : gone) {
        remote_left(name, reason, now);
    }
    return gone;
}

void ChatRoom::split() {
    if (split_) {
        return;
    }
    split_ = true;
    std::erase_if(members_, [this](const auto& entry) {
        if (entry.second.participant) {
            return false;
        }
        forget_lookalikes(entry.first, entry.second.name);
        return true;
    });
    tell_here(catalog_.line(Message::room_split, members_.size()));
}

void ChatRoom::rejoined(const std::vector<std::pair<std::string, std::string>>& members) {
    for (const auto& [name, node] : members) {
        std::string key = fold_nickname(name);
        if (members_.count(key) == 0) {
            add_member(std::move(key), Member{name, nullptr, node});
        }
    }
    if (split_) {
        split_ = false;
        tell_here(catalog_.line(Message::room_whole, members_.size()));
    }
}

std::vector<std::pair<std::string, std::string>> ChatRoom::local_members() const {
    std::vector<std::pair<std::string, std::string>> here;
    for (const auto& [key, member] : members_) {
        if (member.participant) {
            here.emplace_back(key, member.name);
        }
    }
    return here;
}

void ChatRoom::rename_after_split(const std::string& old_name, const std::string& new_name) {
    auto found = members_.find(fold_nickname(old_name));
    if (found == members_.end() || !found->second.participant) {
        return;
    }
    auto participant = found->second.participant;
    rename_member(old_name, new_name);
    participant->renamed_by_room(new_name);
    participant->deliver(
        make_shared_bytes(catalog_.line(Message::renamed_after_split, old_name, new_name)));
}

std::string ChatRoom::node_of(std::string_view name) const {
    auto found = members_.find(fold_nickname(name));
    return found == members_.end() ? std::string() : found->second.node;
}

void ChatRoom::tell_here(std::string_view text) {
    broadcast(make_shared_bytes(std::string(text)), {});
}

}  // namespace tcpkit
