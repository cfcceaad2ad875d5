// AddressRule and AddressFilter: the --allow and --deny rules of the servers.
#include "tcpkit/net/address_filter.h"

#include <string>

#include "catch.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/net/per_address_limit.h"

using tcpkit::AddressFilter;
using tcpkit::AddressRule;
using tcpkit::parse_address_rules;
using tcpkit::UsageError;

namespace {

asio::ip::address ip(const std::string& text) {
    return asio::ip::make_address(text);
}

bool rule_matches(const std::string& rule, const std::string& peer) {
    return AddressRule::parse(rule).matches(ip(peer));
}

AddressFilter filter(const std::string& allow, const std::string& deny) {
    AddressFilter result;
    if (!allow.empty()) {
        result.allow = parse_address_rules(allow);
    }
    if (!deny.empty()) {
        result.deny = parse_address_rules(deny);
    }
    return result;
}

}  // namespace

TEST_CASE("AddressRule reads addresses and prefixes of both families", "[address-filter]") {
    CHECK(AddressRule::parse("192.168.1.7").describe() == "192.168.1.7");
    CHECK(AddressRule::parse("10.0.0.0/8").describe() == "10.0.0.0/8");
    CHECK(AddressRule::parse("0.0.0.0/0").describe() == "0.0.0.0/0");
    CHECK(AddressRule::parse("::1").describe() == "::1");
    CHECK(AddressRule::parse("[::1]").describe() == "::1");
    CHECK(AddressRule::parse("[fe80::]/10").describe() == "fe80::/10");
    CHECK(AddressRule::parse("fe80::/10").describe() == "fe80::/10");
    CHECK(AddressRule::parse("::/0").describe() == "::/0");
    // A whole-length prefix is the single address.
    CHECK(AddressRule::parse("192.168.1.7/32") == AddressRule::parse("192.168.1.7"));
    CHECK(AddressRule::parse("::1/128").describe() == "::1");
}

TEST_CASE("AddressRule clears the bits past the prefix, as iptables does", "[address-filter]") {
    CHECK(AddressRule::parse("10.1.2.3/8").describe() == "10.0.0.0/8");
    CHECK(AddressRule::parse("10.1.2.3/8") == AddressRule::parse("10.0.0.0/8"));
    CHECK(AddressRule::parse("192.168.1.77/30").describe() == "192.168.1.76/30");
    CHECK(AddressRule::parse("2001:db8:1234::1/32").describe() == "2001:db8::/32");
    CHECK(AddressRule::parse("fe80::1/10").describe() == "fe80::/10");
}

TEST_CASE("AddressRule describe() reads back to the same rule", "[address-filter]") {
    for (const char* text :
         {"127.0.0.1", "10.0.0.0/8", "172.16.0.0/12", "192.168.1.76/30", "0.0.0.0/0", "::1",
          "::", "::/0", "fe80::/10", "2001:db8::/32", "2001:db8::8000/113", "64:ff9b::/96"}) {
        auto rule = AddressRule::parse(text);
        CAPTURE(text, rule.describe());
        CHECK(AddressRule::parse(rule.describe()) == rule);
        CHECK(rule.describe() == text);
    }
}

TEST_CASE("AddressRule refuses what is not an address or prefix, naming it", "[address-filter]") {
    REQUIRE_THROWS_WITH(AddressRule::parse("10.0.0.0/33"),
                        "'10.0.0.0/33' is not an address or prefix");
    for (const char* bad : {"",
                            "/8",
                            "10.0.0.0/",
                            "10.0.0.0/-1",
                            "10.0.0.0/+8",
                            "10.0.0.0/ 8",
                            "10.0.0.0/8/8",
                            "10.0.0.0/0008",
                            "::1/129",
                            "10.0.0",
                            "10.0.0.256",
                            "localhost",
                            "example.org",
                            "[10.0.0.1]",
                            "[::1",
                            "::1]",
                            "fe80::1%eth0",
                            "fe80::1%1",
                            " 10.0.0.1",
                            "10.0.0.1 ",
                            "10.0.0.0/8,"}) {
        CAPTURE(bad);
        REQUIRE_THROWS_AS(AddressRule::parse(bad), UsageError);
        REQUIRE_THROWS_WITH(AddressRule::parse(bad),
                            TCPKIT_CONTAINS("is not an address or prefix"));
    }
}

