#include "chat_session.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>
#include <utility>

#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "tcpkit/base/duration.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/base/terminal_text.h"
#include "tcpkit/base/utf8.h"
#include "tcpkit/chat/chat_command.h"
#include "tcpkit/chat/chat_text.h"
#include "tcpkit/chat/nickname.h"
#include "tcpkit/stream/deadline.h"

#include "connection_participant.h"

namespace tcpkit {
namespace {

// How long a leaving client's last lines may take to go out before the socket is closed.
constexpr Milliseconds final_flush_deadline{2000};
// How many names the greeting lists; /who lists them all.
constexpr std::size_t names_in_greeting = 20;

}  // namespace

ChatSession::ChatSession(ChatRoom& room, const MessageCatalog& catalog, const ChatOptions& options,
                         AcceptedConnection& client, std::span<char> shared_read_buffer)
    : room_(room),
      catalog_(catalog),
      options_(options),
      client_(client),
      read_buffer_(shared_read_buffer),
      lines_(options.max_line_bytes),
      rate_(options.rate_per_second, options.burst),
      flood_allowance_(options.rate_per_second, options.burst) {}

ChatSession::~ChatSession() {
    if (name_claim_) {
        name_claim_->abandoned = true;
    }
    if (participant_) {
        participant_->forget_session();
    }
}

asio::awaitable<void> ChatSession::run() {
    using namespace asio::experimental::awaitable_operators;
    client_.set_output_limit(options_.max_queue_bytes);
    // The newcomer counts too, as in the tutorial (server.getConnections): the first reads 1.
    std::string greeting = catalog_.line(Message::banner, room_.online() + 1);
    if (!options_.motd.empty()) {
        greeting += catalog_.line(Message::motd, options_.motd);
    }
    greeting += catalog_.text(Message::nickname_prompt);
    send(std::move(greeting));

    co_await (read_lines_guarded() || watch_nickname());

    if (!name_.empty()) {
        room_.leave(name_, leave_reason());
        log().info("{} left ({}): {}", name_, client_.peer(),
                   leaving_ ? own_log_reason_ : client_.end_reason());
    } else if (client_.end_kind() == EndKind::server_stopping) {
        // The room told its members; this one is still at the prompt, so start a new line.
        send("\r\n" + catalog_.line(Message::shutting_down));
    }
    co_await until_deadline(client_.flush(), Clock::now() + final_flush_deadline);
}

void ChatSession::send(std::string text) {
    client_.enqueue(make_shared_bytes(std::move(text)));
}

// Asio's || waits for the first branch to *succeed*: a failure here must end the session
// rather than leave it waiting on the nickname watch.
asio::awaitable<void> ChatSession::read_lines_guarded() {
    try {
        co_await read_lines();
    } catch (const std::exception& failure) {
        log().error("{}: session failed: {}", who(), failure.what());
        client_.close(EndKind::failed, failure.what());
    }
}

asio::awaitable<void> ChatSession::read_lines() {
    while (!leaving_) {
        std::size_t count = co_await client_.read_when_ready(read_buffer_);
        if (count == 0) {
            // A last line without its newline counts when the client ended its input
            // (`printf 'hi' | nc`), not when the connection broke or the server is stopping.
            if (auto last = lines_.take_unterminated();
                last && !leaving_ && client_.end_kind() == EndKind::closed_by_peer) {
                on_line(*last);
                if (name_claim_) {
                    co_await wait_for_name_claim();
                }
            }
            break;
        }
        co_await take_lines(std::string_view(read_buffer_.data(), count));
    }
}

asio::awaitable<void> ChatSession::take_lines(std::string_view data) {
    for (;;) {
        std::size_t taken = lines_.feed(data, [this](const LineEvent& event) {
            on_line_event(event);
            return !name_claim_;
        });
        room_.send_said();  // the lines of one read leave together, as one message
        if (!name_claim_) {
            co_return;
        }
        // The rest waits for the name, kept here: the read buffer is every session's.
        std::string rest(data.substr(taken));
        co_await wait_for_name_claim();
        if (name_claim_) {
            co_return;  // cancelled while waiting: the session is ending
        }
        held_input_ = std::move(rest);
        data = held_input_;
    }
}

asio::awaitable<void> ChatSession::wait_for_name_claim() {
    while (!name_claim_->outcome) {
        std::error_code ignored;
        co_await name_claim_->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        if ((co_await asio::this_coro::cancellation_state).cancelled() !=
            asio::cancellation_type::none) {
            co_return;  // the session is ending; the claim is abandoned with it
        }
    }
    auto claim = std::exchange(name_claim_, nullptr);
    name_decided(*claim);
}

void ChatSession::ask_for_name(std::string_view wanted) {
    auto claim = std::make_shared<PendingNameClaim>(client_.get_executor(), std::string(wanted));
    name_claim_ = claim;
    room_.claim(claim->wanted, name_, [claim, room = &room_](const NameClaimOutcome& outcome) {
        if (claim->abandoned) {
            if (outcome.granted) {
                room->abandon_claim(claim->wanted);
            }
            return;
        }
        claim->outcome = outcome;
        claim->wake.cancel();
    });
    if (claim->outcome) {  // decided at once: a local room, or a name taken here
        name_claim_ = nullptr;
        name_decided(*claim);
    }
}

void ChatSession::name_decided(const PendingNameClaim& claim) {
    if (!claim.outcome->granted) {
        send(catalog_.line(Message::nickname_taken, claim.wanted) +
             (name_.empty() ? catalog_.text(Message::nickname_prompt) : std::string()));
        return;
    }
    if (name_.empty()) {
        enter_room(claim.wanted, *claim.outcome);
        return;
    }
    std::string old_name = std::exchange(name_, claim.wanted);
    room_.rename(old_name, name_);
    log().info("{} is now {} ({})", old_name, name_, client_.peer());
    send(catalog_.line(Message::you_are_now, name_));
}

void ChatSession::on_line_event(const LineEvent& event) {
    if (leaving_) {
        return;
    }
    if (event.kind == LineEvent::Kind::too_long) {
        log().warn("{}: line over {} bytes dropped", who(), options_.max_line_bytes);
        send(catalog_.line(Message::line_too_long, options_.max_line_bytes) +
             (name_.empty() ? catalog_.text(Message::nickname_prompt) : std::string()));
        return;
    }
    on_line(event.text);
}

asio::awaitable<void> ChatSession::watch_nickname() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    if (options_.nickname_timeout.count() > 0) {
        timer.expires_after(options_.nickname_timeout);
        co_await timer.async_wait(asio::use_awaitable);
        if (name_.empty()) {
            std::string limit = format_duration(options_.nickname_timeout);
            log().info("{}: no nickname within {}", client_.peer(), limit);
            send("\r\n" + catalog_.line(Message::nickname_timeout, limit));  // after the prompt
            co_await until_deadline(client_.flush(), Clock::now() + final_flush_deadline);
            client_.close(EndKind::closed_by_session, fmt::format("no nickname within {}", limit));
            co_return;
        }
    }
    // Named in time: nothing more to watch until the session ends and cancels us.
    timer.expires_at(Clock::time_point::max());
    co_await timer.async_wait(asio::use_awaitable);
}

