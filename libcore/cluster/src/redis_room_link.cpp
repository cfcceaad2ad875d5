#include "redis_room_link.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <utility>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "cluster_scripts.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/base/utf8.h"
#include "tcpkit/chat/nickname.h"
#include "tcpkit/redis/resp.h"

namespace tcpkit {
namespace {

// Opening one connection, AUTH and SELECT included.
constexpr Milliseconds connect_timeout{3000};
// What may wait to be written to Redis before events are dropped (and counted).
constexpr std::size_t max_queued_bytes = std::size_t{8} << 20;
// The subscriber connection only sends SUBSCRIBE and PING.
constexpr std::size_t max_subscriber_queued_bytes = std::size_t{64} << 10;
// Events from the others held while the sync's answer comes, usually for a millisecond or two.
constexpr std::size_t max_held_events = 10'000;
// Members here remembered as having left while the room was split, for the heal.
constexpr std::size_t max_left_while_split = 100'000;
constexpr Milliseconds first_backoff{100};
constexpr Milliseconds max_backoff{5000};
// How long a stopping server waits for its last words to reach Redis.
constexpr Milliseconds finish_bound{1000};

// 48 random bits as 12 hex digits: a fixed width, which the scripts rely on.
std::string new_node_id() {
    std::random_device random;
    std::uint64_t bits = (std::uint64_t{random()} << 32 | random()) & 0xffff'ffff'ffffULL;
    return fmt::format("{:012x}", bits);
}

bool is_cancelled(const asio::cancellation_state& state) {
    return state.cancelled() != asio::cancellation_type::none;
}

std::size_t character_count(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t position = 0; position < text.size(); ++count) {
        next_code_point(text, position);
    }
    return count;
}

// `name` with `suffix`, its end cut (between characters) so that the whole is a valid length.
std::string with_suffix(std::string name, const std::string& suffix) {
    while (!name.empty() && character_count(name) + suffix.size() > max_nickname_characters) {
        std::size_t last = name.size() - 1;
        while (last > 0 && (static_cast<unsigned char>(name[last]) & 0xC0) == 0x80) {
            --last;
        }
        name.resize(last);
    }
    return name + suffix;
}

}  // namespace

RedisRoomLink::RedisRoomLink(asio::io_context& context, ChatRoom& room, ClusterSettings settings)
    : context_(context),
      room_(room),
      settings_(std::move(settings)),
      node_(new_node_id()),
      names_key_(fmt::format("tcpkit:{}:names", settings_.room)),
      nodes_key_(fmt::format("tcpkit:{}:nodes", settings_.room)),
      history_key_(fmt::format("tcpkit:{}:history", settings_.room)),
      // Pub/sub channels are not per database: the database number keeps rooms apart.
      room_channel_(fmt::format("tcpkit:{}:{}:events", settings_.redis.database, settings_.room)),
      backoff_(context) {}

RedisRoomLink::~RedisRoomLink() {
    stopping_ = true;
    commands_.reset();
    subscriber_.reset();
}

void RedisRoomLink::start() {
    asio::co_spawn(context_, keep_linked(), asio::detached);
    while (!first_attempt_done_ && context_.run_one() > 0) {
    }
    context_.restart();
    if (links_made_ > 0) {
        return;
    }
    if (!settings_.optional) {
        stopping_ = true;
        throw NetworkError(first_failure_);
    }
    log().warn("cluster: {}; starting as a local room, trying again", first_failure_);
}

asio::awaitable<void> RedisRoomLink::keep_linked() {
    Milliseconds backoff = first_backoff;
    while (!stopping_) {
        std::uint64_t links_before = links_made_;
        std::string why = co_await link_once();
        if (stopping_) {
            co_return;
        }
        if (links_made_ != links_before) {
            backoff = first_backoff;
        }
        went_down(why);
        if (!first_attempt_done_) {
            first_attempt_done_ = true;
            first_failure_ = why;
        }
        backoff_.expires_after(backoff);
        std::error_code ignored;
        co_await backoff_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        backoff = std::min(backoff * 2, max_backoff);
    }
}

