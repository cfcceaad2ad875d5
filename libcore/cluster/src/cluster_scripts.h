// The room's state in Redis, changed only by these Lua scripts, each atomic in Redis: that is
// what makes a name claimed on two nodes at the same instant go to one, and a dead node's
// members leave once, announced by the one node whose heartbeat found it.
//
//   tcpkit:ROOM:names    hash: folded name -> node id (fixed width) followed by the name
//   tcpkit:ROOM:nodes    sorted set: node id -> time of its last heartbeat (Redis's clock, ms)
//   tcpkit:ROOM:history  list: the room's last lines, formatted
#pragma once

#include <string_view>

namespace tcpkit::cluster_scripts {

// KEYS names nodes; ARGV node, then (folded, name) for each member of the node. Registers the
// node and exactly its members. Returns {outcomes, released, all names}: an outcome per member
// (0 already the node's, 1 registered now, 2 held by another node), the names the node held and
// no longer has, and the whole names hash.
extern const std::string_view sync;
// KEYS names history; ARGV folded, node, name, history length. Returns {1, history} when the
// name is now the node's, {0} when another node holds it.
extern const std::string_view claim;
// KEYS names; ARGV folded, node: removes the name if the node holds it.
extern const std::string_view release;
// KEYS names nodes; ARGV node, timeout in ms. Returns {1 if the node had been removed as gone,
// {{dead node, its names...}, ...}}: the nodes found gone now, removed with their names.
extern const std::string_view heartbeat;
// KEYS names nodes; ARGV node: the node and its names leave (its server is stopping).
extern const std::string_view stopped;

}  // namespace tcpkit::cluster_scripts
