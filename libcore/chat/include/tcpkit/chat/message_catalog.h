// Every text the chat server shows its users, in English and in Chinese. The Chinese wording
// follows the Node.js tutorial (在线人数, 请输入昵称, 该昵称被占用了, 欢迎…加入, 说：, 离开聊天室).
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace tcpkit {

enum class Language { en, zh };

// Parses "en" or "zh"; throws UsageError otherwise.
Language parse_language(std::string_view text);
// The code parse_language() takes: "en" or "zh".
std::string_view language_code(Language language);

enum class Message {
    banner,           // {count}: the number of people online
    motd,             // {text}
    nickname_prompt,  // shown without a line end, as in the tutorial
    nickname_taken,   // {name}
    nickname_empty,
    nickname_too_long,          // {max}
    nickname_bad_character,     // {character}
    nickname_starts_with_mark,  // {character}
    nickname_mixed_scripts,     // {script}, {script}: e.g. Latin, Cyrillic
    nickname_lookalike,         // {name}, {holder}: the wanted name, the one it looks like
    welcome,                    // {name}, {who}: the newcomer's greeting
    joined,                     // {name}
    joined_together,            // {count}, {names}: joins held back and announced as one line
    said,                       // {name}, {text}
    action,                     // {name}, {text}: /me
    left,                       // {name}
    left_because,               // {name}, {reason}
    left_together,              // {count}, {names}
    renamed,                    // {old}, {new}
    you_are_now,                // {name}
    private_from,               // {name}, {text}
    private_to,                 // {name}, {text}: the sender's copy
    no_such_person,             // {name}
    who,                        // {count}, {names}
    help,                       // several lines
    unknown_command,            // {command}
    usage_nick,
    usage_me,
    usage_msg,
    already_named,  // {name}
    line_too_long,  // {max}
    slow_down,
    disconnected_flooding,
    server_full,
    nickname_timeout,  // {duration}
    shutting_down,
    history_header,  // {count}
    history_line,    // {text}
    history_footer,
    goodbye,
    // Reasons in leave announcements.
    reason_quit,
    reason_connection_lost,
    reason_idle,
    reason_too_slow,
    reason_flooding,
    reason_server_stopped,  // a member of another server of the room, when that one stops
    // A room across servers (--cluster), when the link to the others goes and comes back.
    room_split,           // {people here}
    room_whole,           // {online}
    renamed_after_split,  // {old} {new}
    // Not a message: how many there are. Keep it last; the catalogue must have a text in every
    // language for each message before it, or it does not compile.
    count,
};

inline constexpr std::size_t message_count = static_cast<std::size_t>(Message::count);

class MessageCatalog {
  public:
    explicit MessageCatalog(Language language) : language_(language) {}

    Language language() const { return language_; }

    // The text of `message` with its arguments, without a line end.
    template <typename... Args>
    std::string text(Message message, const Args&... args) const {
        return fmt::vformat(pattern(message), fmt::make_format_args(args...));
    }
    // The same, ending with CRLF so that telnet and nc users see clean lines.
    template <typename... Args>
    std::string line(Message message, const Args&... args) const {
        std::string out = text(message, args...);
        out += "\r\n";
        return out;
    }

    std::string_view pattern(Message message) const;

  private:
    Language language_;
};

}  // namespace tcpkit
