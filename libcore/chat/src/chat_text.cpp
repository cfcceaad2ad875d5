#include "tcpkit/chat/chat_text.h"

#include <fmt/format.h>

#include "tcpkit/base/utf8.h"

namespace tcpkit {

std::string clean_chat_text(std::string_view line) {
    std::string valid = to_valid_utf8(line);
    std::string_view text = valid;
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 && c != '\t') {
            out += '^';
            out += static_cast<char>(c + 0x40);
        } else if (c == 0x7F) {
            out += "^?";
        } else if (c == 0xC2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
            // U+0080..U+009F, the C1 controls (CSI among them).
            out += fmt::format("<U+{:04X}>", static_cast<unsigned char>(text[i + 1]));
            ++i;
        } else if (c == 0xE2 && i + 2 < text.size() &&
                   ((text[i + 1] == '\x80' && static_cast<unsigned char>(text[i + 2]) >= 0xAA &&
                     static_cast<unsigned char>(text[i + 2]) <= 0xAE) ||
                    (text[i + 1] == '\x81' && static_cast<unsigned char>(text[i + 2]) >= 0xA6 &&
                     static_cast<unsigned char>(text[i + 2]) <= 0xA9))) {
            // U+202A..U+202E and U+2066..U+2069: bidirectional embeddings, overrides, isolates.
            std::size_t position = i;
            out +=
                fmt::format("<U+{:04X}>", static_cast<unsigned>(next_code_point(text, position)));
            i = position - 1;
        } else {
            out += static_cast<char>(c);  // tab, printable ASCII, and the rest of UTF-8
        }
    }
    return out;
}

std::string_view trim_blanks(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace tcpkit
