// Where line mode's input line is on the screen (terminal/input_area.h): the prompt (a peer's
// unfinished line, made safe) and the typed text, laid out on a terminal of any width.
// Input: [columns] [new columns] text (made valid UTF-8, as the callers' text is).
// Invariants: never more rows than characters (a character moves the cursor by at most two
// rows), more text never puts the cursor on an earlier row, and the guess after a resize is
// never more than the rows before it: a resize never erases a peer's line.
#include <clocale>
#include <string>

#include "fuzz_support.h"
#include "tcpkit/base/utf8.h"
#include "tcpkit/terminal/input_area.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Widths as a UTF-8 terminal has them (wcwidth follows LC_CTYPE), as line mode sets it.
    static const bool utf8_locale = std::setlocale(LC_CTYPE, "C.UTF-8") != nullptr;
    (void)utf8_locale;
    tcpkit::fuzz::InputSplitter input(tcpkit::fuzz::as_text(data, size));
    std::size_t columns = input.take_byte();
    std::size_t new_columns = input.take_byte();
    std::string text = tcpkit::to_valid_utf8(input.rest());

    std::size_t characters = 0;
    std::size_t rows_so_far = 0;
    std::size_t position = 0;
    while (position < text.size()) {
        tcpkit::next_code_point(text, position);
        ++characters;
        std::size_t rows =
            tcpkit::rows_above_cursor(std::string_view(text).substr(0, position), columns);
        FUZZ_CHECK(rows >= rows_so_far, "more text put the cursor on an earlier row");
        FUZZ_CHECK(rows <= 2 * characters, "more rows than the characters can fill");
        rows_so_far = rows;
    }
    std::size_t after_resize = tcpkit::rows_above_cursor_after_resize(text, columns, new_columns);
    FUZZ_CHECK(after_resize <= tcpkit::rows_above_cursor(text, columns),
               "a resize guessed more rows than there were");
    return 0;
}
