// The PORT arguments of `connect -z` (base/port_list.h): one item a line of the input.
// Invariants: only UsageError is thrown; a range prints and parses back to itself, first <=
// last; the list has each port once, never port 0, each in an item's range, in the order the
// items gave them; printed back as single ports, it parses to the same list.
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/base/port_list.h"

namespace {

std::string print(const tcpkit::PortRange& range) {
    return range.is_single() ? std::to_string(range.first)
                             : std::to_string(range.first) + "-" + std::to_string(range.last);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tcpkit::fuzz::InputSplitter input(tcpkit::fuzz::as_text(data, size));
    std::vector<std::string> items;
    std::vector<tcpkit::PortRange> ranges;
    bool all_parse = true;
    while (!input.rest().empty() && items.size() < 16) {
        std::string item(input.take_until('\n'));
        try {
            tcpkit::PortRange range = tcpkit::parse_port_range(item);
            FUZZ_CHECK(range.first <= range.last, "a range that runs backwards");
            tcpkit::PortRange again = tcpkit::parse_port_range(print(range));
            FUZZ_CHECK(again.first == range.first && again.last == range.last,
                       "a range that does not print");
            ranges.push_back(range);
        } catch (const tcpkit::UsageError&) {
            all_parse = false;
        }
        items.push_back(std::move(item));
    }

    std::vector<std::uint16_t> ports;
    try {
        ports = tcpkit::parse_port_list(items);
    } catch (const tcpkit::UsageError&) {
        return 0;
    }
    FUZZ_CHECK(all_parse, "a list accepted with an item that is not a range");
    // The expected list, the slow way.
    std::vector<bool> seen(65536, false);
    std::vector<std::uint16_t> expected;
    for (const auto& range : ranges) {
        FUZZ_CHECK(range.first != 0, "port 0 accepted in a list");
        for (unsigned port = range.first; port <= range.last; ++port) {
            if (!seen[port]) {
                seen[port] = true;
                expected.push_back(static_cast<std::uint16_t>(port));
            }
        }
    }
    FUZZ_CHECK(ports == expected, "the list is not its items' ports, each once, in order");

    std::vector<std::string> printed;
    for (std::uint16_t port : ports) {
        printed.push_back(std::to_string(port));
    }
    FUZZ_CHECK(tcpkit::parse_port_list(printed) == ports, "the list does not print");
    return 0;
}