TEST_CASE("AddressRule matches the addresses inside its prefix only", "[address-filter]") {
    CHECK(rule_matches("10.0.0.0/8", "10.0.0.0"));
    CHECK(rule_matches("10.0.0.0/8", "10.255.255.255"));
    CHECK_FALSE(rule_matches("10.0.0.0/8", "11.0.0.0"));
    CHECK_FALSE(rule_matches("10.0.0.0/8", "9.255.255.255"));
    CHECK(rule_matches("192.168.1.76/30", "192.168.1.79"));
    CHECK_FALSE(rule_matches("192.168.1.76/30", "192.168.1.80"));
    CHECK(rule_matches("127.0.0.1", "127.0.0.1"));
    CHECK_FALSE(rule_matches("127.0.0.1", "127.0.0.2"));
    CHECK(rule_matches("0.0.0.0/0", "203.0.113.9"));
    CHECK(rule_matches("fe80::/10", "fe80::1"));
    CHECK(rule_matches("fe80::/10", "febf:ffff::1"));
    CHECK_FALSE(rule_matches("fe80::/10", "fec0::1"));
    CHECK(rule_matches("::1", "::1"));
    CHECK_FALSE(rule_matches("::1", "::2"));
}

TEST_CASE("AddressRule keeps the families apart, but an IPv4-mapped peer is its IPv4 address",
          "[address-filter]") {
    // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
    CHECK(rule_matches("10.0.0.0/8", "::ffff:10.1.2.3"));
    CHECK_FALSE(rule_matches("10.0.0.0/8", "::ffff:11.1.2.3"));
    CHECK(rule_matches("127.0.0.1", "::ffff:127.0.0.1"));
    // Written as mapped, the rule is the IPv4 one.
    CHECK(AddressRule::parse("::ffff:10.0.0.0/104") == AddressRule::parse("10.0.0.0/8"));
    CHECK(AddressRule::parse("::ffff:10.0.0.0/104").describe() == "10.0.0.0/8");
    CHECK(rule_matches("::ffff:10.0.0.0/104", "10.9.9.9"));
    CHECK(AddressRule::parse("::ffff:0:0/96").describe() == "0.0.0.0/0");
    // 0.0.0.0/0 is every IPv4 address, not every address; ::/0 is every address.
    CHECK_FALSE(rule_matches("0.0.0.0/0", "::1"));
    CHECK_FALSE(rule_matches("0.0.0.0/0", "2001:db8::1"));
    CHECK(rule_matches("::/0", "10.1.2.3"));
    CHECK(rule_matches("::/0", "::1"));
    // ::1 and 127.0.0.1 are different loopbacks; ::a01:203 (IPv4-compatible) is not 10.1.2.3.
    CHECK_FALSE(rule_matches("::1", "127.0.0.1"));
    CHECK_FALSE(rule_matches("127.0.0.1", "::1"));
    CHECK_FALSE(rule_matches("10.0.0.0/8", "::a01:203"));
}

TEST_CASE("parse_address_rules reads a comma-separated list", "[address-filter]") {
    auto rules = parse_address_rules("10.0.0.0/8,::1,[fe80::]/10");
    REQUIRE(rules.size() == 3);
    CHECK(rules[0].describe() == "10.0.0.0/8");
    CHECK(rules[1].describe() == "::1");
    CHECK(rules[2].describe() == "fe80::/10");
    REQUIRE_THROWS_WITH(parse_address_rules("10.0.0.0/8,10.0.0.0/33"),
                        "'10.0.0.0/33' is not an address or prefix");
    REQUIRE_THROWS_WITH(parse_address_rules("10.0.0.0/8,"), "'' is not an address or prefix");
    REQUIRE_THROWS_WITH(parse_address_rules(""), "'' is not an address or prefix");
}

