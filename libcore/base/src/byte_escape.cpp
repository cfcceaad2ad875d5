#include "tcpkit/base/byte_escape.h"

#include <fmt/format.h>

namespace tcpkit {

std::string escape_bytes(std::string_view data, std::size_t max_bytes) {
    std::string out;
    std::string_view shown = data.substr(0, max_bytes);
    out.reserve(shown.size() + 16);
    for (unsigned char c : shown) {
        switch (c) {
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\\':
                out += "\\\\";
                break;
            default:
                if (c >= 0x20 && c < 0x7f) {
                    out += static_cast<char>(c);
                } else {
                    out += fmt::format("\\x{:02x}", c);
                }
        }
    }
    if (data.size() > shown.size()) {
        std::size_t left_out = data.size() - shown.size();
        out += fmt::format("... ({} more byte{})", left_out, left_out == 1 ? "" : "s");
    }
    return out;
}

}  // namespace tcpkit
