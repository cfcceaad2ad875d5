#include "tcpkit/terminal/local_end.h"

namespace tcpkit {

LocalEnd::LocalEnd(const asio::any_io_executor& executor,
                   const std::optional<LineTerminalOptions>& line_mode,
                   const std::function<std::unique_ptr<InputStream>()>& make_input) {
    if (line_mode) {
        terminal_ = LineTerminal::open(executor, *line_mode);
    } else {
        input_ = make_input();
        output_ = OutputStream::standard_output(executor);
    }
}

}  // namespace tcpkit
