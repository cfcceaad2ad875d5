// What one node tells the others of its room, as one pub/sub message: a RESP array of strings
// ("tcpkit1", kind, node id, sequence, fields...), written and read with the redis layer's RESP
// functions, so that no hand-written parser reads another node's bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tcpkit {

enum class ClusterEventKind {
    said,     // {lines}: the bytes every member elsewhere gets, as the sender's node sent them
    joined,   // {name}
    left,     // {name, reason}
    renamed,  // {old name, new name}
    told,     // {folded recipient, bytes}: on the recipient's node's own channel
    stopped,  // {}: the sender's server stopped; its members left
    gone,     // {dead node}: the sender found that node gone and removed its members
};

struct ClusterEvent {
    ClusterEventKind kind = ClusterEventKind::said;
    std::string node;
    // Per sending node, counting its events on the room's channel (not `told`, which has 0), so
    // that a receiver sees what it missed.
    std::uint64_t sequence = 0;
    std::vector<std::string> fields;
};

std::string encode_cluster_event(const ClusterEvent& event);
// Nothing when `payload` is not an event of this version with the right fields for its kind.
std::optional<ClusterEvent> decode_cluster_event(std::string_view payload);

}  // namespace tcpkit