asio::awaitable<std::string> RedisRoomLink::link_once() {
    using namespace asio::experimental::awaitable_operators;
    try {
        commands_ =
            co_await RedisConnection::open(settings_.redis, connect_timeout, max_queued_bytes);
        subscriber_ = co_await RedisConnection::open(settings_.redis, connect_timeout,
                                                     max_subscriber_queued_bytes);
    } catch (const NetworkError& error) {
        if (commands_) {
            commands_->close(error.what());  // opened, but no use without its subscriber
        }
        co_return error.what();
    }
    auto ended = co_await (commands_->run({}) || subscriber_->run([this](const RedisReply& push) {
        on_message(push);
    }) || subscribe_sync_and_beat());
    std::string why = std::visit([](std::string& reason) { return std::move(reason); }, ended);
    if (subscriber_->failed() && !commands_->failed()) {
        // What Redis does to a subscriber that falls behind; or Redis is going away, and the
        // other connection has not heard yet.
        why = fmt::format(
            "Redis ended the subscription ({}); if Redis is up, this node fell "
            "behind the room's traffic by more than its client-output-buffer-limit "
            "pubsub",
            why);
    }
    commands_->close(why);
    subscriber_->close(why);
    co_return why;
}

asio::awaitable<std::string> RedisRoomLink::subscribe_sync_and_beat() {
    auto fail = [this](std::string why) {
        commands_->close(why);
        subscriber_->close(why);
        return why;
    };
    std::vector<std::string> channels{room_channel_, channel_of(node_)};
    subscriber_->subscribe(channels);
    // In order after the subscriptions: once PING is answered, nothing published is missed.
    std::vector<std::string> ping{std::string("PING")};  // (GCC 12 cannot take {"PING"} here)
    RedisReply pong = co_await subscriber_->call(std::move(ping));
    if (pong.is_error()) {
        co_return fail(pong.text);
    }

    holding_ = true;
    auto registered = room_.local_members();
    std::vector<std::string> arguments{node_};
    for (const auto& [key, name] : registered) {
        arguments.push_back(key);
        arguments.push_back(name);
    }
    outgoing_ = true;  // what this node says from now on is ordered after the sync
    std::vector<std::string> keys{names_key_, nodes_key_};
    RedisReply synced = co_await commands_->call(
        script(cluster_scripts::sync, std::move(keys), std::move(arguments)));
    if (synced.is_error()) {
        co_return fail(synced.text);
    }
    co_await heal(synced, registered);
    holding_ = false;
    for (const auto& event : std::exchange(held_, {})) {
        apply(event);
    }
    ++links_made_;
    first_attempt_done_ = true;
    if (split_logged_) {
        split_logged_ = false;
        auto seconds = std::chrono::duration<double>(Clock::now() - down_since_).count();
        log().info("cluster: Redis back after {:.1f}s: the room is whole again, {} online", seconds,
                   room_.online());
    } else {
        log().info("cluster: node {} in room '{}' at {}", node_, settings_.room,
                   settings_.redis.shown());
    }

    asio::steady_timer tick(co_await asio::this_coro::executor);
    for (;;) {
        tick.expires_after(heartbeat_interval(settings_.node_timeout));
        std::error_code ignored;
        co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        if (is_cancelled(co_await asio::this_coro::cancellation_state) || !commands_->is_open() ||
            !subscriber_->is_open()) {
            co_return std::string("closed");
        }
        auto now = Clock::now();
        if (std::max(commands_->oldest_wait(now), subscriber_->oldest_wait(now)) >
            settings_.node_timeout) {
            co_return fail(fmt::format("Redis did not answer for {}",
                                       format_duration(settings_.node_timeout)));
        }
        beat();
    }
}

