// Windows has no namespaces to give one command its own hosts file or network: the tests that
// need an Isolation skip there.
#include "isolation.h"

namespace tcpkit::test {

Isolation::Isolation(const IsolationSetup& setup) : setup_(setup) {}

Isolation::~Isolation() = default;

std::vector<std::string> Isolation::wrap(std::vector<std::string> command) const {
    return command;
}

std::string Isolation::why_unavailable(std::vector<std::string> /*probe*/) const {
    return "Windows has no namespaces for a private /etc/hosts or network";
}

}  // namespace tcpkit::test