TEST_CASE("AddressFilter: deny wins, and allow rules, when there are any, must match",
          "[address-filter]") {
    SECTION("no rules: everyone") {
        AddressFilter open;
        CHECK(open.empty());
        CHECK(open.admits(ip("127.0.0.1")));
        CHECK(open.admits(ip("::1")));
    }
    SECTION("deny only: everyone else") {
        auto only_deny = filter("", "127.0.0.1");
        CHECK_FALSE(only_deny.empty());
        CHECK_FALSE(only_deny.admits(ip("127.0.0.1")));
        CHECK_FALSE(only_deny.admits(ip("::ffff:127.0.0.1")));
        CHECK(only_deny.admits(ip("127.0.0.2")));
        CHECK(only_deny.admits(ip("::1")));
    }
    SECTION("allow only: those and nobody else") {
        auto only_allow = filter("127.0.0.2,::1", "");
        CHECK(only_allow.admits(ip("127.0.0.2")));
        CHECK(only_allow.admits(ip("::1")));
        CHECK_FALSE(only_allow.admits(ip("127.0.0.1")));
        CHECK_FALSE(only_allow.admits(ip("::2")));
    }
    SECTION("both: a deny inside an allowed prefix carves a hole in it") {
        auto both = filter("10.0.0.0/8", "10.1.0.0/16");
        CHECK(both.admits(ip("10.2.3.4")));
        CHECK_FALSE(both.admits(ip("10.1.3.4")));
        CHECK_FALSE(both.admits(ip("192.168.0.1")));
    }
    SECTION("the same address allowed and denied is denied") {
        auto contradiction = filter("127.0.0.1", "127.0.0.1");
        CHECK_FALSE(contradiction.admits(ip("127.0.0.1")));
    }
}

TEST_CASE("per-address limit: IPv4 alone, IPv6 by /64, a mapped IPv4 as itself", "[limits]") {
    using asio::ip::make_address;
    using tcpkit::address_group;
    CHECK(address_group(make_address("192.0.2.7")) == "192.0.2.7");
    CHECK(address_group(make_address("::ffff:192.0.2.7")) == "192.0.2.7");
    CHECK(address_group(make_address("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64");
    CHECK(address_group(make_address("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64");
    CHECK(address_group(make_address("::1")) == "::/64");
}

TEST_CASE("per-address limit: loopback is exempt only by default, and counts come and go",
          "[limits]") {
    using asio::ip::make_address;
    tcpkit::PerAddressLimit chat_default{16, true};
    CHECK(chat_default.limit_for(make_address("127.0.0.5")) == 0);
    CHECK(chat_default.limit_for(make_address("::1")) == 0);
    CHECK(chat_default.limit_for(make_address("::ffff:127.0.0.1")) == 0);
    CHECK(chat_default.limit_for(make_address("192.0.2.7")) == 16);
    tcpkit::PerAddressLimit given{2, false};
    CHECK(given.limit_for(make_address("127.0.0.1")) == 2);

    tcpkit::AddressCounts counts;
    std::size_t open = 0;
    CHECK(counts.try_add("a", 2, open));
    CHECK(counts.try_add("a", 2, open));
    CHECK_FALSE(counts.try_add("a", 2, open));
    CHECK(open == 2);
    CHECK(counts.try_add("b", 2, open));  // another address, its own count
    counts.remove("a");
    CHECK(counts.try_add("a", 2, open));
    CHECK(open == 1);
    CHECK(counts.try_add("c", 0, open));  // 0: no limit
    counts.remove("c");
    CHECK(counts.open("c") == 0);
}
