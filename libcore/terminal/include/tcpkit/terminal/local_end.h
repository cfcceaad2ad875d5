// The relay's end on this side: the person at the terminal in line mode, otherwise the given
// input and standard output, byte for byte.
#pragma once

#include <asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <optional>

#include "tcpkit/stream/stdio_stream.h"
#include "tcpkit/terminal/line_terminal.h"

namespace tcpkit {

class LocalEnd {
  public:
    // Opens the terminal when `line_mode` is set (throws UsageError when it cannot run);
    // otherwise calls `make_input`.
    LocalEnd(const asio::any_io_executor& executor,
             const std::optional<LineTerminalOptions>& line_mode,
             const std::function<std::unique_ptr<InputStream>()>& make_input);

    // Gives the terminal back as it was, before the relay's end is reported on stderr.
    void finish() { terminal_.reset(); }

    InputStream& input() { return terminal_ ? terminal_->input() : *input_; }
    OutputStream& output() { return terminal_ ? terminal_->output() : *output_; }

  private:
    std::unique_ptr<LineTerminal> terminal_;
    std::unique_ptr<InputStream> input_;
    std::unique_ptr<OutputStream> output_;
};

}  // namespace tcpkit
