// chat-server --cluster: several chat servers (nodes) with the same Redis and room name form
// one room. See tcpkit-chat-server(1), CLUSTER, for what it guarantees.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tcpkit/base/duration.h"
#include "tcpkit/chat/chat_server.h"
#include "tcpkit/redis/redis_url.h"

namespace tcpkit {

struct ClusterSettings {
    RedisUrl redis;
    std::string room = "tcpkit";
    // A node Redis has had no heartbeat from for this long is gone; see heartbeat_interval().
    Milliseconds node_timeout{10'000};
    // Start as a local room when Redis cannot be reached, and keep trying.
    bool optional = false;
    // --history: how many of the room's last lines the shared history keeps and replays.
    std::size_t history_lines = 20;
};

// How often a node tells Redis it is alive and looks for nodes that are not: a quarter of the
// timeout, at most a second, so a dead node is noticed within node_timeout + this.
Milliseconds heartbeat_interval(Milliseconds node_timeout);

// Throws UsageError unless `room` is 1-64 letters, digits, '_', '-' or '.'.
void check_room_name(std::string_view room);

// Whether this build has --cluster (hiredis).
bool cluster_available();
// For --version: "hiredis 0.14.1", or why there is no --cluster.
std::string cluster_library_version();

// The link of the room on this node. Connects at once (bounded): when Redis cannot be reached,
// throws NetworkError, or with `optional` starts split and keeps trying.
RoomLinkFactory cluster_link_factory(const ClusterSettings& settings);

}  // namespace tcpkit
