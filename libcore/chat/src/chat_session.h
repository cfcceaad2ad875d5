// One chat client, from its first byte to its leave announcement: the nickname phase, the
// commands, and the limits on what one client may cost the others.
#pragma once

#include <asio/awaitable.hpp>

#include <asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
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

class ConnectionParticipant;

// The gate it reads through is shut while the client is in the room and the room is congested
// (ChatRoom::congested()): then nothing more is read from this client, and what is left of a
// read when the room became congested waits here, so that no line is lost or reordered.
class ChatSession : private ReadGate {
  public:
    // Every session of the room's thread reads into `shared_read_buffer` and uses the bytes
    // before it next waits, so one buffer serves them all. `room_uncongested` is a timer that
    // never expires, cancelled whenever the room stops being congested: what paused sessions
    // wait on.
    ChatSession(ChatRoom& room, const MessageCatalog& catalog, const ChatOptions& options,
                AcceptedConnection& client, std::span<char> shared_read_buffer,
                asio::steady_timer& room_uncongested);
    ~ChatSession();
    ChatSession(const ChatSession&) = delete;
    ChatSession& operator=(const ChatSession&) = delete;

    // Returns once the client has left the room and its last lines have gone out (or the
    // final flush deadline passed).
    asio::awaitable<void> run();

  private:
    using Clock = std::chrono::steady_clock;

    // A name asked of the room (ChatRoom::claim) and not decided yet: in a room across servers
    // the answer comes later, and the session reads nothing more until it has it, so that the
    // lines after a /nick go out under the right name. Shared with the room's callback, which
    // may come after the session has gone (then a granted name is given back).
    struct PendingNameClaim {
        PendingNameClaim(const asio::any_io_executor& executor, std::string wanted)
            : wake(executor, Clock::time_point::max()), wanted(std::move(wanted)) {}
        asio::steady_timer wake;
        std::string wanted;
        std::optional<NameClaimOutcome> outcome;
        bool abandoned = false;
    };

    void send(std::string text);
    asio::awaitable<void> read_lines_guarded();
    asio::awaitable<void> read_lines();
    asio::awaitable<void> take_lines(std::string_view data);
    asio::awaitable<void> wait_for_name_claim();
    bool is_open() const override { return name_.empty() || !room_.congested(); }
    asio::awaitable<void> wait_open() override;
    void ask_for_name(std::string_view wanted);
    void name_decided(const PendingNameClaim& claim);
    void enter_room(const std::string& name, const NameClaimOutcome& outcome);
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
    asio::steady_timer& room_uncongested_;
    LineReader lines_;
    RateLimiter rate_;
    std::string name_;
    std::string own_reason_;
    bool leaving_ = false;
    std::string own_log_reason_;
    Clock::time_point last_drop_{};
    RateLimiter flood_allowance_;
    std::shared_ptr<PendingNameClaim> name_claim_;
    std::string held_input_;  // read while a name was being decided
    std::shared_ptr<ConnectionParticipant> participant_;
};

}  // namespace tcpkit
