// The terminal fixture itself, against plain programs (cat, sh): that keys, pastes, the screen,
// the cursor and the exit records mean what the line mode tests take them to mean.
#include <algorithm>
#include <string>

#include "catch.h"
#include "tmux_terminal.h"

using namespace tcpkit::test;

TEST_CASE("terminal fixture: typed keys and a paste reach cat, which echoes them on screen",
          "[terminal]") {
    TmuxTerminal terminal({"/bin/cat"}, 40, 10);
    terminal.type("hello 你好");
    // The terminal's own echo: two columns per CJK character, so the cursor is at 6 + 4.
    terminal.wait_for_text("hello 你好");
    terminal.wait_for_cursor_column(10);
    terminal.press("Enter");
    // cat's copy of the line comes after the echo.
    terminal.wait_until(
        [](const std::string& screen) { return screen.find("hello 你好\nhello 你好\n") == 0; },
        "cat's copy of the line");
    // The terminal echoes the whole paste at once, and cat copies it after (or in between).
    terminal.paste("one\ntwo\n");
    terminal.wait_until(
        [&](const std::string&) {
            auto rows = terminal.screen_lines();
            return std::count(rows.begin(), rows.end(), "one") == 2 &&
                   std::count(rows.begin(), rows.end(), "two") == 2;
        },
        "each pasted line twice");
    terminal.press("C-d");
    CHECK(terminal.wait_for_exit() == 0);
    CHECK(terminal.terminal_settings_before() == terminal.terminal_settings_after());
    terminal.wait_for_text(std::string(TmuxTerminal::shell_prompt));
}

TEST_CASE("terminal fixture: exit status, Ctrl+C, title, resize and the history", "[terminal]") {
    SECTION("a status of the command's own") {
        TmuxTerminal terminal({"/bin/sh", "-c", "printf 'it'\\''s done\\n'; exit 3"});
        CHECK(terminal.wait_for_exit() == 3);
        terminal.wait_for_text("it's done\n[shell]$");
    }
    SECTION("Ctrl+C kills the command, not the script that records it") {
        // Ctrl+C before cat has started would be lost (between fork and exec, the script's
        // child still has its ignoring handler): "started" says cat is about to run.
        TmuxTerminal terminal({"/bin/sh", "-c", "echo started; exec cat"});
        terminal.wait_for_text("started");
        terminal.type("x");
        terminal.wait_for_text("x");
        terminal.press("C-c");
        CHECK(terminal.wait_for_exit() == 130);
        CHECK(terminal.terminal_settings_before() == terminal.terminal_settings_after());
    }
    SECTION("an escape sequence the program writes changes the title; resize and scrollback") {
        TmuxTerminal terminal({"/bin/sh", "-c",
                               "printf '\\033]2;set by sh\\007'; for i in $(seq 1 60); do "
                               "echo line $i; done; read x"},
                              30, 10);
        terminal.wait_for_text("line 60");
        terminal.wait_until(
            [&](const std::string&) { return terminal.pane_title() == "set by sh"; },
            "the title sh set");
        CHECK(terminal.screen().find("line 1\n") == std::string::npos);
        CHECK(terminal.history().find("line 1\nline 2\n") != std::string::npos);
        terminal.resize(50, 12);
        terminal.wait_until(
            [&](const std::string&) { return terminal.screen_lines().size() == 12; },
            "12 rows after the resize");
        terminal.press("Enter");
        CHECK(terminal.wait_for_exit() == 0);
    }
}
