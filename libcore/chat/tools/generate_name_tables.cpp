// Writes the Unicode tables of the nickname rules (name_tables.h) as C++ source, asking ICU
// every question: which characters a name may hold, their full case folding and compatibility
// normalisation (NFKC_Casefold), canonical decompositions and combining classes, UTS #39
// confusable skeletons, and script extensions.
//
// Why tables and not ICU at run time: the rules must be the same in every build, and the
// Windows cross build has no ICU (Debian has no MinGW build of it). So ICU answers once, on the
// build machine, and tcpkit carries the answers: about 150 KB, against ICU's 30 MB of data and
// two shared libraries at run time. tests/unit/test_nickname_icu.cpp checks the tables' answers
// against ICU itself for every code point.
//
//   generate_name_tables OUTPUT.cpp
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/uset.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>
#include <unicode/uversion.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using CodePoints = std::u32string;

constexpr char32_t last_code_point = 0x10FFFF;
constexpr char32_t hangul_first = 0xAC00;  // syllables decompose by formula (name_tables.h)
constexpr char32_t hangul_last = 0xD7A3;

void check(UErrorCode status, const char* what) {
    if (U_FAILURE(status)) {
        std::cerr << "generate_name_tables: " << what << ": " << u_errorName(status) << "\n";
        std::exit(1);
    }
}

std::u16string to_utf16(const CodePoints& text) {
    std::u16string result;
    for (char32_t c : text) {
        UChar units[2];
        int32_t length = 0;
        [[maybe_unused]] UBool error = false;  // a scalar value always fits in two units
        U16_APPEND(units, length, 2, static_cast<UChar32>(c), error);
        result.append(units, units + length);
    }
    return result;
}

CodePoints from_utf16(const std::u16string& text) {
    CodePoints result;
    int32_t i = 0;
    auto length = static_cast<int32_t>(text.size());
    while (i < length) {
        UChar32 c = 0;
        U16_NEXT(text.data(), i, length, c);
        result.push_back(static_cast<char32_t>(c));
    }
    return result;
}

CodePoints normalize(const UNormalizer2* form, const CodePoints& text) {
    std::u16string source = to_utf16(text);
    std::u16string result(source.size() * 18 + 8, u'\0');
    UErrorCode status = U_ZERO_ERROR;
    int32_t length = unorm2_normalize(form, source.data(), static_cast<int32_t>(source.size()),
                                      result.data(), static_cast<int32_t>(result.size()), &status);
    check(status, "unorm2_normalize");
    result.resize(static_cast<std::size_t>(length));
    return from_utf16(result);
}

CodePoints skeleton(const USpoofChecker* checker, const CodePoints& text) {
    std::u16string source = to_utf16(text);
    std::u16string result(source.size() * 18 + 8, u'\0');
    UErrorCode status = U_ZERO_ERROR;
    int32_t length =
        uspoof_getSkeleton(checker, 0, source.data(), static_cast<int32_t>(source.size()),
                           result.data(), static_cast<int32_t>(result.size()), &status);
    check(status, "uspoof_getSkeleton");
    result.resize(static_cast<std::size_t>(length));
    return from_utf16(result);
}

bool is_scalar(char32_t c) {
    return c < 0xD800 || (c > 0xDFFF && c <= last_code_point);
}

struct Icu {
    const UNormalizer2* nfd = nullptr;
    const UNormalizer2* nfkc_casefold = nullptr;
    USpoofChecker* spoof = nullptr;
    const USet* recommended = nullptr;

    Icu() {
        UErrorCode status = U_ZERO_ERROR;
        nfd = unorm2_getNFDInstance(&status);
        check(status, "unorm2_getNFDInstance");
        nfkc_casefold = unorm2_getNFKCCasefoldInstance(&status);
        check(status, "unorm2_getNFKCCasefoldInstance");
        spoof = uspoof_open(&status);
        check(status, "uspoof_open");
        recommended = uspoof_getRecommendedSet(&status);
        check(status, "uspoof_getRecommendedSet");
    }
    Icu(const Icu&) = delete;
    Icu& operator=(const Icu&) = delete;
    ~Icu() { uspoof_close(spoof); }

    CodePoints fold(char32_t c) const {  // NFD(NFKC_Casefold(c))
        return normalize(nfd, normalize(nfkc_casefold, CodePoints(1, c)));
    }
    CodePoints decomposition(char32_t c) const { return normalize(nfd, CodePoints(1, c)); }