asio::awaitable<void> RedisRoomLink::heal(
    const RedisReply& synced, const std::vector<std::pair<std::string, std::string>>& registered) {
    const RedisReply& outcomes = synced[0];
    std::vector<std::pair<std::string, std::string>> elsewhere;  // (name, node)
    std::set<std::string, std::less<>> taken_elsewhere;
    const RedisReply& all = synced[2];
    for (std::size_t i = 0; i + 1 < all.elements.size(); i += 2) {
        const std::string& value = all[i + 1].text;
        std::string node = value.substr(0, node_.size());
        if (node != node_) {
            elsewhere.emplace_back(value.substr(node_.size()), std::move(node));
            taken_elsewhere.insert(all[i].text);
        }
    }
    std::vector<std::string> clashes;
    for (std::size_t i = 0; i < registered.size(); ++i) {
        long long outcome = outcomes[i].integer;
        if (outcome == 1) {
            publish(room_channel_, ClusterEventKind::joined, {registered[i].second});
        } else if (outcome == 2) {
            clashes.push_back(registered[i].second);
        }
    }
    for (const auto& name : synced[1].elements) {
        auto reason = left_while_split_.find(fold_nickname(name.text));
        publish(room_channel_, ClusterEventKind::left,
                {name.text, reason == left_while_split_.end() ? std::string() : reason->second});
    }
    left_while_split_.clear();
    // Two people got one name while the room was split: the one registered first keeps it.
    for (const auto& name : clashes) {
        auto fresh = co_await claim_free_name(name, taken_elsewhere);
        if (!fresh) {
            log().warn("cluster: no free name for {}, whose name was taken elsewhere", name);
            continue;
        }
        log().info("cluster: {} was taken on another node while the room was split: renamed {}",
                   name, *fresh);
        room_.rename_after_split(name, *fresh);
        publish(room_channel_, ClusterEventKind::joined, {*fresh});
    }
    room_.rejoined(elsewhere);
}

asio::awaitable<std::optional<std::string>> RedisRoomLink::claim_free_name(
    const std::string& taken, const std::set<std::string, std::less<>>& taken_elsewhere) {
    for (int number = 2; number < 1000; ++number) {
        std::string candidate = with_suffix(taken, std::to_string(number));
        std::string key = fold_nickname(candidate);
        if (taken_elsewhere.count(key) != 0 || !room_.is_available_to(candidate, {})) {
            continue;
        }
        std::vector<std::string> keys{names_key_, history_key_};
        std::vector<std::string> arguments{key, node_, candidate, std::string("0")};
        RedisReply reply = co_await commands_->call(
            script(cluster_scripts::claim, std::move(keys), std::move(arguments)));
        if (reply.is_error()) {
            co_return std::nullopt;
        }
        if (reply[0].integer == 1) {
            co_return candidate;
        }
    }
    co_return std::nullopt;
}

void RedisRoomLink::went_down(const std::string& why) {
    outgoing_ = false;
    holding_ = false;
    held_.clear();
    if (stopping_ || split_logged_) {
        log().debug("cluster: still no Redis: {}", why);
        return;
    }
    split_logged_ = true;
    down_since_ = Clock::now();
    if (first_attempt_done_) {
        log().warn("cluster: lost Redis at {}: {}; serving the {} member(s) here as a local room",
                   settings_.redis.shown(), why, room_.local_members().size());
    }
    room_.split();
}

void RedisRoomLink::beat() {
    send(script(cluster_scripts::heartbeat, {names_key_, nodes_key_},
                {node_, std::to_string(settings_.node_timeout.count())}),
         [this](const RedisReply& reply) { on_heartbeat(reply); });
    // The subscriber says nothing of itself: a PING shows that it still answers.
    subscriber_->send(std::vector<std::string>{"PING"}, [](const RedisReply&) {});
}

void RedisRoomLink::on_heartbeat(const RedisReply& reply) {
    if (reply.is_error()) {
        if (commands_ && commands_->is_open()) {
            log().warn("cluster: heartbeat refused: {}", reply.text);
        }
        return;
    }
    if (reply[0].integer == 1) {
        // The others took this node for gone (it was cut off, or stalled, for too long) and
        // announced its members as left: register them again, from the start.
        std::string why = "the others took this node for gone: joining again";
        log().warn("cluster: {}", why);
        commands_->close(why);
        subscriber_->close(why);
        return;
    }
    for (const auto& entry : reply[1].elements) {
        const std::string& dead = entry[0].text;
        auto names =
            room_.remote_node_gone(dead, room_.catalog().text(Message::reason_connection_lost));
        log().warn("cluster: node {} gone (no heartbeat for {}): {} member(s) left", dead,
                   format_duration(settings_.node_timeout), entry.elements.size() - 1);
        last_sequence_.erase(dead);
        publish(room_channel_, ClusterEventKind::gone, {dead});
    }
}

