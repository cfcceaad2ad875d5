// Untrusted bytes that are meant to be text: JSON log lines, and later chat messages.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tcpkit {

// Returns `bytes` with every invalid UTF-8 sequence (stray continuation bytes, truncated or
// overlong sequences, surrogates, code points past U+10FFFF) replaced by U+FFFD, one per
// maximal invalid subpart as Unicode recommends. Valid input comes back unchanged.
std::string to_valid_utf8(std::string_view bytes);

// Decodes the code point at `text[position]` and advances `position` past it. `text` must be
// valid UTF-8 (as to_valid_utf8 returns it).
char32_t next_code_point(std::string_view text, std::size_t& position);

// The first character of bytes that arrive piece by piece (a terminal's keys, a peer's text):
// its code point and length, U+FFFD over the maximal invalid subpart as to_valid_utf8 counts
// it, or nullopt when `bytes` ends inside a character that is valid so far, whose rest may
// still come. `bytes` must not be empty.
struct FirstCharacter {
    char32_t code_point;
    std::size_t length;
};
std::optional<FirstCharacter> decode_first_character(std::string_view bytes);

// Appends the UTF-8 encoding of `code_point`.
void append_utf8(std::string& out, char32_t code_point);

}  // namespace tcpkit
