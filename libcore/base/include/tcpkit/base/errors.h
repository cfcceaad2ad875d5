// The outcomes a tcpkit command can report, what --help says of each, and the exceptions that
// carry them.
#pragma once

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tcpkit {

// Documented in --help epilogues and the man pages; scripts depend on them.
enum class ExitStatus : int {
    success = 0,
    network_failure = 1,  // refused, unreachable, unresolvable, reset, timed out
    usage_error = 2,      // bad option, bad value, unreadable input file
    interrupted = 130,    // a client stopped by SIGINT or SIGTERM, as shells report SIGINT
};

constexpr int to_int(ExitStatus status) {
    return static_cast<int>(status);
}

struct ExitStatusMeaning {
    ExitStatus status;
    std::string_view meaning;  // as the "Exit status: ..." line of --help words it
};

// Every status, in the order --help lists them; the man pages are checked against --help.
inline constexpr std::array exit_status_meanings{
    ExitStatusMeaning{ExitStatus::success, "success"},
    ExitStatusMeaning{ExitStatus::network_failure,
                      "network failure (refused, unreachable, unresolvable, reset, timed out)"},
    ExitStatusMeaning{ExitStatus::usage_error, "usage error"},
    ExitStatusMeaning{ExitStatus::interrupted, "interrupted (SIGINT or SIGTERM)"},
};

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
