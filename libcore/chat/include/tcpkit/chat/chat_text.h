// Making a line from one chat client safe to show on everyone else's terminal.
#pragma once

#include <string>
#include <string_view>

namespace tcpkit {

// Returns `line` as valid UTF-8 (invalid sequences become U+FFFD) with every character that
// could act on a terminal made visible instead: C0 controls except tab, and DEL, in caret
// notation (ESC is "^["), C1 controls and the bidirectional overrides as "<U+XXXX>". No client
// can move another's cursor, clear its screen, ring its bell or reorder its text.
std::string clean_chat_text(std::string_view line);

// Leading and trailing spaces and tabs removed.
std::string_view trim_blanks(std::string_view text);

}  // namespace tcpkit
