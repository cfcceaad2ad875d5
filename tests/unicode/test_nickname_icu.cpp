// The nickname rules' tables (generated from ICU at build time) against ICU itself: for every
// character a name may hold, and for random names mixing letters and combining marks, tcpkit's
// folding, look-alike keys and script check give what ICU gives. Built where ICU is (not in the
// Windows cross build, which uses the tables this test proves).
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "catch.h"
#include "tcpkit/base/utf8.h"
#include "tcpkit/chat/nickname.h"

using namespace tcpkit;

namespace {

std::u16string to_utf16(const std::string& utf8) {
    std::u16string out(utf8.size() * 2 + 4, u'\0');
    int32_t length = 0;
    UErrorCode status = U_ZERO_ERROR;
    u_strFromUTF8(out.data(), static_cast<int32_t>(out.size()), &length, utf8.data(),
                  static_cast<int32_t>(utf8.size()), &status);
    REQUIRE(U_SUCCESS(status));
    out.resize(static_cast<std::size_t>(length));
    return out;
}

std::string to_utf8(const std::u16string& utf16) {
    std::string out(utf16.size() * 3 + 4, '\0');
    int32_t length = 0;
    UErrorCode status = U_ZERO_ERROR;
    u_strToUTF8(out.data(), static_cast<int32_t>(out.size()), &length, utf16.data(),
                static_cast<int32_t>(utf16.size()), &status);
    REQUIRE(U_SUCCESS(status));
    out.resize(static_cast<std::size_t>(length));
    return out;
}

class Icu {
  public:
    Icu() {
        UErrorCode status = U_ZERO_ERROR;
        nfd_ = unorm2_getNFDInstance(&status);
        casefold_ = unorm2_getNFKCCasefoldInstance(&status);
        spoof_ = uspoof_open(&status);
        restriction_ = uspoof_open(&status);
        uspoof_setChecks(restriction_, USPOOF_RESTRICTION_LEVEL, &status);
        uspoof_setRestrictionLevel(restriction_, USPOOF_HIGHLY_RESTRICTIVE);
        REQUIRE(U_SUCCESS(status));
    }
    Icu(const Icu&) = delete;
    Icu& operator=(const Icu&) = delete;
    ~Icu() {
        uspoof_close(spoof_);
        uspoof_close(restriction_);
    }

    std::string fold(const std::string& name) const {
        return to_utf8(normalize(nfd_, normalize(casefold_, to_utf16(name))));
    }
    std::string nfd(const std::string& name) const {
        return to_utf8(normalize(nfd_, to_utf16(name)));
    }
    std::string skeleton(const std::string& text) const {
        std::u16string source = to_utf16(text);
        std::u16string out(source.size() * 18 + 8, u'\0');
        UErrorCode status = U_ZERO_ERROR;
        int32_t length =
            uspoof_getSkeleton(spoof_, 0, source.data(), static_cast<int32_t>(source.size()),
                               out.data(), static_cast<int32_t>(out.size()), &status);
        REQUIRE(U_SUCCESS(status));
        out.resize(static_cast<std::size_t>(length));
        return to_utf8(out);
    }
    bool highly_restrictive(const std::string& name) const {
        std::u16string source = to_utf16(name);
        UErrorCode status = U_ZERO_ERROR;
        int32_t result = uspoof_check(restriction_, source.data(),
                                      static_cast<int32_t>(source.size()), nullptr, &status);
        REQUIRE(U_SUCCESS(status));
        return (result & USPOOF_RESTRICTION_LEVEL) == 0;
    }

  private:
    static std::u16string normalize(const UNormalizer2* form, const std::u16string& text) {
        std::u16string out(text.size() * 18 + 8, u'\0');
        UErrorCode status = U_ZERO_ERROR;
        int32_t length = unorm2_normalize(form, text.data(), static_cast<int32_t>(text.size()),
                                          out.data(), static_cast<int32_t>(out.size()), &status);
        REQUIRE(U_SUCCESS(status));
        out.resize(static_cast<std::size_t>(length));
        return out;
    }