    // What a typed name may hold: `_`, `-`, `.`, and letters, marks and decimal digits whose
    // folded form is not empty (default-ignorable characters fold to nothing) and is made of
    // characters UTS #39 recommends for identifiers (the scripts in everyday use, without
    // obsolete, technical or look-alike-prone ones). Fullwidth `Ａ` is accepted as typed: it
    // folds to `a`, which is recommended.
    bool allowed_in_name(char32_t c) const {
        if (c == '_' || c == '-' || c == '.') {
            return true;
        }
        auto category = static_cast<uint32_t>(U_GET_GC_MASK(static_cast<UChar32>(c)));
        if ((category & (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK)) == 0) {
            return false;
        }
        CodePoints folded = normalize(nfkc_casefold, CodePoints(1, c));
        if (folded.empty()) {
            return false;
        }
        for (char32_t f : folded) {
            if (!uset_contains(recommended, static_cast<UChar32>(f))) {
                return false;
            }
        }
        return true;
    }
};

// The script sets of UTS #39 section 5.1, augmented: Han also counts as Japanese, Korean and
// Han with Bopomofo, kana as Japanese, Hangul as Korean, Bopomofo as Han with Bopomofo, so that
// 東京さくら is one "script". Common and Inherited are marked as such (any script).
using ScriptBits = std::array<uint64_t, 4>;
constexpr int script_bits = 256;

ScriptBits script_set(char32_t c) {
    UScriptCode codes[64];
    UErrorCode status = U_ZERO_ERROR;
    int32_t count = uscript_getScriptExtensions(static_cast<UChar32>(c), codes, 64, &status);
    check(status, "uscript_getScriptExtensions");
    ScriptBits bits{};
    auto add = [&bits](int code) {
        if (code < 0 || code >= script_bits) {
            std::cerr << "generate_name_tables: script code " << code << " out of range\n";
            std::exit(1);
        }
        bits[static_cast<std::size_t>(code / 64)] |= uint64_t{1} << (code % 64);
    };
    for (int32_t i = 0; i < count; ++i) {
        int code = codes[i];
        if (code == USCRIPT_COMMON || code == USCRIPT_INHERITED) {
            return ScriptBits{};  // empty: any script
        }
        add(code);
        if (code == USCRIPT_HAN) {
            add(USCRIPT_JAPANESE);
            add(USCRIPT_KOREAN);
            add(USCRIPT_HAN_WITH_BOPOMOFO);
        } else if (code == USCRIPT_HIRAGANA || code == USCRIPT_KATAKANA) {
            add(USCRIPT_JAPANESE);
        } else if (code == USCRIPT_HANGUL) {
            add(USCRIPT_KOREAN);
        } else if (code == USCRIPT_BOPOMOFO) {
            add(USCRIPT_HAN_WITH_BOPOMOFO);
        }
    }
    return bits;
}

std::string hex(char32_t c) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%04X", static_cast<unsigned>(c));
    return text;
}

struct Ranges {
    std::vector<std::array<char32_t, 3>> items;  // first, last, value
    void add(char32_t c, char32_t value) {
        if (!items.empty() && items.back()[1] + 1 == c && items.back()[2] == value) {
            items.back()[1] = c;
        } else {
            items.push_back({c, c, value});
        }
    }
};

// Mappings share one array of code points; each names its slice.
struct Mappings {
    std::vector<std::array<uint32_t, 3>> items;  // from, offset, length
    void add(char32_t from, const CodePoints& to, CodePoints& data) {
        auto found = data.find(to);
        if (to.empty()) {
            found = 0;
        } else if (found == CodePoints::npos) {
            found = data.size();
            data += to;
        }
        items.push_back({static_cast<uint32_t>(from), static_cast<uint32_t>(found),
                         static_cast<uint32_t>(to.size())});
    }
};

void write_ranges(std::ostream& out, const char* name, const char* type, const Ranges& ranges,
                  bool with_value) {
    out << "const " << type << " " << name << "_data[] = {\n";
    for (const auto& r : ranges.items) {
        out << "    {" << hex(r[0]) << ", " << hex(r[1]);
        if (with_value) {
            out << ", " << static_cast<uint32_t>(r[2]);
        }
        out << "},\n";
    }
    out << "};\nconst std::span<const " << type << "> " << name << "{" << name << "_data};\n\n";
}

