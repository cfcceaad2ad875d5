// --allow and --deny (net/address_filter.h): an address or CIDR prefix, or a comma-separated
// list of them.
// Invariants: only UsageError is thrown; a rule's describe() parses back to the same rule, and
// describes itself the same way again; a list is its items' rules, in order.
#include <string>

#include "fuzz_support.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/net/address_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = tcpkit::fuzz::as_text(data, size);
    try {
        auto rule = tcpkit::AddressRule::parse(text);
        std::string described = rule.describe();
        auto again = tcpkit::AddressRule::parse(described);
        FUZZ_CHECK(again == rule, "a rule's description parses to another rule");
        FUZZ_CHECK(again.describe() == described, "a rule describes itself two ways");
    } catch (const tcpkit::UsageError&) {
    }

    try {
        auto rules = tcpkit::parse_address_rules(text);
        std::string described;
        for (const auto& rule : rules) {
            described += (described.empty() ? "" : ",") + rule.describe();
        }
        auto again = tcpkit::parse_address_rules(described);
        FUZZ_CHECK(again == rules, "a list's description parses to other rules");
    } catch (const tcpkit::UsageError&) {
    }
    return 0;
}
