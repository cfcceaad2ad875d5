#include "tcpkit/chat/nickname.h"

#include "tcpkit/base/utf8.h"

#include <cstdint>

namespace tcpkit {
namespace {

struct Range {
    char32_t first;
    char32_t last;
};

// Letter blocks of the scripts in everyday use; their punctuation and symbol blocks are not
// here. A few marks and digits of those scripts come along, which is harmless in a name.
constexpr Range letter_ranges[] = {
    {0x00C0, 0x00D6},   {0x00D8, 0x00F6}, {0x00F8, 0x024F},  // Latin-1 letters, Latin Extended A/B
    {0x0370, 0x0373},   {0x0376, 0x0377}, {0x037B, 0x037D},
    {0x0386, 0x0386},   {0x0388, 0x03FF},                    // Greek
    {0x0400, 0x0481},   {0x048A, 0x052F},                    // Cyrillic
    {0x0531, 0x0556},   {0x0561, 0x0587},                    // Armenian
    {0x05D0, 0x05EA},                                        // Hebrew
    {0x0620, 0x064A},   {0x066E, 0x06D3}, {0x06FA, 0x06FC},  // Arabic
    {0x0900, 0x0DFF},                                        // Indic scripts
    {0x0E01, 0x0E30},   {0x0E40, 0x0E46},                    // Thai
    {0x10A0, 0x10FF},                                        // Georgian
    {0x1E00, 0x1FFF},  // Latin Extended Additional, Greek Extended
    {0x3041, 0x3096},   {0x30A1, 0x30FA}, {0x30FC, 0x30FF},  // Hiragana, Katakana
    {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},                    // CJK ideographs
    {0xAC00, 0xD7A3},                                        // Hangul syllables
    {0xF900, 0xFAFF},                                        // CJK compatibility ideographs
    {0x20000, 0x2FA1F},                                      // CJK extensions B and later
};

bool is_letter(char32_t c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return true;
    }
    for (const auto& range : letter_ranges) {
        if (c >= range.first && c <= range.last) {
            return true;
        }
    }
    return false;
}

bool is_allowed(char32_t c) {
    return is_letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

char32_t fold_case(char32_t c) {
    if (c >= 'A' && c <= 'Z') {
        return c + 0x20;
    }
    if ((c >= 0x00C0 && c <= 0x00DE && c != 0x00D7)) {
        return c + 0x20;  // Latin-1
    }
    if (c == 0x0178) {
        return 0x00FF;  // Ÿ
    }
    if (c >= 0x0100 && c <= 0x017F && c != 0x0130 && c != 0x0131 && c != 0x0138 && c != 0x0149 &&
        c != 0x017F) {
        // Latin Extended-A pairs upper and lower case as even/odd, shifted at 0x0139-0x0148
        // and 0x0179-0x017E.
        bool odd_upper = (c >= 0x0139 && c <= 0x0148) || (c >= 0x0179 && c <= 0x017E);
        bool is_upper = odd_upper ? (c % 2 == 1) : (c % 2 == 0);
        return is_upper ? c + 1 : c;
    }
    if (c >= 0x0391 && c <= 0x03A9 && c != 0x03A2) {
        return c + 0x20;  // Greek
    }
    switch (c) {  // Greek capitals with tonos
        case 0x0386:
            return 0x03AC;
        case 0x0388:
        case 0x0389:
        case 0x038A:
            return c + 0x25;
        case 0x038C:
            return 0x03CC;
        case 0x038E:
        case 0x038F:
            return c + 0x3F;
        default:
            break;
    }
    if (c == 0x03C2) {
        return 0x03C3;  // final sigma is sigma
    }
    if (c >= 0x0410 && c <= 0x042F) {
        return c + 0x20;  // Cyrillic
    }
    if (c >= 0x0400 && c <= 0x040F) {
        return c + 0x50;
    }
    return c;
}

}  // namespace

NicknameCheck check_nickname(std::string_view name) {
    if (name.empty()) {
        return {NicknameProblem::empty, {}};
    }
    std::size_t characters = 0;
    std::size_t position = 0;
    while (position < name.size()) {
        std::size_t start = position;
        char32_t c = next_code_point(name, position);
        if (!is_allowed(c)) {
            return {NicknameProblem::bad_character,
                    std::string(name.substr(start, position - start))};
        }
        ++characters;
    }
    if (characters > max_nickname_characters) {
        return {NicknameProblem::too_long, {}};
    }
    return {};
}

std::string fold_nickname(std::string_view name) {
    std::string folded;
    folded.reserve(name.size());
    std::size_t position = 0;
    while (position < name.size()) {
        append_utf8(folded, fold_case(next_code_point(name, position)));
    }
    return folded;
}

}  // namespace tcpkit
