#include "tcpkit/terminal/peer_display.h"

#include "tcpkit/base/terminal_text.h"
#include "tcpkit/base/utf8.h"

namespace tcpkit {
namespace {

std::string_view without_carriage_return(std::string_view line) {
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    return line;
}

// Where to cut an over-long unfinished line: not inside a UTF-8 character, whose first bytes
// would otherwise become U+FFFD on this line and their rest on the next.
std::size_t cut_before_partial_character(std::string_view bytes) {
    for (std::size_t back = 1; back <= 3 && back <= bytes.size(); ++back) {
        if (!decode_first_character(bytes.substr(bytes.size() - back))) {
            return bytes.size() - back;
        }
    }
    return bytes.size();
}

}  // namespace

std::string PeerDisplay::finish_line(std::string_view line) const {
    std::string shown =
        safe_to_show(line, keep_colour_ ? ColourSequences::keep : ColourSequences::escape);
    if (keep_colour_ && shown.find('\x1b') != std::string::npos) {
        shown += "\x1b[0m";  // the peer's colour ends with its line, before the input line
    }
    shown += '\n';
    return shown;
}

std::string PeerDisplay::add(std::string_view bytes) {
    std::string lines;
    while (!bytes.empty()) {
        std::size_t newline = bytes.find('\n');
        if (newline == std::string_view::npos) {
            unfinished_.append(bytes);
            break;
        }
        unfinished_.append(bytes.substr(0, newline));
        bytes.remove_prefix(newline + 1);
        lines += finish_line(without_carriage_return(unfinished_));
        unfinished_.clear();
        if (unfinished_.capacity() > max_unfinished_line_bytes) {
            unfinished_.shrink_to_fit();
        }
    }
    while (unfinished_.size() > max_unfinished_line_bytes) {
        std::size_t cut = cut_before_partial_character(
            std::string_view(unfinished_).substr(0, max_unfinished_line_bytes));
        lines += finish_line(std::string_view(unfinished_).substr(0, cut));
        unfinished_.erase(0, cut);
    }
    return lines;
}

std::string PeerDisplay::prompt() const {
    return safe_to_show(without_carriage_return(unfinished_),
                        keep_colour_ ? ColourSequences::drop : ColourSequences::escape);
}

}  // namespace tcpkit
