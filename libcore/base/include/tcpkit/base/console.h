// What commands need to know about the console they write to.
#pragma once

namespace tcpkit {

// True when stderr is a terminal that can redraw a status line in place: `\r` goes back to the
// start of the line and ESC[K clears the rest of it. Otherwise a status is printed line by line.
bool stderr_is_terminal();

}  // namespace tcpkit