void write_mappings(std::ostream& out, const char* name, const Mappings& mappings) {
    out << "const Mapping " << name << "_data[] = {\n";
    for (const auto& m : mappings.items) {
        out << "    {" << hex(m[0]) << ", " << m[1] << ", " << m[2] << "},\n";
    }
    out << "};\nconst std::span<const Mapping> " << name << "{" << name << "_data};\n\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: generate_name_tables OUTPUT.cpp\n";
        return 2;
    }
    Icu icu;

    // Every code point a table may be asked about: the characters of names, and whatever
    // folding, decomposing and skeletons turn them into, until nothing new appears.
    std::set<char32_t> reachable;
    std::vector<char32_t> pending;
    auto reach = [&](char32_t c) {
        if (reachable.insert(c).second) {
            pending.push_back(c);
        }
    };
    for (char32_t c = 0; c <= last_code_point; ++c) {
        if (is_scalar(c) && icu.allowed_in_name(c)) {
            reach(c);
        }
    }
    while (!pending.empty()) {
        char32_t c = pending.back();
        pending.pop_back();
        for (const CodePoints& next :
             {icu.fold(c), icu.decomposition(c), skeleton(icu.spoof, CodePoints(1, c))}) {
            for (char32_t n : next) {
                reach(n);
            }
        }
    }

    Ranges name_characters;
    Ranges marks;
    Ranges combining_classes;
    Ranges scripts;
    std::map<ScriptBits, uint32_t> script_set_index{{ScriptBits{}, 0}};
    CodePoints data;
    Mappings folds;
    Mappings decompositions;
    Mappings skeletons;
    for (char32_t c = 0; c <= last_code_point; ++c) {
        if (!is_scalar(c)) {
            continue;
        }
        if (icu.allowed_in_name(c)) {
            name_characters.add(c, 0);
            if ((U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_M_MASK) != 0) {
                marks.add(c, 0);
            }
            ScriptBits bits = script_set(c);
            auto [entry, added] =
                script_set_index.try_emplace(bits, static_cast<uint32_t>(script_set_index.size()));
            scripts.add(c, entry->second);
        }
        if (reachable.count(c) == 0) {
            continue;
        }
        if (uint8_t ccc = u_getCombiningClass(static_cast<UChar32>(c)); ccc != 0) {
            combining_classes.add(c, ccc);
        }
        if (c >= hangul_first && c <= hangul_last) {
            continue;
        }
        if (CodePoints folded = icu.fold(c); folded != CodePoints(1, c)) {
            folds.add(c, folded, data);
        }
        CodePoints decomposed = icu.decomposition(c);
        if (decomposed != CodePoints(1, c)) {
            decompositions.add(c, decomposed, data);
        } else if (CodePoints prototype = skeleton(icu.spoof, CodePoints(1, c));
                   prototype != decomposed) {
            // A skeleton is taken of decomposed text, so only decomposed characters need one.
            skeletons.add(c, prototype, data);
        }
    }

    std::vector<ScriptBits> sets(script_set_index.size());
    for (const auto& [bits, index] : script_set_index) {
        sets[index] = bits;
    }

    UVersionInfo unicode;
    u_getUnicodeVersion(unicode);
    char unicode_text[U_MAX_VERSION_STRING_LENGTH];
    u_versionToString(unicode, unicode_text);

    std::ofstream out(argv[1]);
    out << "// Generated by libcore/chat/tools/generate_name_tables.cpp from ICU " << U_ICU_VERSION
        << " (Unicode " << unicode_text << "): do not edit.\n"
        << "#include \"name_tables.h\"\n\nnamespace tcpkit::name_tables {\n\n"
        << "const char* const unicode_version = \"" << unicode_text << "\";\n"
        << "const char* const icu_version = \"" << U_ICU_VERSION << "\";\n\n";
    write_ranges(out, "name_characters", "CodePointRange", name_characters, false);
    write_ranges(out, "marks", "CodePointRange", marks, false);
    write_ranges(out, "combining_classes", "ValueRange", combining_classes, true);
    write_ranges(out, "scripts", "ValueRange", scripts, true);
    out << "const ScriptSet script_sets_data[] = {\n";
    for (const auto& bits : sets) {
        out << "    {{" << bits[0] << "u, " << bits[1] << "u, " << bits[2] << "u, " << bits[3]
            << "u}},\n";
    }
    out << "};\nconst std::span<const ScriptSet> script_sets{script_sets_data};\n\n";
    out << "const char* const script_names_data[] = {\n";
    for (int code = 0; code < script_bits; ++code) {
        const char* script_name =
            code < USCRIPT_CODE_LIMIT ? uscript_getName(static_cast<UScriptCode>(code)) : nullptr;
        out << "    \"" << (script_name != nullptr ? script_name : "") << "\",\n";
    }
    out << "};\nconst std::span<const char* const> script_names{script_names_data};\n\n";
    write_mappings(out, "folds", folds);
    write_mappings(out, "decompositions", decompositions);
    write_mappings(out, "skeletons", skeletons);
    out << "const char32_t sequences_data[] = {\n";
    for (std::size_t i = 0; i < data.size(); ++i) {
        out << (i % 8 == 0 ? "    " : " ") << hex(data[i]) << ","
            << (i % 8 == 7 || i + 1 == data.size() ? "\n" : "");
    }
    out << "    0};\nconst std::span<const char32_t> sequences{sequences_data};\n\n"
        << "}  // namespace tcpkit::name_tables\n";
    if (!out) {
        std::cerr << "generate_name_tables: cannot write " << argv[1] << "\n";
        return 1;
    }
    std::cerr << "generate_name_tables: " << name_characters.items.size() << " name ranges, "
              << folds.items.size() << " folds, " << decompositions.items.size()
              << " decompositions, " << skeletons.items.size() << " skeletons, " << data.size()
              << " code points of sequences, " << sets.size() << " script sets (Unicode "
              << unicode_text << ")\n";
    return 0;
}
