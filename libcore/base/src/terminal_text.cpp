#include "tcpkit/base/terminal_text.h"

#include <fmt/format.h>

#include "tcpkit/base/utf8.h"

namespace tcpkit {
namespace {

bool is_bidi_control(std::string_view text, std::size_t i) {
    // U+202A..U+202E and U+2066..U+2069: bidirectional embeddings, overrides, isolates.
    if (i + 2 >= text.size() || text[i] != '\xE2') {
        return false;
    }
    auto second = static_cast<unsigned char>(text[i + 1]);
    auto third = static_cast<unsigned char>(text[i + 2]);
    return (second == 0x80 && third >= 0xAA && third <= 0xAE) ||
           (second == 0x81 && third >= 0xA6 && third <= 0xA9);
}

}  // namespace

std::size_t colour_sequence_length(std::string_view text) {
    if (text.size() < 3 || text[0] != '\x1b' || text[1] != '[') {
        return 0;
    }
    // Parameters only: digits and the separators of SGR (`;`, and `:` for 38:2::r:g:b).
    for (std::size_t i = 2; i < text.size(); ++i) {
        char c = text[i];
        if (c == 'm') {
            return i + 1;
        }
        if ((c < '0' || c > '9') && c != ';' && c != ':') {
            return 0;
        }
    }
    return 0;
}

std::string safe_to_show(std::string_view untrusted, ColourSequences colour) {
    std::string valid = to_valid_utf8(untrusted);
    std::string_view text = valid;
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == 0x1B && colour != ColourSequences::escape) {
            if (std::size_t length = colour_sequence_length(text.substr(i))) {
                if (colour == ColourSequences::keep) {
                    out.append(text.substr(i, length));
                }
                i += length - 1;
                continue;
            }
        }
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
        } else if (is_bidi_control(text, i)) {
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

}  // namespace tcpkit
