#include "tcpkit/terminal/keyboard_decoder.h"

#include "tcpkit/base/utf8.h"

namespace tcpkit {
namespace {

constexpr char32_t replacement_character = 0xFFFD;

std::size_t utf8_length(unsigned char lead) {
    if (lead < 0x80) {
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        return 2;
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        return 4;
    }
    return 0;  // a continuation byte or a byte UTF-8 never uses
}

bool may_become(std::string_view start, std::string_view marker) {
    return start.size() < marker.size() && marker.substr(0, start.size()) == start;
}

}  // namespace

void KeyboardDecoder::add(std::string_view bytes) {
    if (position_ > 0) {
        bytes_.erase(0, position_);
        position_ = 0;
    }
    bytes_.append(bytes);
}

std::optional<char32_t> KeyboardDecoder::decode_character() {
    std::string_view rest = std::string_view(bytes_).substr(position_);
    std::size_t length = utf8_length(static_cast<unsigned char>(rest.front()));
    if (length == 0) {
        ++position_;
        return replacement_character;
    }
    if (rest.size() < length) {
        if (!release_held_) {
            return std::nullopt;  // the rest of the character is on its way
        }
        ++position_;
        return replacement_character;
    }
    std::string_view sequence = rest.substr(0, length);
    if (to_valid_utf8(sequence) != sequence) {
        ++position_;
        return replacement_character;
    }
    std::size_t inside = 0;
    char32_t character = next_code_point(sequence, inside);
    position_ += length;
    return character;
}

std::optional<char32_t> KeyboardDecoder::next() {
    while (!empty()) {
        std::string_view rest = std::string_view(bytes_).substr(position_);
        if (rest.substr(0, paste_start_marker.size()) == paste_start_marker) {
            in_paste_ = true;
            position_ += paste_start_marker.size();
            continue;
        }
        if (rest.substr(0, paste_end_marker.size()) == paste_end_marker) {
            in_paste_ = false;
            after_pasted_carriage_return_ = false;
            position_ += paste_end_marker.size();
            continue;
        }
        if (!release_held_ &&
            (may_become(rest, paste_start_marker) || may_become(rest, paste_end_marker))) {
            return std::nullopt;
        }
        std::optional<char32_t> character = decode_character();
        if (!character) {
            return std::nullopt;
        }
        if (!in_paste_) {
            return character;
        }
        bool carriage_return_before = after_pasted_carriage_return_;
        after_pasted_carriage_return_ = *character == '\r';
        if (*character == '\r' || (*character == '\n' && !carriage_return_before)) {
            return U'\n';
        }
        if (*character == '\t' || (*character >= 0x20 && *character != 0x7F)) {
            return character;
        }
        // A pasted LF after CR, or a control character: nothing to type.
    }
    release_held_ = false;
    return std::nullopt;
}

}  // namespace tcpkit
