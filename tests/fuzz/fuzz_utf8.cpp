// UTF-8 repair and decoding (base/utf8.h), which every text from a peer goes through.
// Invariants: to_valid_utf8's output is valid UTF-8 (checked by a decoder of this file's own);
// valid input comes back unchanged, so repairing is idempotent; next_code_point and
// append_utf8 round-trip the repaired text; and decode_first_character, fed the bytes as they
// come, agrees with to_valid_utf8 on every character.
#include <string>

#include "fuzz_support.h"
#include "tcpkit/base/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using tcpkit::fuzz::is_valid_utf8;
    std::string_view input = tcpkit::fuzz::as_text(data, size);

    std::string repaired = tcpkit::to_valid_utf8(input);
    FUZZ_CHECK(is_valid_utf8(repaired), "to_valid_utf8 returned invalid UTF-8");
    FUZZ_CHECK(tcpkit::to_valid_utf8(repaired) == repaired, "repairing twice changed the text");
    if (is_valid_utf8(input)) {
        FUZZ_CHECK(repaired == input, "valid input was changed");
    }

    std::string reencoded;
    std::size_t position = 0;
    while (position < repaired.size()) {
        std::size_t before = position;
        char32_t code_point = tcpkit::next_code_point(repaired, position);
        FUZZ_CHECK(position > before && position <= repaired.size(),
                   "next_code_point did not advance within the text");
        FUZZ_CHECK(code_point <= 0x10FFFF && (code_point < 0xD800 || code_point > 0xDFFF),
                   "decoded a surrogate or a code point past U+10FFFF");
        tcpkit::append_utf8(reencoded, code_point);
    }
    FUZZ_CHECK(reencoded == repaired, "decoding and encoding changed the text");

    // Character by character, as a terminal's keys arrive: the same text as the one-shot repair.
    std::string incremental;
    std::string_view rest = input;
    while (!rest.empty()) {
        auto first = tcpkit::decode_first_character(rest);
        if (!first) {
            // Cut short by the end: the rest never comes, and to_valid_utf8 gives one U+FFFD.
            tcpkit::append_utf8(incremental, 0xFFFD);
            break;
        }
        FUZZ_CHECK(first->length >= 1 && first->length <= 4 && first->length <= rest.size(),
                   "a first character of impossible length");
        tcpkit::append_utf8(incremental, first->code_point);
        rest.remove_prefix(first->length);
    }
    FUZZ_CHECK(incremental == repaired, "decode_first_character disagrees with to_valid_utf8");
    return 0;
}
