#include "tcpkit/base/utf8.h"

namespace tcpkit {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

// The length of the valid sequence starting at `text[0]`, or 0 if there is none; `invalid`
// is then how many bytes the maximal invalid subpart covers (at least 1).
std::size_t valid_sequence_length(std::string_view text, std::size_t& invalid) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char lead = byte(0);
    invalid = 1;
    if (lead < 0x80) {
        return 1;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;  // bounds of the second byte (Unicode table 3-7)
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;   // no overlong forms
        high = lead == 0xED ? 0x9F : 0xBF;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;  // nothing past U+10FFFF
    } else {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if (i >= text.size()) {
            invalid = i;
            return 0;
        }
        unsigned char next = byte(i);
        bool in_range = i == 1 ? (next >= low && next <= high) : (next >= 0x80 && next <= 0xBF);
        if (!in_range) {
            invalid = i;
            return 0;
        }
    }
    return length;
}

}  // namespace

std::string to_valid_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    while (!bytes.empty()) {
        std::size_t invalid = 0;
        std::size_t length = valid_sequence_length(bytes, invalid);
        if (length > 0) {
            out.append(bytes.substr(0, length));
            bytes.remove_prefix(length);
        } else {
            out.append(replacement_character);
            bytes.remove_prefix(invalid);
        }
    }
    return out;
}

std::optional<FirstCharacter> decode_first_character(std::string_view bytes) {
    std::size_t invalid = 0;
    if (std::size_t length = valid_sequence_length(bytes, invalid)) {
        std::size_t position = 0;
        return FirstCharacter{next_code_point(bytes.substr(0, length), position), length};
    }
    auto lead = static_cast<unsigned char>(bytes.front());
    // Only a sequence cut short by the end of `bytes` has its invalid subpart reach that end
    // from a lead byte.
    if (invalid == bytes.size() && lead >= 0xC2 && lead <= 0xF4) {
        return std::nullopt;
    }
    return FirstCharacter{0xFFFD, invalid};
}

char32_t next_code_point(std::string_view text, std::size_t& position) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char lead = byte(position);
    std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t value = length == 1   ? lead
                     : length == 2 ? (lead & 0x1F)
                     : length == 3 ? (lead & 0x0F)
                                   : (lead & 0x07);
    for (std::size_t i = 1; i < length && position + i < text.size(); ++i) {
        value = (value << 6) | (byte(position + i) & 0x3F);
    }
    position += length;
    return value;
}

void append_utf8(std::string& out, char32_t value) {
    if (value < 0x80) {
        out += static_cast<char>(value);
    } else if (value < 0x800) {
        out += static_cast<char>(0xC0 | (value >> 6));
        out += static_cast<char>(0x80 | (value & 0x3F));
    } else if (value < 0x10000) {
        out += static_cast<char>(0xE0 | (value >> 12));
        out += static_cast<char>(0x80 | ((value >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (value & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (value >> 18));
        out += static_cast<char>(0x80 | ((value >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((value >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (value & 0x3F));
    }
}

}  // namespace tcpkit
