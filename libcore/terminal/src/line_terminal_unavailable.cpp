// A build without line editing (the Windows build: Debian has no libedit for MinGW, and the
// console would need an editor of its own): the commands relay raw, and --line says why not.
#include "tcpkit/base/errors.h"
#include "tcpkit/terminal/line_terminal.h"

namespace tcpkit {

std::optional<std::string> line_mode_unavailable_reason() {
    return "line mode is not available in this build";
}

std::unique_ptr<LineTerminal> LineTerminal::open(const asio::any_io_executor& /*executor*/,
                                                 const LineTerminalOptions& /*options*/) {
    throw UsageError(*line_mode_unavailable_reason());
}

}  // namespace tcpkit
