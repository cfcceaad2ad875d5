// Making untrusted text safe to show on a terminal: a chat client's line on everyone else's
// screen, a peer's bytes in `connect`'s line mode.
#pragma once

#include <string>
#include <string_view>

namespace tcpkit {

// What becomes of colour (SGR: ESC [ digits;... m) sequences.
enum class ColourSequences {
    escape,  // shown like every other control: "^[[31m"
    keep,    // passed to the terminal; every other escape sequence is still shown escaped
    drop,    // left out
};

// Returns `text` as valid UTF-8 (invalid sequences become U+FFFD) with every character that
// could act on a terminal made visible instead: C0 controls except tab, and DEL, in caret
// notation (ESC is "^["), C1 controls and the bidirectional overrides as "<U+XXXX>". Nobody
// can move the reader's cursor, clear its screen, retitle it, ring its bell or reorder its text.
std::string safe_to_show(std::string_view text, ColourSequences colour = ColourSequences::escape);

// The length of the SGR sequence at the start of `text` ("\x1b[1;31m": 7), or 0 when there is
// none.
std::size_t colour_sequence_length(std::string_view text);

}  // namespace tcpkit
