#include "tcpkit/base/byte_escape.h"

#include <fmt/format.h>

#include "tcpkit/base/utf8.h"

namespace tcpkit {
namespace {

// What tells a log line's escaping from JSON's; the rest (\n \r \t \\, two lowercase hex
// digits for the bytes left) they share.
struct EscapeStyle {
    bool escape_double_quote;      // JSON ends its strings with one
    bool keep_non_ascii;           // JSON text is UTF-8; a log line shows bytes 0x80 and up as hex
    std::string_view byte_prefix;  // before the two hex digits: "\\x" or JSON's "\\u00"
};

constexpr EscapeStyle log_style{false, false, "\\x"};
constexpr EscapeStyle json_style{true, true, "\\u00"};

std::string_view short_escape(unsigned char c, const EscapeStyle& style) {
    switch (c) {
        case '\n':
            return "\\n";
        case '\r':
            return "\\r";
        case '\t':
            return "\\t";
        case '\\':
            return "\\\\";
        case '"':
            return style.escape_double_quote ? "\\\"" : "";
        default:
            return "";
    }
}

void append_escaped(std::string& out, std::string_view text, const EscapeStyle& style) {
    constexpr std::string_view hex_digits = "0123456789abcdef";
    auto append_hex = [&](unsigned char c) {
        out += style.byte_prefix;
        out += hex_digits[c >> 4];
        out += hex_digits[c & 0x0f];
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        std::string_view escaped = short_escape(c, style);
        if (!escaped.empty()) {
            out += escaped;
        } else if (style.keep_non_ascii && c == 0xC2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
            // U+0080..U+009F, the C1 controls (CSI among them), which a terminal showing the
            // JSON line would obey: escaped like the C0 ones. (The text is valid UTF-8 here.)
            append_hex(static_cast<unsigned char>(text[++i]));
        } else if (c >= 0x20 && c != 0x7f && (c < 0x80 || style.keep_non_ascii)) {
            out += static_cast<char>(c);
        } else {
            append_hex(c);
        }
    }
}

}  // namespace

std::string escape_bytes(std::string_view data, std::size_t max_bytes) {
    std::string out;
    std::string_view shown = data.substr(0, max_bytes);
    out.reserve(shown.size() + 16);
    append_escaped(out, shown, log_style);
    if (data.size() > shown.size()) {
        std::size_t left_out = data.size() - shown.size();
        out += fmt::format("... ({} more byte{})", left_out, left_out == 1 ? "" : "s");
    }
    return out;
}

std::string json_escape(std::string_view text) {
    // A user's typo quoted in an error may not be UTF-8.
    std::string valid = to_valid_utf8(text);
    std::string out;
    out.reserve(valid.size() + 8);
    append_escaped(out, valid, json_style);
    return out;
}

}  // namespace tcpkit
