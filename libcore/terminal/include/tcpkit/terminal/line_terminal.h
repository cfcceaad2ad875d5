// Line mode: when a person sits at the terminal, `connect` and `listen` become a small
// line-editing client. What the peer sends is printed above the line being typed, which stays
// intact with its cursor; Enter sends the line. In a pipe nothing of this applies: the relay
// stays byte-exact.
#pragma once

#include <asio/any_io_executor.hpp>

#include <memory>
#include <optional>
#include <string>

#include "tcpkit/stream/stdio_stream.h"

namespace tcpkit {

// History entries kept in a session, and saved to --history-file at most.
inline constexpr int line_history_entries = 1000;

struct LineTerminalOptions {
    // --history-file: loaded at start, saved at the end (mode 0600); otherwise none on disk.
    std::optional<std::string> history_file;
    // --color always: the peer's colour (SGR) sequences reach the terminal; every other control
    // is always shown escaped.
    bool keep_colour = false;
};

// Why line mode cannot run here, as the one line `--line` is refused with ("line mode is not
// available in this build": the Windows build; "--line needs a terminal on standard input and
// output"), or nullopt when it can.
std::optional<std::string> line_mode_unavailable_reason();

// The person at the terminal, as the relay's two ends: input() gives each line typed, with
// "\n", and ends (returns 0) at Ctrl+D on an empty line; output() shows the peer's bytes.
// One at a time (the line editor is the process's). Destroying it restores the terminal as it
// was, on every exit path.
class LineTerminal {
  public:
    virtual ~LineTerminal() = default;

    // Throws UsageError with line_mode_unavailable_reason() when line mode cannot run.
    static std::unique_ptr<LineTerminal> open(const asio::any_io_executor& executor,
                                              const LineTerminalOptions& options);

    virtual InputStream& input() = 0;
    virtual OutputStream& output() = 0;
};

}  // namespace tcpkit
