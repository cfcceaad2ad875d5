#include "tcpkit/chat/nickname.h"

#include <string>

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
