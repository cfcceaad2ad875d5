#include "tcpkit/chat/chat_server.h"

#include <algorithm>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "tcpkit/base/logger.h"
#include "tcpkit/base/rate_limiter.h"
#include "tcpkit/chat/chat_room.h"

#include "chat_session.h"

namespace tcpkit {
namespace {

// One read buffer serves every session (they all run on the room's thread, and each uses the
// bytes before it waits again): an idle client costs no buffer, and a busy one is read in
// large chunks, so one turn of the loop gathers many lines into each receiver's next write.
constexpr std::size_t shared_read_buffer_bytes = std::size_t{64} * 1024;
// Lines said together go out as one message of at most this much, and at most a quarter of a
// client's queue, so that a reader keeping up is never taken for a slow one.
constexpr std::size_t max_said_together(std::size_t max_queue_bytes) {
    return std::min(std::size_t{16} * 1024, max_queue_bytes / 4);
}
// How often joins and leaves held back by the room's presence budget are announced, and a room
// congested for too long is looked at.
constexpr Milliseconds room_tick_interval{1000};

// How often the log may say that the room is congested.
constexpr int congestion_note_seconds = 10;

// Runs until the server's io_context stops, which destroys it.
asio::awaitable<void> tick_room(ChatRoom& room) {
    asio::steady_timer tick(co_await asio::this_coro::executor);
    for (;;) {
        tick.expires_after(room_tick_interval);
        co_await tick.async_wait(asio::use_awaitable);
        room.announce_held_back();
        room.cut_off_stalled();
    }
}

}  // namespace

void run_chat_server(const ChatOptions& options, const RoomLinkFactory& make_link) {
    MessageCatalog catalog(options.language);
    ChatRoom room(catalog, options.history, max_said_together(options.max_queue_bytes));
    ServerOptions server_options = options.server;
    // One I/O thread: the room is shared by every session and needs no lock that way.
    server_options.threads = 1;
    server_options.refusal_message = catalog.line(Message::server_full);
    server_options.on_stopping = [&] { room.close(catalog.line(Message::shutting_down)); };
    std::vector<char> shared_read_buffer(shared_read_buffer_bytes);
    asio::steady_timer* room_uncongested = nullptr;  // made below, before any session starts
    TcpServer server(server_options, [&](AcceptedConnection& client) -> asio::awaitable<void> {
        ChatSession session(room, catalog, options, client, shared_read_buffer, *room_uncongested);
        co_await session.run();
    });
    // Never expires: cancelled, it wakes every session waiting for the room to take lines again.
    // Made after the server, so destroyed before it, as the link is.
    asio::steady_timer uncongested(server.main_context(), asio::steady_timer::time_point::max());
    room_uncongested = &uncongested;
    // A flood congests the room many times a second: the log says so once in a while.
    RateLimiter congestion_notes(1.0 / congestion_note_seconds, 1);
    room.on_congestion_change([&](bool congested) {
        if (!congested) {
            uncongested.cancel();
        } else if (congestion_notes.allow()) {
            log().info(
                "room congested: most readers are behind, senders wait for them (noted at most "
                "once in {}s)",
                congestion_note_seconds);
        }
    });
    // Made after the server, so destroyed before it: the link's sockets use its event loop.
    std::unique_ptr<RoomLink> link;
    if (make_link) {
        link = make_link(server.main_context(), room);
        room.attach(link.get());
    }
    asio::co_spawn(server.main_context(), tick_room(room), asio::detached);
    server.run();
    room.on_congestion_change(nullptr);  // `uncongested` goes before the room
    if (link) {
        link->finish();
    }
}

}  // namespace tcpkit
