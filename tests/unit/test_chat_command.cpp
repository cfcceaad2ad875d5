#include "tcpkit/chat/chat_command.h"

#include <string>

#include "catch.h"

using namespace tcpkit;
using Kind = ChatCommandKind;

namespace Catch {
// Failures show the parsed command, not "{?}".
template <>
struct StringMaker<ChatCommand> {
    static std::string convert(const ChatCommand& command) {
        return "{kind " + std::to_string(static_cast<int>(command.kind)) + ", text '" +
               std::string(command.text) + "', recipient '" + std::string(command.recipient) + "'}";
    }
};
}  // namespace Catch

namespace {

ChatCommand command(Kind kind, std::string_view text = {}, std::string_view recipient = {}) {
    return {kind, text, recipient};
}

}  // namespace

TEST_CASE("parse_chat_line: a plain line is said as typed", "[chat_command]") {
    CHECK(parse_chat_line("hello") == command(Kind::say, "hello"));
    CHECK(parse_chat_line("  two  spaces ") == command(Kind::say, "  two  spaces "));
    CHECK(parse_chat_line("a /help in the middle") == command(Kind::say, "a /help in the middle"));
    // Only a "/" at the very start makes a command.
    CHECK(parse_chat_line(" /help") == command(Kind::say, " /help"));
}

TEST_CASE("parse_chat_line: blank lines are nothing to say", "[chat_command]") {
    CHECK(parse_chat_line("") == command(Kind::blank));
    CHECK(parse_chat_line("   ") == command(Kind::blank));
    CHECK(parse_chat_line(" \t ") == command(Kind::blank));
}

TEST_CASE("parse_chat_line: '//' says a line that starts with '/'", "[chat_command]") {
    CHECK(parse_chat_line("//help is not a command") ==
          command(Kind::say, "/help is not a command"));
    CHECK(parse_chat_line("//") == command(Kind::say, "/"));
    CHECK(parse_chat_line("///") == command(Kind::say, "//"));
}

TEST_CASE("parse_chat_line: /help and /who ignore what follows", "[chat_command]") {
    CHECK(parse_chat_line("/help") == command(Kind::help));
    CHECK(parse_chat_line("/help me please") == command(Kind::help));
    CHECK(parse_chat_line("/who") == command(Kind::who));
    CHECK(parse_chat_line("/who\tis here") == command(Kind::who));
}

TEST_CASE("parse_chat_line: /nick takes the new name, trimmed", "[chat_command]") {
    CHECK(parse_chat_line("/nick bob") == command(Kind::nick, "bob"));
    CHECK(parse_chat_line("/nick \t bob  ") == command(Kind::nick, "bob"));
    CHECK(parse_chat_line("/nick two words") == command(Kind::nick, "two words"));  // refused later
    CHECK(parse_chat_line("/nick") == command(Kind::nick));
    CHECK(parse_chat_line("/nick   ") == command(Kind::nick));
}

TEST_CASE("parse_chat_line: /me takes the action, trimmed", "[chat_command]") {
    CHECK(parse_chat_line("/me waves at  everyone ") == command(Kind::me, "waves at  everyone"));
    CHECK(parse_chat_line("/me") == command(Kind::me));
    CHECK(parse_chat_line("/me \t") == command(Kind::me));
}

TEST_CASE("parse_chat_line: /msg takes a recipient, then the message", "[chat_command]") {
    CHECK(parse_chat_line("/msg bob lunch at noon?") ==
          command(Kind::msg, "lunch at noon?", "bob"));
    CHECK(parse_chat_line("/msg  bob\t  lunch  ") == command(Kind::msg, "lunch", "bob"));
    CHECK(parse_chat_line("/msg 小明 你好") == command(Kind::msg, "你好", "小明"));
    CHECK(parse_chat_line("/msg bob") == command(Kind::msg, "", "bob"));
    CHECK(parse_chat_line("/msg bob   ") == command(Kind::msg, "", "bob"));
    CHECK(parse_chat_line("/msg") == command(Kind::msg));
}

TEST_CASE("parse_chat_line: /quit takes an optional reason", "[chat_command]") {
    CHECK(parse_chat_line("/quit") == command(Kind::quit));
    CHECK(parse_chat_line("/quit  off to lunch ") == command(Kind::quit, "off to lunch"));
}

TEST_CASE("parse_chat_line: any other command is unknown, named as typed", "[chat_command]") {
    CHECK(parse_chat_line("/dance") == command(Kind::unknown, "/dance"));
    CHECK(parse_chat_line("/dance with me") == command(Kind::unknown, "/dance"));
    CHECK(parse_chat_line("/") == command(Kind::unknown, "/"));
    CHECK(parse_chat_line("/ help") == command(Kind::unknown, "/"));
    // Commands are case-sensitive and whole words.
    CHECK(parse_chat_line("/HELP") == command(Kind::unknown, "/HELP"));
    CHECK(parse_chat_line("/helpme") == command(Kind::unknown, "/helpme"));
    CHECK(parse_chat_line("/quit\tnow") == command(Kind::quit, "now"));
}

TEST_CASE("parse_chat_line: the arguments are views into the line", "[chat_command]") {
    std::string line = "/msg bob hi";
    auto parsed = parse_chat_line(line);
    CHECK(parsed.recipient.data() == line.data() + 5);
    CHECK(parsed.text.data() == line.data() + 9);
}
