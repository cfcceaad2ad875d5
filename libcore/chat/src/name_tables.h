// The Unicode answers behind the nickname rules, generated from ICU at build time by
// libcore/chat/tools/generate_name_tables.cpp (see there for why tables and not ICU itself).
// Every table is sorted by code point; a code point a mapping table does not list maps to
// itself. Hangul syllables are not listed: they decompose by the formula of Unicode 3.12.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace tcpkit::name_tables {

struct CodePointRange {
    char32_t first;
    char32_t last;
};

struct ValueRange {
    char32_t first;
    char32_t last;
    uint32_t value;
};

// A code point and the code points it becomes: sequences[offset, offset + length).
struct Mapping {
    char32_t from;
    uint32_t offset;
    uint32_t length;
};

// Script codes (ICU's UScriptCode, below 256) as bits; no bit set means Common or Inherited,
// which go with any script.
struct ScriptSet {
    std::array<uint64_t, 4> bits;
};

extern const char* const unicode_version;
extern const char* const icu_version;

extern const std::span<const CodePointRange> name_characters;  // what a typed name may hold
extern const std::span<const CodePointRange> marks;            // of those, the combining marks
extern const std::span<const ValueRange> combining_classes;    // canonical combining class, not 0
extern const std::span<const ValueRange> scripts;              // name characters -> script_sets
extern const std::span<const ScriptSet> script_sets;
extern const std::span<const char* const> script_names;  // by script code, e.g. "Cyrillic"

extern const std::span<const Mapping> folds;           // NFD(NFKC_Casefold(c))
extern const std::span<const Mapping> decompositions;  // NFD(c)
extern const std::span<const Mapping> skeletons;       // UTS #39 skeleton of a decomposed c
extern const std::span<const char32_t> sequences;

}  // namespace tcpkit::name_tables
