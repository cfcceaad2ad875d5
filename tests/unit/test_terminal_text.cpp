#include "tcpkit/base/terminal_text.h"

#include <string>

#include "catch.h"

using namespace tcpkit;

TEST_CASE("safe_to_show keeps ordinary text, tabs and every script as they are",
          "[terminal_text]") {
    CHECK(safe_to_show("hello, world!") == "hello, world!");
    CHECK(safe_to_show("tab\tseparated") == "tab\tseparated");
    CHECK(safe_to_show("你好，世界 ✓ ünïcödé") == "你好，世界 ✓ ünïcödé");
}

TEST_CASE("safe_to_show shows terminal controls instead of obeying them", "[terminal_text]") {
    CHECK(safe_to_show("\x1b[2J") == "^[[2J");
    CHECK(safe_to_show("bell\x07") == "bell^G");
    CHECK(safe_to_show(std::string("nul\0", 4)) == "nul^@");
    CHECK(safe_to_show("back\bspace\x7f") == "back^Hspace^?");
    CHECK(safe_to_show("cr\rlf") == "cr^Mlf");
    CHECK(safe_to_show("csi\xc2\x9b"
                       "31m") == "csi<U+009B>31m");
    CHECK(safe_to_show("nel\xc2\x85") == "nel<U+0085>");
    CHECK(safe_to_show("\xc2\xa0nbsp stays") == "\xc2\xa0nbsp stays");
    CHECK(safe_to_show("rlo\xe2\x80\xae"
                       "txt") == "rlo<U+202E>txt");
    CHECK(safe_to_show("lri\xe2\x81\xa6"
                       "x\xe2\x81\xa9") == "lri<U+2066>x<U+2069>");
    CHECK(safe_to_show("dash \xe2\x80\x94 stays") == "dash \xe2\x80\x94 stays");
}

TEST_CASE("safe_to_show replaces invalid UTF-8 with U+FFFD", "[terminal_text]") {
    CHECK(safe_to_show("bad\xff") == "bad\xEF\xBF\xBD");
    CHECK(safe_to_show("\xc3(") == "\xEF\xBF\xBD(");
}

TEST_CASE("safe_to_show keeps, drops or escapes colour as asked, and nothing else",
          "[terminal_text]") {
    std::string text = "\x1b[1;31mred\x1b[0m \x1b[2J\x1b]0;title\x07";
    CHECK(safe_to_show(text) == "^[[1;31mred^[[0m ^[[2J^[]0;title^G");
    CHECK(safe_to_show(text, ColourSequences::keep) == "\x1b[1;31mred\x1b[0m ^[[2J^[]0;title^G");
    CHECK(safe_to_show(text, ColourSequences::drop) == "red ^[[2J^[]0;title^G");
    // Only complete SGR sequences: a cursor move or an unfinished sequence stays escaped.
    CHECK(safe_to_show("\x1b[10A\x1b[31", ColourSequences::keep) == "^[[10A^[[31");
    CHECK(safe_to_show("\x1b[38:2::255:0:0mx", ColourSequences::drop) == "x");
}

TEST_CASE("colour_sequence_length measures one SGR sequence at the start", "[terminal_text]") {
    CHECK(colour_sequence_length("\x1b[mrest") == 3);
    CHECK(colour_sequence_length("\x1b[1;31mrest") == 7);
    CHECK(colour_sequence_length("\x1b[2J") == 0);
    CHECK(colour_sequence_length("x\x1b[1m") == 0);
    CHECK(colour_sequence_length("\x1b[") == 0);
}
