// Chat nicknames: what a name may hold, when two names are the same, and when one looks like
// another. The rules come from Unicode (UTS #39, "Unicode Security Mechanisms"), with ICU's
// answers compiled into tables at build time (src/name_tables.h), so every build, Windows
// included, has the same rules.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tcpkit {

inline constexpr std::size_t max_nickname_characters = 32;

enum class NicknameProblem {
    none,
    empty,
    too_long,
    bad_character,
    starts_with_mark,
    mixed_scripts
};

struct NicknameCheck {
    NicknameProblem problem = NicknameProblem::none;
    // bad_character and starts_with_mark: the character, as it was typed.
    std::string offending;
    // mixed_scripts: two of the scripts mixed, in English ("Latin", "Cyrillic").
    std::array<std::string, 2> scripts;

    explicit operator bool() const { return problem == NicknameProblem::none; }
};

// 1 to 32 characters (code points, as typed). Each is `_`, `-`, `.`, or a letter, combining
// mark or decimal digit of a script UTS #39 recommends for identifiers, whose compatibility
// form is one too (so fullwidth `Ａ` is accepted and means `a`; `´`, `।`, `৳`, emoji, spaces and
// invisible characters are not). A name does not start with a combining mark, and does not mix
// scripts beyond UTS #39's "highly restrictive" level: one script, plus digits and `_-.`, or
// Latin with Han and kana (Japanese), with Han and Bopomofo, or with Han and Hangul (Korean).
// `name` must be valid UTF-8 (see to_valid_utf8).
NicknameCheck check_nickname(std::string_view name);

// The key under which names are the same name: compatibility forms and full Unicode case
// folding (NFKC_Casefold), in canonical decomposed form, so "ＡＬＩＣＥ", "Alice" and "alice"
// are one name, and so are a composed "é" and "e" with a combining acute. Idempotent.
std::string fold_nickname(std::string_view name);

// Keys that make two names look alike: UTS #39 confusable skeletons, of the name as typed and
// of its folded form, each folded again (so "аlice" with a Cyrillic а, "ALICE" and "Alice" share
// one, as do "Ian" with a capital I and "lan", "rn" and "m", "0" and "O"). Two people in a room
// may not have names that share a key; the same person renaming themselves may.
std::vector<std::string> nickname_lookalike_keys(std::string_view name);

// The Unicode version the rules were built from, e.g. "15.0 (ICU 72.1)".
std::string nickname_unicode_version();

}  // namespace tcpkit
