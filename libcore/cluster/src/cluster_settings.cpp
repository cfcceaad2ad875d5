#include <fmt/format.h>

#include <algorithm>

#include "tcpkit/base/errors.h"
#include "tcpkit/cluster/cluster.h"

namespace tcpkit {

Milliseconds heartbeat_interval(Milliseconds node_timeout) {
    return std::min(Milliseconds{1000}, node_timeout / 4);
}

void check_room_name(std::string_view room) {
    auto allowed = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
    };
    if (room.empty() || room.size() > 64 || !std::all_of(room.begin(), room.end(), allowed)) {
        throw UsageError(
            fmt::format("invalid --room '{}': 1 to 64 letters, digits, '_', '-' or '.'", room));
    }
}

}  // namespace tcpkit
