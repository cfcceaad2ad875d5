#include "tcpkit/chat/chat_text.h"

#include <string>

#include "catch.h"

using namespace tcpkit;

TEST_CASE("clean_chat_text keeps ordinary text, tabs and every script as they are", "[chat_text]") {
    CHECK(clean_chat_text("hello, world!") == "hello, world!");
    CHECK(clean_chat_text("tab\tseparated") == "tab\tseparated");
    CHECK(clean_chat_text("你好，世界 ✓ ünïcödé") == "你好，世界 ✓ ünïcödé");
}

TEST_CASE("clean_chat_text shows terminal controls instead of obeying them", "[chat_text]") {
    CHECK(clean_chat_text("\x1b[2J") == "^[[2J");
    CHECK(clean_chat_text("bell\x07") == "bell^G");
    CHECK(clean_chat_text(std::string("nul\0", 4)) == "nul^@");
    CHECK(clean_chat_text("back\bspace\x7f") == "back^Hspace^?");
    CHECK(clean_chat_text("cr\rlf") == "cr^Mlf");
    CHECK(clean_chat_text("csi\xc2\x9b"
                          "31m") == "csi<U+009B>31m");
    CHECK(clean_chat_text("nel\xc2\x85") == "nel<U+0085>");
    CHECK(clean_chat_text("\xc2\xa0nbsp stays") == "\xc2\xa0nbsp stays");
    CHECK(clean_chat_text("rlo\xe2\x80\xae"
                          "txt") == "rlo<U+202E>txt");
    CHECK(clean_chat_text("lri\xe2\x81\xa6"
                          "x\xe2\x81\xa9") == "lri<U+2066>x<U+2069>");
    CHECK(clean_chat_text("dash \xe2\x80\x94 stays") == "dash \xe2\x80\x94 stays");
}

TEST_CASE("clean_chat_text replaces invalid UTF-8 with U+FFFD", "[chat_text]") {
    CHECK(clean_chat_text("bad\xff") == "bad\xEF\xBF\xBD");
    CHECK(clean_chat_text("\xc3(") == "\xEF\xBF\xBD(");
}

TEST_CASE("trim_blanks removes spaces and tabs at both ends only", "[chat_text]") {
    CHECK(trim_blanks("  a b \t") == "a b");
    CHECK(trim_blanks("") == "");
    CHECK(trim_blanks(" \t ") == "");
}
