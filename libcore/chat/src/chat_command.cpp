#include "tcpkit/chat/chat_command.h"

#include "tcpkit/chat/chat_text.h"

namespace tcpkit {
namespace {

constexpr std::string_view blanks = " \t";

// The first word of `text` (up to a space or tab) and the trimmed rest.
std::pair<std::string_view, std::string_view> split_word(std::string_view text) {
    std::string_view word = text.substr(0, text.find_first_of(blanks));
    return {word, trim_blanks(text.substr(word.size()))};
}

}  // namespace

ChatCommand parse_chat_line(std::string_view cleaned_line) {
    using Kind = ChatCommandKind;
    if (trim_blanks(cleaned_line).empty()) {
        return {Kind::blank, {}, {}};
    }
    if (cleaned_line.substr(0, 2) == "//") {
        return {Kind::say, cleaned_line.substr(1), {}};
    }
    if (cleaned_line.front() != '/') {
        return {Kind::say, cleaned_line, {}};
    }
    auto [command, rest] = split_word(cleaned_line);
    if (command == "/help") {
        return {Kind::help, {}, {}};
    }
    if (command == "/who") {
        return {Kind::who, {}, {}};
    }
    if (command == "/nick") {
        return {Kind::nick, rest, {}};
    }
    if (command == "/me") {
        return {Kind::me, rest, {}};
    }
    if (command == "/msg") {
        auto [recipient, text] = split_word(rest);
        return {Kind::msg, text, recipient};
    }
    if (command == "/quit") {
        return {Kind::quit, rest, {}};
    }
    return {Kind::unknown, command, {}};
}

}  // namespace tcpkit
