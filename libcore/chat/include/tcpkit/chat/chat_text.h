// Chat text: what the room does to a line besides making it safe to show (base/terminal_text.h).
#pragma once

#include <string>
#include <string_view>

namespace tcpkit {

// Leading and trailing spaces and tabs removed.
std::string_view trim_blanks(std::string_view text);

}  // namespace tcpkit
