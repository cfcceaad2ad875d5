// parse_port_range and parse_port_list: the PORT arguments of `connect -z`.
#include "tcpkit/base/port_list.h"

#include <cstdint>
#include <string>
#include <vector>

#include "catch.h"
#include "tcpkit/base/errors.h"

using tcpkit::parse_port_list;
using tcpkit::parse_port_range;
using tcpkit::UsageError;
using Ports = std::vector<std::uint16_t>;
using Items = std::vector<std::string>;

TEST_CASE("parse_port_range reads a single port and an inclusive range", "[port-list]") {
    auto single = parse_port_range("80");
    CHECK(single.first == 80);
    CHECK(single.last == 80);
    CHECK(single.is_single());

    auto range = parse_port_range("8000-8010");
    CHECK(range.first == 8000);
    CHECK(range.last == 8010);
    CHECK_FALSE(range.is_single());

    auto one_port_range = parse_port_range("22-22");
    CHECK(one_port_range.first == 22);
    CHECK(one_port_range.is_single());

    auto everything = parse_port_range("0-65535");
    CHECK(everything.first == 0);
    CHECK(everything.last == 65535);
}

TEST_CASE("parse_port_range refuses malformed ports and ranges, naming the text", "[port-list]") {
    auto [text, expected] = GENERATE(table<std::string, std::string>({
        {"", "invalid port ''"},
        {"http", "invalid port 'http'"},
        {"65536", "invalid port '65536'"},
        {"90-80", "invalid port range '90-80': the first port is above the last"},
        {"80-", "invalid port range '80-'"},
        {"-80", "invalid port range '-80'"},
        {"-", "invalid port range '-'"},
        {"1-2-3", "invalid port range '1-2-3'"},
        {"1-65536", "invalid port range '1-65536'"},
        {"a-b", "invalid port range 'a-b'"},
        {" 1-2", "invalid port range ' 1-2'"},
    }));
    INFO("text: '" << text << "'");
    REQUIRE_THROWS_AS(parse_port_range(text), UsageError);
    REQUIRE_THROWS_WITH(parse_port_range(text), TCPKIT_CONTAINS(expected));
}

TEST_CASE("parse_port_list expands ranges in the order given", "[port-list]") {
    CHECK(parse_port_list({"80"}) == Ports{80});
    CHECK(parse_port_list({"22", "8000-8003", "443"}) == Ports{22, 8000, 8001, 8002, 8003, 443});
    // Not sorted: the order of the command line is the order of the output.
    CHECK(parse_port_list({"9000", "100-101", "1"}) == Ports{9000, 100, 101, 1});
    CHECK(parse_port_list({"65534-65535"}) == Ports{65534, 65535});
}

TEST_CASE("parse_port_list keeps each port once, where it first appears", "[port-list]") {
    CHECK(parse_port_list({"80", "80"}) == Ports{80});
    CHECK(parse_port_list({"81", "80-82", "80"}) == Ports{81, 80, 82});
    CHECK(parse_port_list({"10-12", "11-13"}) == Ports{10, 11, 12, 13});
}

TEST_CASE("parse_port_list takes every port at once, and overlaps cost nothing more",
          "[port-list]") {
    auto all = parse_port_list({"1-65535"});
    REQUIRE(all.size() == 65535);
    CHECK(all.front() == 1);
    CHECK(all.back() == 65535);
    // Repeats of the whole range still give 65535 ports, within the bound of 65536.
    CHECK(parse_port_list({"1-65535", "1-65535", "80", "1-100"}).size() == 65535);
    CHECK(parse_port_list({"443", "1-65535"}).front() == 443);
}

TEST_CASE("parse_port_list refuses port 0 and bad items, naming them", "[port-list]") {
    REQUIRE_THROWS_WITH(parse_port_list({"0"}), TCPKIT_CONTAINS("invalid port '0'"));
    REQUIRE_THROWS_WITH(parse_port_list({"80", "0-10"}), TCPKIT_CONTAINS("invalid port '0-10'"));
    REQUIRE_THROWS_WITH(parse_port_list({"80", "x"}), TCPKIT_CONTAINS("invalid port 'x'"));
    REQUIRE_THROWS_WITH(parse_port_list({"20-10"}), TCPKIT_CONTAINS("invalid port range '20-10'"));
}
