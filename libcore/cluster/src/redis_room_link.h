// The room's link to its other nodes through one Redis: two connections (commands, and a
// subscriber for the room's channel and this node's own), a heartbeat that also finds dead
// nodes, and the split/heal cycle when Redis goes away and comes back. Everything runs on the
// room's thread, so the room is called directly.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "cluster_events.h"
#include "tcpkit/chat/chat_room.h"
#include "tcpkit/chat/room_link.h"
#include "tcpkit/cluster/cluster.h"
#include "tcpkit/redis/redis_connection.h"

namespace tcpkit {

class RedisRoomLink final : public RoomLink {
  public:
    RedisRoomLink(asio::io_context& context, ChatRoom& room, ClusterSettings settings);
    ~RedisRoomLink() override;

    // Runs the first connection attempt on `context` (the server does not run it yet) and
    // leaves the link running. Throws NetworkError when it fails, unless settings.optional.
    void start();

    void claim(const std::string& key, const std::string& name, NameClaimDecided decided) override;
    void release(const std::string& key) override;
    void joined(const std::string& name) override;
    void left(const std::string& name, const std::string& reason) override;
    void renamed(const std::string& old_name, const std::string& new_name) override;
    void said(const SharedBytes& message, std::span<const std::string> lines) override;
    void tell(const std::string& node, const std::string& key, const SharedBytes& message) override;
    void closing() override;
    void finish() override;

  private:
    using Clock = std::chrono::steady_clock;

    asio::awaitable<void> keep_linked();
    asio::awaitable<std::string> link_once();
    asio::awaitable<std::string> subscribe_sync_and_beat();
    asio::awaitable<void> heal(const RedisReply& synced,
                               const std::vector<std::pair<std::string, std::string>>& registered);
    asio::awaitable<std::optional<std::string>> claim_free_name(
        const std::string& taken, const std::set<std::string, std::less<>>& taken_elsewhere);
    void went_down(const std::string& why);
    void beat();
    void on_heartbeat(const RedisReply& reply);
    void on_message(const RedisReply& push);
    void apply(const ClusterEvent& event);
    void publish(const std::string& channel, ClusterEventKind kind,
                 std::vector<std::string> fields);
    // False when the command could not be queued (the link is down, or Redis is too slow).
    bool send(std::vector<std::string> command, RedisConnection::ReplyHandler on_reply = {});
    std::vector<std::string> script(std::string_view body, std::vector<std::string> keys,
                                    std::vector<std::string> arguments) const;
    std::string channel_of(const std::string& node) const;

    asio::io_context& context_;
    ChatRoom& room_;
    ClusterSettings settings_;
    std::string node_;
    std::string names_key_;
    std::string nodes_key_;
    std::string history_key_;
    std::string room_channel_;

    std::unique_ptr<RedisConnection> commands_;
    std::unique_ptr<RedisConnection> subscriber_;
    asio::steady_timer backoff_;
    // What this node says goes to Redis: from the moment the sync is sent (so that what follows
    // is ordered after it) until the link fails.
    bool outgoing_ = false;
    // Events from the others wait here while the sync's answer is on its way.
    bool holding_ = false;
    std::vector<ClusterEvent> held_;
    bool split_logged_ = false;
    bool stopping_ = false;
    bool first_attempt_done_ = false;
    std::uint64_t links_made_ = 0;
    std::string first_failure_;
    Clock::time_point down_since_{};

    std::uint64_t next_sequence_ = 0;
    std::unordered_map<std::string, std::uint64_t> last_sequence_;
    // Members here who left while the room was split, with their reasons, for the heal.
    std::map<std::string, std::string> left_while_split_;
    std::uint64_t dropped_ = 0;
    std::uint64_t dropped_logged_ = 0;
    Clock::time_point last_drop_log_{};
    std::uint64_t missed_ = 0;
    std::uint64_t foreign_messages_ = 0;
    Clock::time_point last_foreign_log_{};
};

}  // namespace tcpkit
