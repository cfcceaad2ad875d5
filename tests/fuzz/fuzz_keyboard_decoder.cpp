// What a terminal sends as keys (terminal/keyboard_decoder.h), in the pieces a read returns.
// Input: [count] [count chunk sizes] bytes.
// Invariants: every character is a Unicode scalar value; inside a paste, only text, tab and
// Enter ('\n') come out, never an editing key; the same characters whatever the chunking, once
// what is held back at the end is released; nothing is left after that.
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "tcpkit/terminal/keyboard_decoder.h"

namespace {

std::vector<char32_t> decode(std::string_view bytes, std::string_view sizes) {
    tcpkit::KeyboardDecoder decoder;
    std::vector<char32_t> characters;
    auto drain = [&] {
        while (auto character = decoder.next()) {
            char32_t c = *character;
            FUZZ_CHECK(c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF), "not a Unicode scalar value");
            if (decoder.in_paste()) {
                FUZZ_CHECK(c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7F),
                           "a pasted control character typed as a key");
            }
            characters.push_back(c);
        }
    };
    tcpkit::fuzz::for_each_chunk(bytes, sizes, [&](std::string_view chunk) {
        decoder.add(chunk);
        drain();
        // What is held back is at most a marker's or a character's beginning.
        FUZZ_CHECK(decoder.pending_bytes() < tcpkit::paste_start_marker.size(),
                   "more held back than a marker's start");
    });
    decoder.release_held();
    drain();
    FUZZ_CHECK(decoder.empty(), "bytes left after releasing what was held");
    return characters;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tcpkit::fuzz::InputSplitter input(tcpkit::fuzz::as_text(data, size));
    std::string sizes = input.take_chunk_sizes();
    std::string_view bytes = input.rest();
    FUZZ_CHECK(decode(bytes, sizes) == decode(bytes, {}), "the chunking changed the keys");
    return 0;
}
