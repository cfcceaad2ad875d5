// Runs the real tcpkit binary as a child process with pipes on its standard streams. Every wait
// has a deadline, so a hanging tcpkit fails its test instead of hanging the suite.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tcpkit::test {

using namespace std::chrono_literals;
using Timeout = std::chrono::milliseconds;

// Generous: a deadline only fires when something is broken, never to synchronise.
inline constexpr Timeout default_timeout = 20s;

struct ProcessOptions {
    std::optional<std::string> stdin_file;  // otherwise a pipe
    // POSIX only: a descriptor of the test's own to be the child's stdin, sharing its open file
    // description (and so its flags) with the copy the test keeps.
    std::optional<int> stdin_descriptor;
    std::optional<std::string> stdout_file;  // otherwise a pipe
    std::optional<long> open_file_limit;     // RLIMIT_NOFILE for the child
};

class Process {
  public:
    Process(const std::vector<std::string>& args, const ProcessOptions& options = {});
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    // Writes to the child's standard input, draining its output meanwhile.
    void write_stdin(std::string_view data, Timeout timeout = default_timeout);
    void close_stdin();

    // Waits until stderr has a line containing `needle` and returns that line.
    std::string wait_for_stderr_line(std::string_view needle, Timeout timeout = default_timeout);
    // Waits until stderr holds `count` lines (at least) containing `needle`.
    void wait_for_stderr_count(std::string_view needle, std::size_t count,
                               Timeout timeout = default_timeout);
    // Waits until stdout holds at least `count` bytes.
    std::string wait_for_stdout(std::size_t count, Timeout timeout = default_timeout);
    // Waits for the child to exit and returns its status (128 + signal if killed by one).
    int wait_for_exit(Timeout timeout = default_timeout);

    void send_signal(int signal);
    // The child's process id (POSIX: for /proc/PID checks).
    pid_t pid() const { return pid_; }
    bool running();

    // Everything read so far.
    const std::string& out() const { return stdout_; }
    const std::string& err() const { return stderr_; }
    // Peak resident memory of the exited child, in KiB (from wait4).
    long max_rss_kib() const { return max_rss_kib_; }

  private:
    // Reads what is available within `timeout`; returns false once both outputs are closed.
    bool pump(Timeout timeout);

    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    int stderr_fd_ = -1;
    std::string stdout_;
    std::string stderr_;
    std::optional<int> status_;
    long max_rss_kib_ = 0;
};

// The path of the tcpkit binary under test.
std::string tcpkit_binary();

// Starts `tcpkit echo-server` (or another server) with --port 0 and returns its port once the
// `listening on` line is out.
std::uint16_t listening_port(Process& server, Timeout timeout = default_timeout);

}  // namespace tcpkit::test
