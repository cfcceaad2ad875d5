// `localhost` with both loopback addresses, 127.0.0.1 and ::1, for the tests of what tcpkit
// does with a name that has several: the machine's own when its resolver gives both, else one
// from a private /etc/hosts (an Isolation) where the machine allows that, else whatever the
// machine's gives, with a note on what is left untested.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "isolation.h"
#include "process.h"

namespace tcpkit::test {

class TwoAddressLocalhost {
  public:
    TwoAddressLocalhost();

    // The arguments that run `command` seeing this localhost.
    std::vector<std::string> run(std::vector<std::string> command) const;
    // What it resolves to that can be used here ("127.0.0.1", "::1"), in no particular order.
    const std::vector<std::string>& addresses() const { return addresses_; }
    // Empty when both are there; otherwise why not, for the test to WARN.
    const std::string& shortfall() const { return shortfall_; }

  private:
    std::unique_ptr<Isolation> isolation_;  // only when the machine's localhost lacks one
    std::vector<std::string> addresses_;
    std::string shortfall_;
};

// `tcpkit SUBCOMMAND --host localhost --port 0 EXTRA...` seeing both loopback addresses, once it
// listens on every one; where ::1 cannot be had, on 127.0.0.1 alone (has_ipv6 false: the test
// WARNs what it leaves out).
struct ServerOnBothFamilies {
    ServerOnBothFamilies(const std::string& subcommand, const std::vector<std::string>& extra);

    TwoAddressLocalhost localhost;
    bool has_ipv6;
    Process process;
    std::uint16_t port;
};

}  // namespace tcpkit::test
