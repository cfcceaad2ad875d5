// What a named chat client's line asks for: a line to say, or one of the commands. Parsing
// only; what each command does is the session's business.
#pragma once

#include <string_view>

namespace tcpkit {

enum class ChatCommandKind {
    blank,    // nothing but spaces and tabs: ignored
    say,      // a plain line, or one escaped with "//"
    help,     // /help
    who,      // /who
    nick,     // /nick NEW
    me,       // /me ACTION
    msg,      // /msg NAME TEXT
    quit,     // /quit [REASON]
    unknown,  // any other line starting with "/"
};

// The arguments are views into the parsed line, trimmed of spaces and tabs, and empty when the
// user left them out (the session answers with the usage).
struct ChatCommand {
    ChatCommandKind kind = ChatCommandKind::blank;
    // say: the line to say, as typed (untrimmed; "//x" says "/x"); nick: the new name; me: the
    // action; msg: the message; quit: the reason; unknown: the command itself, such as "/foo".
    std::string_view text;
    // msg: to whom.
    std::string_view recipient;

    friend bool operator==(const ChatCommand&, const ChatCommand&) = default;
};

// Parses one line of a named client, already made safe to show (see safe_to_show). Commands
// are the first word, up to a space or tab, and are case-sensitive, as on IRC clients' "/".
ChatCommand parse_chat_line(std::string_view cleaned_line);

}  // namespace tcpkit
