// The room's outgoing seam to the other servers (nodes) of a room that spans machines. The room
// tells its link what happens among its own members (who joins, leaves, renames, what is said,
// a private message for someone elsewhere) and asks it for names; the link carries that to the
// other nodes, and calls the room's remote_* functions with what happens there. A local room
// has no link. The room never knows how the link works (Redis, or other I/O threads).
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tcpkit/codec/bounded_write_queue.h"

namespace tcpkit {

struct NameClaimOutcome {
    bool granted = false;
    // The room's shared history, oldest first, when the link has one to give with the name.
    std::optional<std::vector<std::string>> history;
};

using NameClaimDecided = std::function<void(const NameClaimOutcome&)>;

class RoomLink {
  public:
    virtual ~RoomLink() = default;

    // Asks the other nodes whether `name` (folded as `key`) is free for someone here, atomically
    // across the room. Calls `decided` exactly once, now or later, on the room's thread.
    virtual void claim(const std::string& key, const std::string& name,
                       NameClaimDecided decided) = 0;
    // A granted name nobody here uses after all (its session left while it was being decided).
    virtual void release(const std::string& key) = 0;

    virtual void joined(const std::string& name) = 0;
    virtual void left(const std::string& name, const std::string& reason) = 0;
    virtual void renamed(const std::string& old_name, const std::string& new_name) = 0;
    // Lines said here, as this node's members got them: the same bytes are for every other
    // node's. `lines` are the same lines one by one, for the room's shared history.
    virtual void said(const SharedBytes& message, std::span<const std::string> lines) = 0;
    // A private message for the member folded as `key`, who is on `node`.
    virtual void tell(const std::string& node, const std::string& key,
                      const SharedBytes& message) = 0;
    // The server is stopping: its members leave the room on every node.
    virtual void closing() = 0;
    // The server has stopped: what is still queued for the other nodes goes out now, within a
    // short bound, before the process exits.
    virtual void finish() = 0;
};

}  // namespace tcpkit
