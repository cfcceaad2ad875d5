// One chat client, from its first byte to its leave announcement: the nickname phase, the
// commands, and the limits on what one client may cost the others.
#pragma once

#include <asio/awaitable.hpp>

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "tcpkit/base/rate_limiter.h"
#include "tcpkit/chat/chat_command.h"
#include "tcpkit/chat/chat_room.h"
#include "tcpkit/chat/chat_server.h"
#include "tcpkit/chat/message_catalog.h"
#include "tcpkit/codec/line_reader.h"
#include "tcpkit/net/accepted_connection.h"

namespace tcpkit {

class ChatSession {
  public:
    // Every session of the room's thread reads into `shared_read_buffer` and uses the bytes
    // before it next waits, so one buffer serves them all.
    ChatSession(ChatRoom& room, const MessageCatalog& catalog, const ChatOptions& options,
                AcceptedConnection& client, std::span<char> shared_read_buffer);

    // Returns once the client has left the room and its last lines have gone out (or the
    // final flush deadline passed).
    asio::awaitable<void> run();

  private:
    using Clock = std::chrono::steady_clock;

    void send(std::string text);
    asio::awaitable<void> read_lines_guarded();
    asio::awaitable<void> read_lines();
    void on_line_event(const LineEvent& event);
    asio::awaitable<void> watch_nickname();
    void on_line(std::string_view raw);
    void drop_line();
    std::string nickname_problem(std::string_view wanted) const;
    void choose_nickname(std::string_view wanted);
    void say(std::string_view text);
    void run_command(const ChatCommand& command);
    void send_private(std::string_view to, std::string_view text);
    void quit(std::string_view reason);
    void change_nickname(std::string_view wanted);
    std::string leave_reason() const;
    std::string who() const;

    ChatRoom& room_;
    const MessageCatalog& catalog_;
    const ChatOptions& options_;
    AcceptedConnection& client_;
    std::span<char> read_buffer_;
    LineReader lines_;
    RateLimiter rate_;
    std::string name_;
    std::string own_reason_;
    bool leaving_ = false;
    std::string own_log_reason_;
    Clock::time_point last_drop_{};
    RateLimiter flood_allowance_;
};

}  // namespace tcpkit
