// Standard input and output (or a file) as asynchronous streams, so one event loop can move
// both directions of a connection at once. POSIX uses Asio's stream_descriptor; Windows has no
// Asio stream for standard input, so there a thread reads it and hands over one chunk at a time.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tcpkit {

// For output printed with the C library (fmt::print) rather than OutputStream: line ends stay
// "\n" on Windows too, as in the data tcpkit relays, instead of text mode's "\r\n".
void prepare_stdout_for_lines();

class InputStream {
  public:
    virtual ~InputStream() = default;

    // Standard input. Reads never block the event loop and memory stays one chunk.
    static std::unique_ptr<InputStream> standard_input(const asio::any_io_executor& executor);
    // A file (or FIFO); throws UsageError when it cannot be opened.
    static std::unique_ptr<InputStream> open_file(const asio::any_io_executor& executor,
                                                  const std::string& path);
    // Bytes already in memory, such as the TEXT arguments of `send`.
    static std::unique_ptr<InputStream> from_string(std::string bytes);

    // Returns 0 at end of input; throws std::system_error when reading fails.
    virtual asio::awaitable<std::size_t> read_some(std::span<char> buffer) = 0;

    // How many bytes are left to read, when that is known: a regular file (given as a path or
    // as standard input) from its current offset, the bytes of a string. Nullopt for pipes,
    // terminals and devices. For --progress, asked before the first read.
    virtual std::optional<std::uint64_t> known_size() const { return std::nullopt; }
};

class OutputStream {
  public:
    virtual ~OutputStream() = default;

    static std::unique_ptr<OutputStream> standard_output(const asio::any_io_executor& executor);

    // Writes everything or throws std::system_error (a closed pipe is broken_pipe).
    virtual asio::awaitable<void> write_all(std::string_view bytes) = 0;
};

}  // namespace tcpkit