    const UNormalizer2* nfd_ = nullptr;
    const UNormalizer2* casefold_ = nullptr;
    USpoofChecker* spoof_ = nullptr;
    USpoofChecker* restriction_ = nullptr;
};

std::string utf8_of(char32_t c) {
    std::string out;
    append_utf8(out, c);
    return out;
}

// Every character check_nickname accepts on its own, and the combining marks it accepts after a
// letter.
std::vector<char32_t> name_characters() {
    std::vector<char32_t> accepted;
    for (char32_t c = 0; c <= 0x10FFFF; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF) {
            continue;
        }
        std::string one = utf8_of(c);
        auto check = check_nickname(one);
        if (check || check.problem == NicknameProblem::starts_with_mark) {
            accepted.push_back(c);
        }
    }
    return accepted;
}

std::vector<std::string> expected_lookalike_keys(const Icu& icu, const std::string& name) {
    std::vector<std::string> keys{icu.fold(icu.skeleton(icu.fold(name))),
                                  icu.fold(icu.skeleton(icu.nfd(name)))};
    if (keys[0] == keys[1]) {
        keys.pop_back();
    }
    return keys;
}

}  // namespace

TEST_CASE("the name tables agree with ICU for every character a name may hold", "[nickname]") {
    Icu icu;
    auto characters = name_characters();
    INFO("Unicode " << nickname_unicode_version());
    CHECK(characters.size() > 100000);  // letters of every script in use, CJK most of them
    std::size_t mismatches = 0;
    for (char32_t c : characters) {
        std::string one = utf8_of(c);
        bool same = fold_nickname(one) == icu.fold(one) &&
                    nickname_lookalike_keys(one) == expected_lookalike_keys(icu, one);
        if (!same && ++mismatches <= 10) {
            FAIL_CHECK("U+" << std::hex << static_cast<unsigned>(c) << " differs from ICU");
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("the name tables agree with ICU on random names of letters and marks", "[nickname]") {
    Icu icu;
    auto characters = name_characters();
    std::vector<char32_t> marks;
    for (char32_t c : characters) {
        if (check_nickname(utf8_of(c)).problem == NicknameProblem::starts_with_mark) {
            marks.push_back(c);
        }
    }
    REQUIRE(!marks.empty());
    std::mt19937 random(20261201);
    std::size_t mismatches = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string name;
        int length = 1 + static_cast<int>(random() % 6);
        for (int i = 0; i < length; ++i) {
            // Marks often, so that their canonical order is exercised.
            bool mark = i > 0 && random() % 3 == 0;
            const auto& pool = mark ? marks : characters;
            append_utf8(name, pool[random() % pool.size()]);
        }
        bool same = fold_nickname(name) == icu.fold(name) &&
                    nickname_lookalike_keys(name) == expected_lookalike_keys(icu, name);
        if (!same && ++mismatches <= 10) {
            FAIL_CHECK("differs from ICU: " << name);
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("the script rule agrees with ICU's highly restrictive level", "[nickname]") {
    Icu icu;
    // Letters of scripts that go together or not, digits and a combining mark, so that both
    // answers are common.
    const std::vector<std::pair<char32_t, char32_t>> pools = {
        {'a', 'z'},       {0x0430, 0x044F}, {0x03B1, 0x03C9}, {0x4E00, 0x4E50},
        {0x3041, 0x3096}, {0x30A1, 0x30FA}, {0xAC00, 0xAC50}, {0x3105, 0x312F},
        {0x0628, 0x064A}, {'0', '9'},       {0x0301, 0x0301}};
    std::mt19937 random(20261202);
    std::size_t mixed = 0;
    std::size_t single = 0;
    std::size_t mismatches = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string name;
        int length = 2 + static_cast<int>(random() % 4);
        for (int i = 0; i < length; ++i) {
            auto [first, last] = pools[random() % (i == 0 ? pools.size() - 1 : pools.size())];
            append_utf8(name, first + static_cast<char32_t>(random() % (last - first + 1)));
        }
        auto check = check_nickname(name);
        if (!check && check.problem != NicknameProblem::mixed_scripts) {
            continue;
        }
        bool refused = check.problem == NicknameProblem::mixed_scripts;
        (refused ? mixed : single) += 1;
        if (refused == icu.highly_restrictive(name) && ++mismatches <= 10) {
            FAIL_CHECK("script check differs from ICU's highly restrictive: " << name);
        }
    }
    CHECK(mismatches == 0);
    CHECK(mixed > 1000);
    CHECK(single > 1000);
}