void ChatSession::on_line(std::string_view raw) {
    if (!rate_.allow()) {
        drop_line();
        return;
    }
    if (name_.empty()) {
        // Checked as typed, so that a control character is refused as itself.
        choose_nickname(trim_blanks(to_valid_utf8(raw)));
        return;
    }
    std::string text = safe_to_show(raw);
    run_command(parse_chat_line(text));
}

// Over the rate: the line is dropped. The client hears it once per flood (a flood ends after
// a second without drops), and dropped lines are counted in a second bucket of the same rate
// and burst: a client that keeps sending at more than twice the rate exhausts it and is
// disconnected; one that pasted too much only loses lines.
void ChatSession::drop_line() {
    auto now = Clock::now();
    if (now - last_drop_ > std::chrono::seconds(1)) {
        log().warn("{}: over {} lines/s, dropping lines", who(), options_.rate_per_second);
        send(catalog_.line(Message::slow_down));
    }
    last_drop_ = now;
    if (!flood_allowance_.allow(now)) {
        log().warn("{}: disconnected for flooding", who());
        send(catalog_.line(Message::disconnected_flooding));
        own_reason_ = catalog_.text(Message::reason_flooding);
        own_log_reason_ = "flooding";
        leaving_ = true;
    }
}

// A problem with a wanted name, as the client is told it; empty when the name is fine.
std::string ChatSession::nickname_problem(std::string_view wanted) const {
    auto check = check_nickname(wanted);
    switch (check.problem) {
        case NicknameProblem::none:
            break;
        case NicknameProblem::empty:
            return catalog_.line(Message::nickname_empty);
        case NicknameProblem::too_long:
            return catalog_.line(Message::nickname_too_long, max_nickname_characters);
        case NicknameProblem::bad_character:
            return catalog_.line(Message::nickname_bad_character, safe_to_show(check.offending));
        case NicknameProblem::starts_with_mark:
            return catalog_.line(Message::nickname_starts_with_mark, safe_to_show(check.offending));
        case NicknameProblem::mixed_scripts:
            return catalog_.line(Message::nickname_mixed_scripts, check.scripts[0],
                                 check.scripts[1]);
    }
    if (!room_.is_available_to(wanted, name_)) {
        // The same name first: someone who is "alice" is more than a look-alike of "Alice".
        if (auto holder = room_.lookalike_of(wanted, name_);
            holder && fold_nickname(*holder) != fold_nickname(wanted)) {
            return catalog_.line(Message::nickname_lookalike, wanted, *holder);
        }
        return catalog_.line(Message::nickname_taken, wanted);
    }
    return {};
}

