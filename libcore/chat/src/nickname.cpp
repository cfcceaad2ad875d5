#include "tcpkit/chat/nickname.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <span>

#include "name_tables.h"
#include "tcpkit/base/utf8.h"

namespace tcpkit {
namespace {

using CodePoints = std::u32string;
namespace tables = name_tables;

bool in_ranges(std::span<const tables::CodePointRange> ranges, char32_t c) {
    auto found =
        std::upper_bound(ranges.begin(), ranges.end(), c,
                         [](char32_t value, const auto& range) { return value < range.first; });
    return found != ranges.begin() && c <= std::prev(found)->last;
}

uint32_t range_value(std::span<const tables::ValueRange> ranges, char32_t c, uint32_t otherwise) {
    auto found =
        std::upper_bound(ranges.begin(), ranges.end(), c,
                         [](char32_t value, const auto& range) { return value < range.first; });
    if (found == ranges.begin() || c > std::prev(found)->last) {
        return otherwise;
    }
    return std::prev(found)->value;
}

// Hangul syllables decompose by formula (The Unicode Standard, section 3.12).
constexpr char32_t hangul_first = 0xAC00;
constexpr char32_t hangul_count = 11172;
constexpr char32_t hangul_vowels_times_finals = 588;
constexpr char32_t hangul_finals = 28;

void append_hangul(CodePoints& out, char32_t syllable) {
    char32_t index = syllable - hangul_first;
    out.push_back(0x1100 + index / hangul_vowels_times_finals);
    out.push_back(0x1161 + (index % hangul_vowels_times_finals) / hangul_finals);
    if (char32_t final_consonant = index % hangul_finals; final_consonant != 0) {
        out.push_back(0x11A7 + final_consonant);
    }
}

void append_mapped(CodePoints& out, std::span<const tables::Mapping> mappings, char32_t c) {
    auto found =
        std::lower_bound(mappings.begin(), mappings.end(), c,
                         [](const auto& mapping, char32_t value) { return mapping.from < value; });
    if (found != mappings.end() && found->from == c) {
        auto to = tables::sequences.subspan(found->offset, found->length);
        out.append(to.begin(), to.end());
    } else {
        out.push_back(c);
    }
}

// Canonical ordering: each run of combining marks sorted, stably, by combining class, which is
// what makes "e, acute, dot below" and "e, dot below, acute" the same text.
void order_marks(CodePoints& text) {
    auto combining_class = [](char32_t c) { return range_value(tables::combining_classes, c, 0); };
    auto run = text.begin();
    while (run != text.end()) {
        run = std::find_if(run, text.end(), [&](char32_t c) { return combining_class(c) != 0; });
        auto end =
            std::find_if(run, text.end(), [&](char32_t c) { return combining_class(c) == 0; });
        std::stable_sort(run, end, [&](char32_t a, char32_t b) {
            return combining_class(a) < combining_class(b);
        });
        run = end;
    }
}

enum class Table { fold, decomposition, skeleton };

// Maps every code point through one table, then orders the marks: each table's values are in
// decomposed form, so the result is too.
CodePoints map_text(const CodePoints& text, Table table) {
    CodePoints out;
    out.reserve(text.size() + 4);
    for (char32_t c : text) {
        if (table != Table::skeleton && c >= hangul_first && c < hangul_first + hangul_count) {
            append_hangul(out, c);
        } else if (table == Table::fold) {
            append_mapped(out, tables::folds, c);
        } else if (table == Table::decomposition) {
            append_mapped(out, tables::decompositions, c);
        } else {
            append_mapped(out, tables::skeletons, c);
        }
    }
    order_marks(out);
    return out;
}

CodePoints decode(std::string_view text) {
    CodePoints out;
    std::size_t position = 0;
    while (position < text.size()) {
        out.push_back(next_code_point(text, position));
    }
    return out;
}

std::string encode(const CodePoints& text) {
    std::string out;
    out.reserve(text.size());
    for (char32_t c : text) {
        append_utf8(out, c);
    }
    return out;
}

using ScriptBits = std::array<uint64_t, 4>;

ScriptBits script_bits(char32_t c) {
    return tables::script_sets[range_value(tables::scripts, c, 0)].bits;
}

// No script: a character of Common or Inherited (digits, marks, _-.), or an empty intersection.
bool is_empty(const ScriptBits& bits) {
    return std::all_of(bits.begin(), bits.end(), [](uint64_t word) { return word == 0; });
}

ScriptBits intersect(const ScriptBits& a, const ScriptBits& b) {
    return {a[0] & b[0], a[1] & b[1], a[2] & b[2], a[3] & b[3]};
}

std::string first_script_name(const ScriptBits& bits) {
    for (std::size_t word = 0; word < bits.size(); ++word) {
        if (bits[word] != 0) {
            return tables::script_names[word * 64 + std::countr_zero(bits[word])];
        }
    }
    return {};
}

ScriptBits script_of(int code) {
    ScriptBits bits{};
    bits[static_cast<std::size_t>(code / 64)] = uint64_t{1} << (code % 64);
    return bits;
}

ScriptBits unite(const ScriptBits& a, const ScriptBits& b) {
    return {a[0] | b[0], a[1] | b[1], a[2] | b[2], a[3] | b[3]};
}

// ICU's script codes (uscript.h): Latin, and the augmented sets of UTS #39 section 5.1.
constexpr int latin = 25;
constexpr int japanese = 105;
constexpr int korean = 119;
constexpr int han_with_bopomofo = 172;

// UTS #39 section 5.2, "highly restrictive": the scripts of the characters have one in common,
// or Latin with one of the three CJK combinations covers them all. Otherwise, two scripts that
// do not go together, for the message.
std::optional<std::array<std::string, 2>> mixed_scripts(const CodePoints& name) {
    ScriptBits common;
    common.fill(~uint64_t{0});
    std::optional<std::array<std::string, 2>> mix;
    for (char32_t c : name) {
        ScriptBits bits = script_bits(c);
        if (is_empty(bits)) {
            continue;
        }
        ScriptBits narrowed = intersect(common, bits);
        if (is_empty(narrowed) && !mix) {
            mix = std::array{first_script_name(common), first_script_name(bits)};
        }
        common = narrowed;
    }
    if (!mix) {
        return std::nullopt;
    }
    for (int cjk : {japanese, han_with_bopomofo, korean}) {
        ScriptBits allowed = unite(script_of(latin), script_of(cjk));
        bool covered = std::all_of(name.begin(), name.end(), [&](char32_t c) {
            ScriptBits bits = script_bits(c);
            return is_empty(bits) || !is_empty(intersect(bits, allowed));
        });
        if (covered) {
            return std::nullopt;
        }
    }
    return mix;
}

}  // namespace

NicknameCheck check_nickname(std::string_view name) {
    if (name.empty()) {
        return {NicknameProblem::empty, {}, {}};
    }
    std::size_t characters = 0;
    std::size_t position = 0;
    while (position < name.size()) {
        std::size_t start = position;
        char32_t c = next_code_point(name, position);
        if (!in_ranges(tables::name_characters, c)) {
            return {NicknameProblem::bad_character,
                    std::string(name.substr(start, position - start)),
                    {}};
        }
        if (characters == 0 && in_ranges(tables::marks, c)) {
            return {NicknameProblem::starts_with_mark,
                    std::string(name.substr(start, position - start)),
                    {}};
        }
        ++characters;
    }
    if (characters > max_nickname_characters) {
        return {NicknameProblem::too_long, {}, {}};
    }
    if (auto mix = mixed_scripts(decode(name))) {
        return {NicknameProblem::mixed_scripts, {}, *mix};
    }
    return {};
}

std::string fold_nickname(std::string_view name) {
    return encode(map_text(decode(name), Table::fold));
}

std::vector<std::string> nickname_lookalike_keys(std::string_view name) {
    CodePoints typed = decode(name);
    CodePoints folded = map_text(typed, Table::fold);
    std::vector<std::string> keys{
        encode(map_text(map_text(folded, Table::skeleton), Table::fold)),
        encode(map_text(map_text(map_text(typed, Table::decomposition), Table::skeleton),
                        Table::fold)),
    };
    if (keys[0] == keys[1]) {
        keys.pop_back();
    }
    return keys;
}

std::string nickname_unicode_version() {
    return std::string(tables::unicode_version) + " (ICU " + tables::icu_version + ")";
}

}  // namespace tcpkit
