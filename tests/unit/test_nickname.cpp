#include "tcpkit/chat/nickname.h"

#include <array>
#include <string>
#include <string_view>

#include "catch.h"

using namespace tcpkit;

TEST_CASE("check_nickname accepts letters of any script, digits, _ - and .", "[nickname]") {
    for (const char* name :
         {"alice", "Bob_2", "x", "dr.who", "a-b", "小明", "Zoë", "Ĳsselmeer", "Ελένη", "Дмитрий",
          "さくら", "カタカナ", "한국어", "नमस्ते", "محمد", "שלום"}) {
        INFO(name);
        CHECK(check_nickname(name));
    }
    CHECK(check_nickname(std::string(32, 'a')));
    CHECK(check_nickname(
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二"));  // 32 characters
}

TEST_CASE("check_nickname says what is wrong", "[nickname]") {
    CHECK(check_nickname("").problem == NicknameProblem::empty);
    CHECK(check_nickname(std::string(33, 'a')).problem == NicknameProblem::too_long);
    CHECK(check_nickname("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三")
              .problem == NicknameProblem::too_long);
    for (auto [name, offending] : std::initializer_list<std::pair<const char*, const char*>>{
             {"two words", " "},
             {"tab\there", "\t"},
             {"esc\x1b[31m", "\x1b"},
             {"at@home", "@"},
             {"/nick", "/"},
             {"smile\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},  // emoji
             {"full\xEF\xBC\x8E"
              "stop",
              "\xEF\xBC\x8E"},                           // fullwidth full stop
             {"ideo\xE3\x80\x82", "\xE3\x80\x82"},       // ideographic full stop
             {"zero\xE2\x80\x8Bwidth", "\xE2\x80\x8B"},  // zero-width space
         }) {
        INFO(name);
        auto check = check_nickname(name);
        CHECK(check.problem == NicknameProblem::bad_character);
        CHECK(check.offending == offending);
    }
}

TEST_CASE("fold_nickname makes names that differ only in case equal", "[nickname]") {
    CHECK(fold_nickname("Alice") == fold_nickname("aLICE"));
    CHECK(fold_nickname("ZOË") == fold_nickname("zoë"));
    CHECK(fold_nickname("ĲSSEL") == fold_nickname("ĳssel"));
    CHECK(fold_nickname("ŁÓDŹ") == fold_nickname("łódź"));
    CHECK(fold_nickname("ΕΛΈΝΗ") == fold_nickname("ελένη"));
    CHECK(fold_nickname("ДМИТРИЙ") == fold_nickname("дмитрий"));
    CHECK(fold_nickname("ЁЖ") == fold_nickname("ёж"));
    CHECK(fold_nickname("Ÿves") == fold_nickname("ÿves"));
    CHECK(fold_nickname("小明") == "小明");
    CHECK(fold_nickname("alice") != fold_nickname("alicf"));
    CHECK(fold_nickname("a_b") != fold_nickname("a-b"));
}

TEST_CASE("fold_nickname folds every case pair, and compatibility and decomposed forms",
          "[nickname]") {
    // Case pairs the hand-written tables of before missed.
    CHECK(fold_nickname("Ґанна") == fold_nickname("ґанна"));  // Ukrainian
    CHECK(fold_nickname("ҚАЗАҚ") == fold_nickname("қазақ"));  // Kazakh
    CHECK(fold_nickname("Өмір") == fold_nickname("өмір"));
    CHECK(fold_nickname("ΪΫ") == fold_nickname("ϊϋ"));                   // Greek dialytika
    CHECK(fold_nickname("ԱՐԱՄ") == fold_nickname("Արամ"));               // Armenian
    CHECK(fold_nickname("STRASSE") == fold_nickname("straße"));          // full folding
    CHECK(fold_nickname("ＡＬＩＣＥ") == fold_nickname("alice"));        // fullwidth
    CHECK(fold_nickname("Zo\xC3\xAB") == fold_nickname("Zoe\xCC\x88"));  // composed, decomposed
    // Marks in either order are one text (canonical order), the same marks on another base not.
    CHECK(fold_nickname("e\xCC\x81\xCC\xA3") == fold_nickname("e\xCC\xA3\xCC\x81"));
    CHECK(fold_nickname("한국") == fold_nickname("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB국"));
    for (const char* name : {"Alice", "ＡＬＩＣＥ", "straße", "Ґанна", "Zoë", "한국어"}) {
        INFO(name);
        CHECK(fold_nickname(fold_nickname(name)) == fold_nickname(name));
    }
}

TEST_CASE("check_nickname goes by Unicode category, not by block", "[nickname]") {
    for (const char* name : {"Ґанна", "Қазақ", "Ϊάσων", "Արամ", "ＡＬＩＣＥ", "Zoe\xCC\x88",
                             "東京さくら", "山田_Taro", "김민준", "ม่าน", "देवनागरी"}) {
        INFO(name);
        CHECK(check_nickname(name));
    }
    // Punctuation and symbols inside letter blocks.
    for (const char* offending : {"।", "॰", "৳", "᾽", "´", "\xE3\x85\xA4" /* Hangul filler */}) {
        INFO(offending);
        auto check = check_nickname(std::string("ab") + offending);
        CHECK(check.problem == NicknameProblem::bad_character);
        CHECK(check.offending == offending);
    }
    auto mark = check_nickname(
        "\xCC\x81"
        "abc");
    CHECK(mark.problem == NicknameProblem::starts_with_mark);
    CHECK(mark.offending == "\xCC\x81");
}

TEST_CASE("check_nickname refuses names that mix scripts, as UTS #39 highly restrictive",
          "[nickname]") {
    auto mixed = check_nickname("\xD0\xB0lice");  // Cyrillic а, then Latin
    CHECK(mixed.problem == NicknameProblem::mixed_scripts);
    CHECK(mixed.scripts == std::array<std::string, 2>{"Cyrillic", "Latin"});
    CHECK(check_nickname("pаypal").problem == NicknameProblem::mixed_scripts);
    CHECK(check_nickname("Ελένηx").problem == NicknameProblem::mixed_scripts);
    CHECK(check_nickname("김민준さくら").problem == NicknameProblem::mixed_scripts);
    // Digits and _-. go with any script; Latin goes with Japanese, Chinese and Korean.
    for (const char* name : {"Дмитрий_42", "tanaka東京さくら", "Lee김민준", "wang王"}) {
        INFO(name);
        CHECK(check_nickname(name));
    }
}

TEST_CASE("nickname_lookalike_keys: confusable names share a key", "[nickname]") {
    auto share_a_key = [](std::string_view a, std::string_view b) {
        for (const auto& x : nickname_lookalike_keys(a)) {
            for (const auto& y : nickname_lookalike_keys(b)) {
                if (x == y) {
                    return true;
                }
            }
        }
        return false;
    };
    CHECK(share_a_key("ape", "аре"));  // all Cyrillic, one script each: a whole-script look-alike
    CHECK(share_a_key("cope", "соре"));
    CHECK(share_a_key("Ian", "lan"));  // capital I, small l
    CHECK(share_a_key("mary", "rnary"));
    CHECK(share_a_key("b0b", "bob"));
    CHECK(share_a_key("Alice", "alice"));  // the same name looks like itself
    CHECK(share_a_key("ＡＬＩＣＥ", "alice"));
    CHECK(share_a_key("Ελένη", "ΕΛΈΝΗ"));
    CHECK_FALSE(share_a_key("alice", "alicia"));
    CHECK_FALSE(share_a_key("a_b", "a-b"));
    CHECK_FALSE(share_a_key("小明", "小朋"));
    CHECK_FALSE(share_a_key("ann", "anna"));
}
