// What line mode shows of a peer's bytes (terminal/peer_display.h), in the pieces the socket
// returns them. Input: [flags] [count] [count chunk sizes] bytes; flags bit 0 keeps colours.
// Invariants: the lines shown are valid UTF-8, each ending in '\n', with nothing that acts on a
// terminal (ESC only as a colour sequence when colours are kept, and then reset before the line
// end); the prompt (the unfinished line) has no ESC at all and a bounded size, whatever the peer
// sends without a line end; without colours, the text shown, apart from where lines are cut,
// and the prompt are the same whatever the chunking.
#include <string>

#include "fuzz_support.h"
#include "tcpkit/terminal/peer_display.h"

namespace {

struct Shown {
    std::string text;  // every line shown, line ends taken out
    std::string prompt;
};

Shown show(std::string_view bytes, std::string_view sizes, bool keep_colour) {
    tcpkit::PeerDisplay display(keep_colour);
    Shown shown;
    tcpkit::fuzz::for_each_chunk(bytes, sizes, [&](std::string_view chunk) {
        std::string lines = display.add(chunk);
        FUZZ_CHECK(tcpkit::fuzz::is_valid_utf8(lines), "lines shown that are not UTF-8");
        std::string_view rest = lines;
        while (!rest.empty()) {
            std::size_t newline = rest.find('\n');
            FUZZ_CHECK(newline != std::string_view::npos, "a line shown without its line end");
            std::string_view line = rest.substr(0, newline);
            tcpkit::fuzz::check_inert_on_terminal(line, keep_colour);
            if (line.find('\x1b') != std::string_view::npos) {
                FUZZ_CHECK(line.size() >= 4 && line.substr(line.size() - 4) == "\x1b[0m",
                           "a peer's colour not reset before the line end");
            }
            shown.text += line;
            rest.remove_prefix(newline + 1);
        }
        std::string prompt = display.prompt();
        FUZZ_CHECK(tcpkit::fuzz::is_valid_utf8(prompt), "a prompt that is not UTF-8");
        tcpkit::fuzz::check_inert_on_terminal(prompt, false);
        // At most max_unfinished_line_bytes held, each byte shown as at most 4 ("<U+009B>" for
        // two).
        FUZZ_CHECK(prompt.size() <= 4 * tcpkit::max_unfinished_line_bytes, "an unbounded prompt");
        shown.prompt = std::move(prompt);
    });
    return shown;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tcpkit::fuzz::InputSplitter input(tcpkit::fuzz::as_text(data, size));
    bool keep_colour = (input.take_byte() & 1) != 0;
    std::string sizes = input.take_chunk_sizes();
    std::string_view bytes = input.rest();

    Shown chunked = show(bytes, sizes, keep_colour);
    if (!keep_colour) {
        Shown whole = show(bytes, {}, false);
        FUZZ_CHECK(chunked.text == whole.text, "the chunking changed what is shown");
        FUZZ_CHECK(chunked.prompt == whole.prompt, "the chunking changed the prompt");
    }
    return 0;
}
