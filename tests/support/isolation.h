// Runs a command with its own view of a few system files, and optionally a network of its own,
// so that a test can give tcpkit a hosts file or a resolver the machine does not have. On Linux
// this is unshare(1): a mount namespace (and a network namespace) for the one command, as root
// or through an unprivileged user namespace. Where that is refused, or on other systems, it is
// unavailable and the tests that need it skip, saying why.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tcpkit::test {

struct IsolationSetup {
    std::optional<std::string> hosts;        // the text the command reads as /etc/hosts
    std::optional<std::string> resolv_conf;  // the text it reads as /etc/resolv.conf
    bool own_network = false;                // a network namespace with only loopback, up
};

class Isolation {
  public:
    explicit Isolation(const IsolationSetup& setup);
    ~Isolation();  // removes the files it wrote
    Isolation(const Isolation&) = delete;
    Isolation& operator=(const Isolation&) = delete;

    // The arguments that run `command` so. The command replaces the set-up steps in the same
    // process (exec), so a Process's signals reach it and its exit status is the command's.
    // Keep this object alive while the command runs.
    std::vector<std::string> wrap(std::vector<std::string> command) const;
    // Empty if the machine can set this up, tried with `probe` as the command; otherwise why not.
    std::string why_unavailable(std::vector<std::string> probe = {"true"}) const;

  private:
    IsolationSetup setup_;
    std::vector<std::string> files_;  // hosts, resolv.conf: the copies bind-mounted over /etc's
};

}  // namespace tcpkit::test
