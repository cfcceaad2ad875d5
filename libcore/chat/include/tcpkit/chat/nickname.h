// Chat nicknames: what is allowed, and when two names are the same.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tcpkit {

inline constexpr std::size_t max_nickname_characters = 32;

enum class NicknameProblem { none, empty, too_long, bad_character };

struct NicknameCheck {
    NicknameProblem problem = NicknameProblem::none;
    std::string offending;  // for bad_character: the character, as it was typed

    explicit operator bool() const { return problem == NicknameProblem::none; }
};

// 1 to 32 characters, each a letter of any script, a digit, `_`, `-` or `.`. `name` must be
// valid UTF-8 (see to_valid_utf8). Letters are recognised by Unicode block: the scripts of the
// world's languages (Latin, Greek, Cyrillic, Arabic, Hebrew, Indic, Thai, CJK, kana, Hangul...),
// without their punctuation and symbol blocks, so no lookalike dots, spaces or emoji.
NicknameCheck check_nickname(std::string_view name);

// The key under which names are compared: case-folded for the scripts that have case
// (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic), so "Alice" and "aLICE" are one name.
std::string fold_nickname(std::string_view name);

}  // namespace tcpkit
