// What a peer's bytes become before they reach a terminal or a log line: safe_to_show in its
// three colour modes (base/terminal_text.h), escape_bytes and json_escape (base/byte_escape.h).
// Invariants: safe_to_show's output is valid UTF-8 with no C0 control but tab, no DEL, no C1
// control and no bidirectional control; ESC only where colours are kept, and then only as the
// start of a whole SGR sequence; escape_bytes gives printable ASCII only; json_escape gives
// valid UTF-8 without a raw control character or an unescaped quote.
#include <string>

#include "fuzz_support.h"
#include "tcpkit/base/byte_escape.h"
#include "tcpkit/base/terminal_text.h"
#include "tcpkit/base/utf8.h"

using tcpkit::ColourSequences;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input = tcpkit::fuzz::as_text(data, size);

    for (auto colour : {ColourSequences::escape, ColourSequences::keep, ColourSequences::drop}) {
        std::string shown = tcpkit::safe_to_show(input, colour);
        FUZZ_CHECK(tcpkit::fuzz::is_valid_utf8(shown), "safe_to_show returned invalid UTF-8");
        tcpkit::fuzz::check_inert_on_terminal(shown, colour == ColourSequences::keep);
    }
    std::size_t sgr = tcpkit::colour_sequence_length(input);
    FUZZ_CHECK(sgr == 0 || (sgr >= 3 && sgr <= input.size() && input[sgr - 1] == 'm'),
               "a colour sequence length that does not end at its 'm'");

    std::size_t max_bytes = size % 300;
    std::string escaped = tcpkit::escape_bytes(input, max_bytes);
    for (char c : escaped) {
        FUZZ_CHECK(c >= 0x20 && c < 0x7F, "escape_bytes let a byte through unescaped");
    }

    std::string json = tcpkit::json_escape(input);
    FUZZ_CHECK(tcpkit::fuzz::is_valid_utf8(json), "json_escape returned invalid UTF-8");
    std::size_t position = 0;
    bool after_backslash = false;
    while (position < json.size()) {
        char32_t c = tcpkit::next_code_point(json, position);
        FUZZ_CHECK(c >= 0x20 && c != 0x7F && (c < 0x80 || c > 0x9F),
                   "a control character in a JSON string");
        FUZZ_CHECK(c != '"' || after_backslash, "an unescaped quote ends the JSON string");
        after_backslash = c == '\\' && !after_backslash;
    }
    FUZZ_CHECK(!after_backslash, "a JSON string ending in a lone backslash");
    return 0;
}
