// The tutorial's chat room as a server: a nickname phase, a room, commands, and the limits
// that keep one client from hurting the others.
#pragma once

#include <asio/io_context.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "tcpkit/base/duration.h"
#include "tcpkit/chat/chat_room.h"
#include "tcpkit/chat/message_catalog.h"
#include "tcpkit/chat/room_link.h"
#include "tcpkit/net/tcp_server.h"

namespace tcpkit {

// One host may not fill --max-clients by itself: this many connections at once from an address
// not on loopback (the tests, benchmarks and learners on the machine itself are not limited).
inline constexpr std::size_t default_chat_connections_per_address = 16;

// A client's queue is backed up once it holds more than a quarter of --max-queue, until it has
// drained to an eighth: when most of the room's are, the room is congested and its senders wait
// (ChatRoom::congested()). The quarter leaves a reader three quarters of its queue for what is
// delivered while the room turns congested (one read's lines, at most a quarter; see
// max_said_together) and for what is never paused; the eighth lets it empty well before the
// senders resume, so that the room does not flap.
constexpr std::size_t backlog_high_mark(std::size_t max_queue_bytes) {
    return max_queue_bytes / 4;
}
constexpr std::size_t backlog_low_mark(std::size_t max_queue_bytes) {
    return max_queue_bytes / 8;
}

struct ChatOptions {
    ChatOptions() { server.per_address = {default_chat_connections_per_address, true}; }

    ServerOptions server;  // listen address, --max-clients, --idle-timeout, --max-conns-per-ip
    Language language = Language::en;
    std::string motd;
    std::size_t history = 20;           // room lines replayed to a newcomer
    std::size_t max_line_bytes = 4096;  // longer lines are dropped, with a notice
    double rate_per_second = 20;        // lines per second per client; 0 = no limit
    double burst = 100;                 // lines at once (a paste)
    std::size_t max_queue_bytes = default_output_queue_bytes;  // per client, then "too slow"
    Milliseconds nickname_timeout{60'000};                     // 0 = wait for a name forever
};

// Makes the link of a room that spans servers (--cluster), on the event loop of the room's
// thread, once the port is bound and before the server says it is listening; it may throw (a
// NetworkError when the others cannot be reached).
using RoomLinkFactory = std::function<std::unique_ptr<RoomLink>(asio::io_context&, ChatRoom&)>;

// Serves the room until SIGINT/SIGTERM: then everyone is told, queues get the drain deadline
// to empty, and a summary is logged. Without `make_link`, the room is local.
void run_chat_server(const ChatOptions& options, const RoomLinkFactory& make_link = {});

}  // namespace tcpkit