void RedisRoomLink::on_message(const RedisReply& push) {
    if (push[0].text != "message") {
        return;  // a subscription's confirmation
    }
    auto event = decode_cluster_event(push[2].text);
    if (!event) {
        // Anyone who may publish on the channel could send these: logged at most every 10 s.
        ++foreign_messages_;
        if (auto now = Clock::now(); now - last_foreign_log_ >= std::chrono::seconds(10)) {
            log().warn("cluster: dropped {} message(s) on {} that are not tcpkit events",
                       foreign_messages_, push[1].text);
            foreign_messages_ = 0;
            last_foreign_log_ = now;
        }
        return;
    }
    if (event->node == node_) {
        return;  // our own, back from Redis: the room here has had it
    }
    if (holding_) {
        if (held_.size() < max_held_events) {
            held_.push_back(std::move(*event));
        } else {
            ++missed_;
        }
        return;
    }
    apply(*event);
}

void RedisRoomLink::apply(const ClusterEvent& event) {
    const auto& fields = event.fields;
    if (event.kind != ClusterEventKind::told) {
        std::uint64_t& last = last_sequence_[event.node];
        if (last != 0 && event.sequence <= last) {
            return;  // seen already
        }
        if (last != 0 && event.sequence > last + 1) {
            missed_ += event.sequence - last - 1;
            log().warn("cluster: missed {} event(s) from node {}", event.sequence - last - 1,
                       event.node);
        }
        last = event.sequence;
    }
    const MessageCatalog& catalog = room_.catalog();
    switch (event.kind) {
        case ClusterEventKind::said:
            room_.remote_said(make_shared_bytes(std::string(fields[0])));
            break;
        case ClusterEventKind::joined:
            if (room_.remote_joined(fields[0], event.node)) {
                log().info("{} joined on node {}", fields[0], event.node);
            }
            break;
        case ClusterEventKind::left:
            if (room_.remote_left(fields[0], fields[1])) {
                log().info("{} left on node {}{}", fields[0], event.node,
                           fields[1].empty() ? std::string() : fmt::format(" ({})", fields[1]));
            }
            break;
        case ClusterEventKind::renamed:
            if (room_.remote_renamed(fields[0], fields[1])) {
                log().info("{} is now {} on node {}", fields[0], fields[1], event.node);
            }
            break;
        case ClusterEventKind::told:
            room_.remote_told(fields[0], make_shared_bytes(std::string(fields[1])));
            break;
        case ClusterEventKind::stopped: {
            auto names =
                room_.remote_node_gone(event.node, catalog.text(Message::reason_server_stopped));
            log().info("cluster: node {} stopped: {} member(s) left", event.node, names.size());
            last_sequence_.erase(event.node);
            break;
        }
        case ClusterEventKind::gone: {
            auto names =
                room_.remote_node_gone(fields[0], catalog.text(Message::reason_connection_lost));
            log().info("cluster: node {} gone, found by node {}: {} member(s) left", fields[0],
                       event.node, names.size());
            last_sequence_.erase(fields[0]);
            break;
        }
    }
}

void RedisRoomLink::claim(const std::string& key, const std::string& name,
                          NameClaimDecided decided) {
    if (!outgoing_) {
        decided(NameClaimOutcome{true, std::nullopt});  // split: decided here, checked at the heal
        return;
    }
    bool sent = send(script(cluster_scripts::claim, {names_key_, history_key_},
                            {key, node_, name, std::to_string(settings_.history_lines)}),
                     [decided](const RedisReply& reply) {
                         if (reply.is_error()) {
                             decided(NameClaimOutcome{true, std::nullopt});
                             return;
                         }
                         if (reply[0].integer != 1) {
                             decided(NameClaimOutcome{});
                             return;
                         }
                         std::vector<std::string> history;
                         for (const auto& line : reply[1].elements) {
                             history.push_back(line.text);
                         }
                         decided(NameClaimOutcome{true, std::move(history)});
                     });
    if (!sent) {
        decided(NameClaimOutcome{true, std::nullopt});
    }
}

void RedisRoomLink::release(const std::string& key) {
    if (outgoing_) {
        send(script(cluster_scripts::release, {names_key_}, {key, node_}));
    }
}

void RedisRoomLink::joined(const std::string& name) {
    if (outgoing_) {
        publish(room_channel_, ClusterEventKind::joined, {name});
    }
}

void RedisRoomLink::left(const std::string& name, const std::string& reason) {
    if (!outgoing_) {
        if (left_while_split_.size() < max_left_while_split) {
            left_while_split_[fold_nickname(name)] = reason;
        }
        return;
    }
    release(fold_nickname(name));
    publish(room_channel_, ClusterEventKind::left, {name, reason});
}

