#include "tcpkit/base/hex_dump.h"

#include <fmt/format.h>

namespace tcpkit {

std::string HexDumper::dump(std::string_view data) {
    constexpr std::size_t bytes_per_line = 16;
    std::string out;
    for (std::size_t start = 0; start < data.size(); start += bytes_per_line) {
        std::string_view line = data.substr(start, bytes_per_line);
        out += fmt::format("{} {:08x}  ", marker_, offset_ + start);
        for (std::size_t i = 0; i < bytes_per_line; ++i) {
            if (i < line.size()) {
                out += fmt::format("{:02x} ", static_cast<unsigned char>(line[i]));
            } else {
                out += "   ";
            }
            if (i == 7) {
                out += ' ';
            }
        }
        out += " |";
        for (unsigned char c : line) {
            out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
        }
        out += "|\n";
    }
    offset_ += data.size();
    return out;
}

}  // namespace tcpkit
