#include "two_address_localhost.h"

#include <algorithm>

#include "loopback.h"

namespace tcpkit::test {
namespace {

bool has(const std::vector<std::string>& addresses, const std::string& address) {
    return std::find(addresses.begin(), addresses.end(), address) != addresses.end();
}

}  // namespace

TwoAddressLocalhost::TwoAddressLocalhost() {
    bool ipv6 = has_ipv6_loopback();
    auto machine = resolve_host("localhost");
    std::string why_no_isolation;
    if (!has(machine, "127.0.0.1") || (ipv6 && !has(machine, "::1"))) {
        auto isolation = std::make_unique<Isolation>(
            IsolationSetup{"127.0.0.1 localhost\n::1 localhost\n", std::nullopt, false});
        why_no_isolation = isolation->why_unavailable();
        if (why_no_isolation.empty()) {
            isolation_ = std::move(isolation);
        }
    }
    for (const char* address : {"127.0.0.1", "::1"}) {
        bool usable = address == std::string("127.0.0.1") || ipv6;
        if (usable && (isolation_ || has(machine, address))) {
            addresses_.push_back(address);
        }
    }
    if (!ipv6) {
        shortfall_ = "this machine has no IPv6 loopback (::1)";
    } else if (addresses_.size() < 2) {
        std::string found;
        for (const auto& address : machine) {
            found += (found.empty() ? "" : ", ") + address;
        }
        shortfall_ = "localhost resolves to " + (found.empty() ? "nothing" : found) +
                     " here, and a private /etc/hosts is unavailable: " + why_no_isolation;
    }
}

std::vector<std::string> TwoAddressLocalhost::run(std::vector<std::string> command) const {
    return isolation_ ? isolation_->wrap(std::move(command)) : command;
}

namespace {

std::vector<std::string> server_command(const std::string& subcommand, bool has_ipv6,
                                        const std::vector<std::string>& extra) {
    std::vector<std::string> command = {
        tcpkit_binary(), subcommand, "--host", has_ipv6 ? "localhost" : "127.0.0.1", "--port", "0"};
    command.insert(command.end(), extra.begin(), extra.end());
    return command;
}

}  // namespace

ServerOnBothFamilies::ServerOnBothFamilies(const std::string& subcommand,
                                           const std::vector<std::string>& extra)
    : has_ipv6(has(localhost.addresses(), "::1")),
      process(localhost.run(server_command(subcommand, has_ipv6, extra))),
      port(listening_port(process)) {
    if (has_ipv6) {
        process.wait_for_stderr_line("listening on [::1]:");
    }
}

}  // namespace tcpkit::test