void RedisRoomLink::renamed(const std::string& old_name, const std::string& new_name) {
    if (!outgoing_) {
        return;  // the heal registers the new name and gives the old one back
    }
    if (std::string old_key = fold_nickname(old_name); old_key != fold_nickname(new_name)) {
        release(old_key);
    }
    publish(room_channel_, ClusterEventKind::renamed, {old_name, new_name});
}

void RedisRoomLink::said(const SharedBytes& message, std::span<const std::string> lines) {
    if (!outgoing_) {
        return;  // split: said to this server's members only, and not kept for the others
    }
    if (settings_.history_lines > 0 && !lines.empty()) {
        std::vector<std::string> push{"RPUSH", history_key_};
        push.insert(push.end(), lines.begin(), lines.end());
        send(std::move(push));
        send({"LTRIM", history_key_, fmt::format("-{}", settings_.history_lines), "-1"});
    }
    publish(room_channel_, ClusterEventKind::said, {*message});
}

void RedisRoomLink::tell(const std::string& node, const std::string& key,
                         const SharedBytes& message) {
    if (outgoing_) {
        publish(channel_of(node), ClusterEventKind::told, {key, *message});
    }
}

void RedisRoomLink::closing() {
    if (outgoing_) {
        send(script(cluster_scripts::stopped, {names_key_, nodes_key_}, {node_}));
        publish(room_channel_, ClusterEventKind::stopped, {});
    }
    stopping_ = true;
    outgoing_ = false;
}

void RedisRoomLink::finish() {
    stopping_ = true;
    if (!commands_ || !commands_->is_open()) {
        return;
    }
    context_.restart();
    auto deadline = Clock::now() + finish_bound;
    for (auto now = Clock::now();
         commands_->is_open() && now < deadline &&
         (commands_->queued_bytes() > 0 || commands_->oldest_wait(now) > Clock::duration::zero());
         now = Clock::now()) {
        context_.run_one_for(deadline - now);
    }
}

void RedisRoomLink::publish(const std::string& channel, ClusterEventKind kind,
                            std::vector<std::string> fields) {
    ClusterEvent event{kind, node_, kind == ClusterEventKind::told ? 0 : ++next_sequence_,
                       std::move(fields)};
    send({"PUBLISH", channel, encode_cluster_event(event)});
}

bool RedisRoomLink::send(std::vector<std::string> command, RedisConnection::ReplyHandler on_reply) {
    if (!commands_ || !commands_->is_open()) {
        return false;  // the link is going down: the heal makes up for what is lost here
    }
    if (commands_->send(command, std::move(on_reply))) {
        return true;
    }
    ++dropped_;
    auto now = Clock::now();
    if (now - last_drop_log_ >= std::chrono::seconds(1)) {
        log().warn("cluster: {} command(s) dropped: more than {} MiB waiting for Redis ({} in all)",
                   dropped_ - dropped_logged_, max_queued_bytes >> 20, dropped_);
        dropped_logged_ = dropped_;
        last_drop_log_ = now;
    }
    return false;
}

std::vector<std::string> RedisRoomLink::script(std::string_view body, std::vector<std::string> keys,
                                               std::vector<std::string> arguments) const {
    std::vector<std::string> command{"EVAL", std::string(body), std::to_string(keys.size())};
    command.insert(command.end(), std::make_move_iterator(keys.begin()),
                   std::make_move_iterator(keys.end()));
    command.insert(command.end(), std::make_move_iterator(arguments.begin()),
                   std::make_move_iterator(arguments.end()));
    return command;
}

std::string RedisRoomLink::channel_of(const std::string& node) const {
    return fmt::format("tcpkit:{}:{}:node:{}", settings_.redis.database, settings_.room, node);
}

bool cluster_available() {
    return true;
}

std::string cluster_library_version() {
    return hiredis_version();
}

RoomLinkFactory cluster_link_factory(const ClusterSettings& settings) {
    return [settings](asio::io_context& context, ChatRoom& room) -> std::unique_ptr<RoomLink> {
        auto link = std::make_unique<RedisRoomLink>(context, room, settings);
        link->start();
        return link;
    };
}

}  // namespace tcpkit
