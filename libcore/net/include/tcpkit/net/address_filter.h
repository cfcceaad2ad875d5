// Which peers a server serves: --allow and --deny rules, each an address or a CIDR prefix.
#pragma once

#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tcpkit {

// One address (`192.168.1.7`, `::1`, `[::1]`) or prefix (`10.0.0.0/8`, `fe80::/10`).
//
// IPv4 is kept as its IPv4-mapped IPv6 form (`::ffff:a.b.c.d`, prefix + 96), so that one
// comparison covers both families: a dual-stack socket reports IPv4 peers as `::ffff:10.1.2.3`,
// and those must match the IPv4 rules users write; likewise an IPv6 rule that covers
// `::ffff:0:0/96` (such as `::/0`) matches IPv4 peers.
class AddressRule {
  public:
    // Throws UsageError ("'10.0.0.0/33' is not an address or prefix"). Bits past the prefix
    // are accepted and cleared, as iptables and nftables do: `10.1.2.3/8` is `10.0.0.0/8`.
    static AddressRule parse(std::string_view text);

    bool matches(const asio::ip::address& peer) const;

    // Canonical text that parse() reads back to the same rule: IPv4 in dotted form, IPv6 as
    // Asio prints it (RFC 5952), no brackets, and no `/32` or `/128` for a single address.
    std::string describe() const;

    friend bool operator==(const AddressRule&, const AddressRule&) = default;

  private:
    AddressRule(const std::array<std::uint8_t, 16>& network, unsigned prefix_bits);

    std::array<std::uint8_t, 16> network_{};  // bits past prefix_bits_ are zero
    unsigned prefix_bits_ = 0;                // 0-128, of the IPv6 (or mapped) form
};

// A peer is refused when it matches any deny rule, or when there are allow rules and it matches
// none of them. No rules at all: everyone is served.
struct AddressFilter {
    std::vector<AddressRule> allow;
    std::vector<AddressRule> deny;

    bool empty() const { return allow.empty() && deny.empty(); }
    bool admits(const asio::ip::address& peer) const;
};

// For the accept loops: true when `filter` admits the socket's peer; otherwise logs
// `refused PEER: not allowed by --allow/--deny` and resets the connection, so that the client
// sees an error rather than a served, empty session.
bool admit_or_reset(const AddressFilter& filter, asio::ip::tcp::socket& socket,
                    const asio::ip::address& peer_address, const std::string& peer);

// Parses a comma-separated list of rules ("10.0.0.0/8,::1"), as --allow and --deny take them.
std::vector<AddressRule> parse_address_rules(std::string_view list);

}  // namespace tcpkit
