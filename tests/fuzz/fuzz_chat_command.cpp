// A named chat client's line as parse_chat_line reads it (chat/chat_command.h), cleaned first
// as the session does, and also raw.
// Invariants: every view lies inside the line; a line is blank exactly when it has nothing but
// blanks; a said line is the line as typed (one '/' less for "//"); commands' arguments have no
// blank at either end, a recipient or an unknown command none at all; parsing is deterministic.
#include <string>

#include "fuzz_support.h"
#include "tcpkit/base/terminal_text.h"
#include "tcpkit/chat/chat_command.h"
#include "tcpkit/chat/chat_text.h"

namespace {

using tcpkit::ChatCommandKind;

bool inside(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() &&
                            part.data() + part.size() <= whole.data() + whole.size());
}

bool has_blank(std::string_view text) {
    return text.find_first_of(" \t") != std::string_view::npos;
}

bool trimmed(std::string_view text) {
    return tcpkit::trim_blanks(text) == text;
}

void check_line(std::string_view line) {
    tcpkit::ChatCommand command = tcpkit::parse_chat_line(line);
    FUZZ_CHECK(inside(command.text, line) && inside(command.recipient, line),
               "an argument outside the line");
    FUZZ_CHECK(tcpkit::parse_chat_line(line) == command, "parsing twice gave another command");
    bool blank = tcpkit::trim_blanks(line).empty();
    FUZZ_CHECK((command.kind == ChatCommandKind::blank) == blank,
               "blank is for lines of blanks only");
    FUZZ_CHECK(command.kind == ChatCommandKind::msg || command.recipient.empty(),
               "a recipient for a command other than /msg");
    switch (command.kind) {
        case ChatCommandKind::blank:
        case ChatCommandKind::help:
        case ChatCommandKind::who:
            FUZZ_CHECK(command.text.empty(), "text for a command without arguments");
            break;
        case ChatCommandKind::say:
            if (line.substr(0, 2) == "//") {
                FUZZ_CHECK(command.text == line.substr(1), "\"//\" did not say the rest");
            } else {
                FUZZ_CHECK(command.text == line && line.front() != '/',
                           "a said line that is not the line");
            }
            break;
        case ChatCommandKind::unknown:
            FUZZ_CHECK(!command.text.empty() && command.text.front() == '/' &&
                           !has_blank(command.text) &&
                           line.substr(0, command.text.size()) == command.text,
                       "an unknown command that is not the line's first word");
            break;
        case ChatCommandKind::msg:
            FUZZ_CHECK(!has_blank(command.recipient), "a recipient with a blank");
            FUZZ_CHECK(trimmed(command.text), "a message with blanks at an end");
            break;
        case ChatCommandKind::nick:
        case ChatCommandKind::me:
        case ChatCommandKind::quit:
            FUZZ_CHECK(trimmed(command.text), "an argument with blanks at an end");
            break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view raw = tcpkit::fuzz::as_text(data, size);
    check_line(tcpkit::safe_to_show(raw));
    check_line(raw);
    return 0;
}
