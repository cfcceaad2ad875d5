#include "tcpkit/terminal/keyboard_decoder.h"

#include "tcpkit/base/utf8.h"

namespace tcpkit {
namespace {

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
    std::optional<FirstCharacter> first = decode_first_character(rest);
    if (!first) {
        if (!release_held_) {
            return std::nullopt;  // the rest of the character is on its way
        }
        first = FirstCharacter{0xFFFD, rest.size()};  // it did not come
    }
    position_ += first->length;
    return first->code_point;
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
