// Chat text as the chat session cleans a client's line (chat_session.cpp): safe_to_show for a
// line to say, trim_blanks(to_valid_utf8(...)) for a nickname typed at the prompt.
// Invariants: the cleaned line is valid UTF-8 with no C0 control but tab, no DEL, no C1 control
// and no bidirectional override or isolate, so nobody's line acts on another's terminal;
// cleaning is stable (cleaning the cleaned line changes nothing, as it holds nothing to escape);
// trimming leaves a part of the text with no blank at either end, and is idempotent.
#include <string>

#include "fuzz_support.h"
#include "tcpkit/base/terminal_text.h"
#include "tcpkit/base/utf8.h"
#include "tcpkit/chat/chat_text.h"

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

void check_trim(std::string_view text) {
    std::string_view trimmed = tcpkit::trim_blanks(text);
    FUZZ_CHECK(trimmed.empty() || (!is_blank(trimmed.front()) && !is_blank(trimmed.back())),
               "a blank left at an end");
    FUZZ_CHECK(trimmed.data() >= text.data() &&
                   trimmed.data() + trimmed.size() <= text.data() + text.size(),
               "trim_blanks returned text outside its argument");
    FUZZ_CHECK(tcpkit::trim_blanks(trimmed) == trimmed, "trimming twice changed the text");
    // Only blanks were removed.
    std::string_view before =
        text.substr(0, static_cast<std::size_t>(trimmed.data() - text.data()));
    std::string_view after = text.substr(before.size() + trimmed.size());
    for (char c : before) {
        FUZZ_CHECK(is_blank(c), "trim_blanks removed more than blanks in front");
    }
    for (char c : after) {
        FUZZ_CHECK(is_blank(c), "trim_blanks removed more than blanks behind");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view raw = tcpkit::fuzz::as_text(data, size);

    std::string line = tcpkit::safe_to_show(raw);
    FUZZ_CHECK(tcpkit::fuzz::is_valid_utf8(line), "a cleaned line that is not UTF-8");
    tcpkit::fuzz::check_inert_on_terminal(line, false);
    FUZZ_CHECK(tcpkit::safe_to_show(line) == line, "cleaning a cleaned line changed it");
    check_trim(line);

    std::string typed_name = tcpkit::to_valid_utf8(raw);
    check_trim(typed_name);
    check_trim(raw);
    return 0;
}
