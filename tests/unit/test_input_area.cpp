#include "catch.h"

#if TCPKIT_LINE_EDITING
#include <clocale>

#include "tcpkit/terminal/input_area.h"

using namespace tcpkit;

namespace {

// wcwidth measures with the C library's locale, as libedit does in line mode.
void use_utf8_locale() {
    REQUIRE(std::setlocale(LC_CTYPE, "C.UTF-8") != nullptr);
}

}  // namespace

TEST_CASE("rows_above_cursor counts the rows an input line wraps over", "[input_area]") {
    use_utf8_locale();
    CHECK(rows_above_cursor("", 80) == 0);
    CHECK(rows_above_cursor("short", 80) == 0);
    CHECK(rows_above_cursor(std::string(79, 'x'), 80) == 0);
    // A full row: libedit puts the cursor at the start of the next one.
    CHECK(rows_above_cursor(std::string(80, 'x'), 80) == 1);
    CHECK(rows_above_cursor(std::string(170, 'x'), 80) == 2);
}

TEST_CASE("rows_above_cursor counts CJK as two columns and wraps one that does not fit",
          "[input_area]") {
    use_utf8_locale();
    CHECK(rows_above_cursor("一二三四", 10) == 0);     // 8 columns
    CHECK(rows_above_cursor("一二三四五", 10) == 1);   // exactly full
    CHECK(rows_above_cursor("a一二三四五", 10) == 1);  // 五 does not fit in column 9
    CHECK(rows_above_cursor("e\xCC\x81", 2) == 0);     // a combining mark takes no column
}

TEST_CASE("rows_above_cursor pads a tab to the next multiple of 8 or the row's end",
          "[input_area]") {
    use_utf8_locale();
    CHECK(rows_above_cursor("\t", 10) == 0);
    CHECK(rows_above_cursor("\t\t", 10) == 1);  // 8, then 2 to the end of the row
}

TEST_CASE("rows_above_cursor_after_resize takes the guess that erases no peer line",
          "[input_area]") {
    use_utf8_locale();
    std::string line(24, 'x');
    CHECK(rows_above_cursor_after_resize(line, 30, 12) == 0);  // not moved (xterm)
    CHECK(rows_above_cursor_after_resize(line, 12, 40) == 0);  // reflowed to one row (tmux)
    CHECK(rows_above_cursor_after_resize(std::string(50, 'x'), 40, 20) == 1);
}
#endif
