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

}  // namespace tcpkit::test
