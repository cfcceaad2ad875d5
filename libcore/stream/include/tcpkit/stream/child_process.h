// A child process's standard input and output as a ByteStream, so that `listen --exec` relays
// a connection to a program with the same code that relays two sockets. POSIX forks and execs
// over pipes (child_process_posix.cpp); Windows would use CreateProcess with overlapped pipes.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tcpkit/base/duration.h"
#include "tcpkit/stream/byte_stream.h"

namespace tcpkit {

// How long a child may take to exit after SIGTERM before it gets SIGKILL.
inline constexpr Milliseconds child_termination_grace{2000};

struct ChildCommand {
    // The program and its arguments, as given: no shell, no word splitting. A program without
    // a slash is looked up in PATH.
    std::vector<std::string> arguments;
    // Added to (or replacing in) the server's environment.
    std::vector<std::pair<std::string, std::string>> environment;
    // --exec-stderr socket: the child's standard error goes where its standard output goes.
    bool stderr_to_stdout = false;
};

// The command for --sh-exec: `/bin/sh -c COMMAND` (`cmd.exe /c COMMAND` on Windows).
std::vector<std::string> shell_command(const std::string& command);

// Checks, before anything is accepted, that `program` can be run, so that a typo is one usage
// error at start-up rather than a failure per connection. Throws UsageError.
void check_program(const std::string& program);

class ChildProcessStream final : public ByteStream {
  public:
    // Starts the child with its standard input and output on pipes to us (its standard error
    // is ours unless stderr_to_stdout). It runs in a process group of its own, so that ending
    // it also ends what a shell started, and a Ctrl+C at the terminal reaches only the server,
    // which then ends its children itself. Throws std::system_error when it cannot start.
    ChildProcessStream(const asio::any_io_executor& executor, const ChildCommand& command);
    // A child still running is killed (SIGKILL) and reaped: whatever way the server ends, no
    // child outlives it and none is left a zombie.
    ~ChildProcessStream() override;

    // The program's process id, for logs and tests.
    int pid() const;

    // Ends the child if it has not exited: after its output closed it gets a moment to exit by
    // itself, then SIGTERM, then SIGKILL after `grace`. Returns how it ended, in words:
    // "exited with status 0", "killed by signal 15".
    asio::awaitable<std::string> finish(Milliseconds grace);

    asio::any_io_executor get_executor() override;
    // `process 4242 (cat)`.
    const std::string& peer() const override;

    // Reads what the child writes to its standard output.
    asio::awaitable<std::size_t> read_some(std::span<char> buffer, std::error_code& error,
                                           asio::cancellation_slot cancel) override;
    asio::awaitable<void> wait_readable(std::error_code& error,
                                        asio::cancellation_slot cancel) override;
    std::size_t read_available(std::span<char> buffer, std::error_code& error) override;
    // Writes to the child's standard input.
    asio::awaitable<std::size_t> write_all(std::span<const asio::const_buffer> buffers,
                                           std::error_code& error) override;
    // Closes the child's standard input: it reads end-of-file.
    asio::awaitable<void> shutdown_send(std::error_code& error) override;
    void close() override;
    bool is_open() const override;

  private:
    struct Platform;
    std::unique_ptr<Platform> platform_;
    std::string peer_;
};

}  // namespace tcpkit