void ChatSession::choose_nickname(std::string_view wanted) {
    if (auto problem = nickname_problem(wanted); !problem.empty()) {
        send(problem + catalog_.text(Message::nickname_prompt));
        return;
    }
    ask_for_name(wanted);
}

void ChatSession::enter_room(const std::string& name, const NameClaimOutcome& outcome) {
    name_ = name;
    participant_ = std::make_shared<ConnectionParticipant>(
        client_.shared_from_this(), [this](const std::string& new_name) {
            log().info(
                "{} is now {} ({}): the name was taken on another server while the room "
                "was split",
                name_, new_name, client_.peer());
            name_ = new_name;
        });
    room_.join(name_, participant_);
    std::string identity = client_.peer_identity();
    log().info("{} joined ({}{})", name_, client_.peer(),
               identity.empty() ? std::string() : ", client certificate " + identity);
    send(catalog_.line(Message::welcome, name_, room_.list_names(names_in_greeting)));
    room_.replay_history(*participant_, outcome.history ? &*outcome.history : nullptr);
}

void ChatSession::say(std::string_view text) {
    log().debug("{}: {}", name_, text);
    room_.say(name_, text);
}

void ChatSession::run_command(const ChatCommand& command) {
    using Kind = ChatCommandKind;
    switch (command.kind) {
        case Kind::blank:
            break;
        case Kind::say:
            say(command.text);
            break;
        case Kind::help:
            send(catalog_.line(Message::help));
            break;
        case Kind::who: {
            auto names = room_.names();
            send(catalog_.line(Message::who, names.size(), fmt::join(names, ", ")));
            break;
        }
        case Kind::nick:
            change_nickname(command.text);
            break;
        case Kind::me:
            if (command.text.empty()) {
                send(catalog_.line(Message::usage_me));
            } else {
                log().debug("* {} {}", name_, command.text);
                room_.act(name_, command.text);
            }
            break;
        case Kind::msg:
            send_private(command.recipient, command.text);
            break;
        case Kind::quit:
            quit(command.text);
            break;
        case Kind::unknown:
            send(catalog_.line(Message::unknown_command, command.text));
            break;
    }
}

void ChatSession::send_private(std::string_view to, std::string_view text) {
    if (to.empty() || text.empty()) {
        send(catalog_.line(Message::usage_msg));
    } else if (auto recipient = room_.tell(name_, to, text); recipient.empty()) {
        send(catalog_.line(Message::no_such_person, to));
    } else {
        log().debug("{} -> {}: {}", name_, recipient, text);
        send(catalog_.line(Message::private_to, recipient, text));
    }
}

void ChatSession::quit(std::string_view reason) {
    own_reason_ = reason.empty() ? std::string() : catalog_.text(Message::reason_quit, reason);
    own_log_reason_ = "quit";  // what they said on leaving is content: only with -v
    if (!reason.empty()) {
        log().debug("{} quits: {}", who(), reason);
    }
    send(catalog_.line(Message::goodbye));
    leaving_ = true;
}

void ChatSession::change_nickname(std::string_view wanted) {
    if (wanted.empty()) {
        send(catalog_.line(Message::usage_nick));
        return;
    }
    if (wanted == name_) {
        send(catalog_.line(Message::already_named, name_));
        return;
    }
    if (auto problem = nickname_problem(wanted); !problem.empty()) {
        send(problem);
        return;
    }
    ask_for_name(wanted);
}

// What the others are told about why this client left.
std::string ChatSession::leave_reason() const {
    if (leaving_) {
        return own_reason_;
    }
    switch (client_.end_kind()) {
        case EndKind::idle:
            return catalog_.text(Message::reason_idle);
        case EndKind::too_slow:
            return catalog_.text(Message::reason_too_slow);
        case EndKind::failed:
            return catalog_.text(Message::reason_connection_lost);
        default:
            return {};
    }
}

std::string ChatSession::who() const {
    return name_.empty() ? client_.peer() : fmt::format("{} ({})", name_, client_.peer());
}

}  // namespace tcpkit
