#include "tcpkit/terminal/peer_display.h"

#include <string>

#include "catch.h"

using namespace tcpkit;

TEST_CASE("PeerDisplay prints whole lines and keeps the unfinished one as the prompt",
          "[peer_display]") {
    PeerDisplay display;
    CHECK(display.add("Welcome\r\nChoose a nick") == "Welcome\n");
    CHECK(display.prompt() == "Choose a nick");
    CHECK(display.add("name: ").empty());
    CHECK(display.prompt() == "Choose a nickname: ");
    CHECK(display.add("done\nnext\n") == "Choose a nickname: done\nnext\n");
    CHECK(display.prompt().empty());
}

TEST_CASE("PeerDisplay forgets the prompt once Enter made it part of a typed line",
          "[peer_display]") {
    PeerDisplay display;
    CHECK(display.add("Choose a nickname: ").empty());
    display.forget_unfinished_line();
    CHECK(display.prompt().empty());
    CHECK(display.add("Welcome, bob!\n") == "Welcome, bob!\n");
}

TEST_CASE("PeerDisplay shows controls escaped, in lines and in the prompt", "[peer_display]") {
    PeerDisplay display;
    CHECK(display.add("\x1b[2Jcleared?\x1b]0;title\x07\n") == "^[[2Jcleared?^[]0;title^G\n");
    CHECK(display.add("a lone\rreturn\n") == "a lone^Mreturn\n");
    CHECK(display.add("bad \xff\n") == "bad \xEF\xBF\xBD\n");
    CHECK(display.add("\x1b[31mred> ").empty());
    CHECK(display.prompt() == "^[[31mred> ");
}

TEST_CASE(
    "PeerDisplay keeps colour when asked, reset at the end of its line, never in the "
    "prompt",
    "[peer_display]") {
    PeerDisplay display(true);
    CHECK(display.add("\x1b[31mred\x1b[2J\n") == "\x1b[31mred^[[2J\x1b[0m\n");
    CHECK(display.add("plain\n") == "plain\n");
    CHECK(display.add("\x1b[1mbold> ").empty());
    CHECK(display.prompt() == "bold> ");
}

TEST_CASE("PeerDisplay splits a UTF-8 character across reads without damage", "[peer_display]") {
    PeerDisplay display;
    CHECK(display.add("\xe4\xbd").empty());
    CHECK(display.add("\xa0\xe5\xa5\xbd\n") == "你好\n");
}

TEST_CASE("PeerDisplay prints an over-long unfinished line as lines of its own, whole characters",
          "[peer_display]") {
    PeerDisplay display;
    std::string chinese;
    while (chinese.size() < max_unfinished_line_bytes + 10) {
        chinese += "你";  // three bytes: 4096 is not a multiple of 3
    }
    std::string lines = display.add(chinese);
    REQUIRE(!lines.empty());
    CHECK(lines.size() <= max_unfinished_line_bytes + 1);
    CHECK(lines.find("\xEF\xBF\xBD") == std::string::npos);
    CHECK(lines.back() == '\n');
    CHECK((lines.size() - 1) % 3 == 0);
    CHECK(display.prompt().size() == chinese.size() - (lines.size() - 1));
    CHECK(display.prompt().find("\xEF\xBF\xBD") == std::string::npos);
}
