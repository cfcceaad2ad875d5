// The three outcomes a tcpkit command can report, and the exceptions that carry them.
#pragma once

#include <stdexcept>
#include <string>

namespace tcpkit {

// Documented in --help epilogues and the man pages; scripts depend on them.
enum class ExitStatus : int {
    success = 0,
    network_failure = 1,  // refused, unreachable, unresolvable, reset, timed out
    usage_error = 2,      // bad option, bad value, unreadable input file
};

constexpr int to_int(ExitStatus status) {
    return static_cast<int>(status);
}

// Bad input from the command line: the message is shown as one line, exit status 2.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A failure of the network or the peer: the message is shown as one line, exit status 1.
class NetworkError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace tcpkit
