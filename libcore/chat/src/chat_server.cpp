#include "tcpkit/chat/chat_server.h"

#include <algorithm>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

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
// How often joins and leaves held back by the room's presence budget are announced.
constexpr Milliseconds held_back_announcement_interval{1000};

// Runs until the server's io_context stops, which destroys it.
asio::awaitable<void> announce_held_back_presence(ChatRoom& room) {
    asio::steady_timer tick(co_await asio::this_coro::executor);
    for (;;) {
        tick.expires_after(held_back_announcement_interval);
        co_await tick.async_wait(asio::use_awaitable);
        room.announce_held_back();
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
    TcpServer server(server_options, [&](AcceptedConnection& client) -> asio::awaitable<void> {
        ChatSession session(room, catalog, options, client, shared_read_buffer);
        co_await session.run();
    });
    // Made after the server, so destroyed before it: the link's sockets use its event loop.
    std::unique_ptr<RoomLink> link;
    if (make_link) {
        link = make_link(server.main_context(), room);
        room.attach(link.get());
    }
    asio::co_spawn(server.main_context(), announce_held_back_presence(room), asio::detached);
    server.run();
    if (link) {
        link->finish();
    }
}

}  // namespace tcpkit
