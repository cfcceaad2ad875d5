// What line mode shows of a peer's bytes: whole lines, made safe, printed above the input line,
// and the unfinished last line, which becomes the input line's prompt.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tcpkit {

// An unfinished line longer than this is printed as a line of its own, so that a peer that never
// sends a line end (binary data) neither grows memory nor pushes the input line off the screen.
inline constexpr std::size_t max_unfinished_line_bytes = 4096;

class PeerDisplay {
  public:
    explicit PeerDisplay(bool keep_colour = false) : keep_colour_(keep_colour) {}

    // Takes the peer's next bytes; returns the lines they finish, safe to show, each ending in
    // "\n" ("\r\n" and "\n" end a line; a lone "\r" shows as "^M").
    std::string add(std::string_view bytes);

    // The unfinished last line, safe to show and without colour: the input line's prompt.
    std::string prompt() const;

    // Enter was pressed while the prompt showed: prompt and typed text are now one finished line
    // on the screen, as rlwrap leaves it, and the peer's next bytes start a new line.
    void forget_unfinished_line() { unfinished_.clear(); }

  private:
    std::string finish_line(std::string_view line) const;

    bool keep_colour_;
    std::string unfinished_;  // raw bytes, at most max_unfinished_line_bytes
};

}  // namespace tcpkit
