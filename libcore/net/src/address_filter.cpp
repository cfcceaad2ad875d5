#include "tcpkit/net/address_filter.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "tcpkit/base/errors.h"
#include "tcpkit/base/logger.h"

namespace tcpkit {
namespace {

// The bits an IPv4 address's mapped form (`::ffff:a.b.c.d`) puts before it.
constexpr unsigned mapped_ipv4_prefix_bits = 96;

std::array<std::uint8_t, 16> to_ipv6_bytes(const asio::ip::address& address) {
    if (address.is_v4()) {
        return asio::ip::make_address_v6(asio::ip::v4_mapped, address.to_v4()).to_bytes();
    }
    return address.to_v6().to_bytes();
}

bool is_mapped_ipv4(const std::array<std::uint8_t, 16>& bytes) {
    return std::all_of(bytes.begin(), bytes.begin() + 10, [](std::uint8_t b) { return b == 0; }) &&
           bytes[10] == 0xff && bytes[11] == 0xff;
}

// Whether `a` and `b` agree on their first `bits` bits.
bool same_prefix(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                 unsigned bits) {
    unsigned whole_bytes = bits / 8;
    if (!std::equal(a.begin(), a.begin() + whole_bytes, b.begin())) {
        return false;
    }
    unsigned rest = bits % 8;
    if (rest == 0) {
        return true;
    }
    auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (a[whole_bytes] & mask) == (b[whole_bytes] & mask);
}

// A prefix length as users write it: decimal digits only (no sign, no spaces), at most `max`.
std::optional<unsigned> parse_prefix_bits(std::string_view text, unsigned max) {
    if (text.empty() || text.size() > 3) {
        return std::nullopt;
    }
    unsigned value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > max) {
        return std::nullopt;
    }
    return value;
}

std::optional<asio::ip::address> parse_rule_address(std::string_view text) {
    bool bracketed = text.size() >= 2 && text.front() == '[' && text.back() == ']';
    if (bracketed) {
        text = text.substr(1, text.size() - 2);
    }
    // A zone (`fe80::1%eth0`) names an interface, not addresses: a rule has no use for one.
    if (text.empty() || text.find('%') != std::string_view::npos) {
        return std::nullopt;
    }
    std::error_code error;
    auto address = asio::ip::make_address(std::string(text), error);
    if (error || (bracketed && !address.is_v6())) {
        return std::nullopt;
    }
    // Windows' inet_pton (wine's too) also reads the old shorthand `10.0.0` as 10.0.0.0: a rule
    // is written in full, four parts, as everywhere else.
    if (address.is_v4() && std::count(text.begin(), text.end(), '.') != 3) {
        return std::nullopt;
    }
    return address;
}

}  // namespace

AddressRule::AddressRule(const std::array<std::uint8_t, 16>& network, unsigned prefix_bits)
    : network_(network), prefix_bits_(prefix_bits) {
    // Clear the bits past the prefix, so that equal rules compare equal and print alike.
    for (unsigned byte = 0; byte < network_.size(); ++byte) {
        unsigned kept = prefix_bits > byte * 8 ? std::min(8U, prefix_bits - byte * 8) : 0;
        network_[byte] &= static_cast<std::uint8_t>(0xff00U >> kept);
    }
}

AddressRule AddressRule::parse(std::string_view text) {
    auto fail = [text] {
        return UsageError(fmt::format("'{}' is not an address or prefix", text));
    };
    std::string_view address_text = text;
    std::optional<std::string_view> prefix_text;
    if (auto slash = text.rfind('/'); slash != std::string_view::npos) {
        address_text = text.substr(0, slash);
        prefix_text = text.substr(slash + 1);
    }
    auto address = parse_rule_address(address_text);
    if (!address) {
        throw fail();
    }
    unsigned family_bits = address->is_v4() ? 32 : 128;
    unsigned bits = family_bits;
    if (prefix_text) {
        auto parsed = parse_prefix_bits(*prefix_text, family_bits);
        if (!parsed) {
            throw fail();
        }
        bits = *parsed;
    }
    if (address->is_v4()) {
        bits += mapped_ipv4_prefix_bits;
    }
    return AddressRule(to_ipv6_bytes(*address), bits);
}

bool AddressRule::matches(const asio::ip::address& peer) const {
    return same_prefix(network_, to_ipv6_bytes(peer), prefix_bits_);
}

std::string AddressRule::describe() const {
    if (prefix_bits_ >= mapped_ipv4_prefix_bits && is_mapped_ipv4(network_)) {
        auto v4 = asio::ip::make_address_v4(asio::ip::v4_mapped, asio::ip::address_v6(network_));
        unsigned bits = prefix_bits_ - mapped_ipv4_prefix_bits;
        return bits == 32 ? v4.to_string() : fmt::format("{}/{}", v4.to_string(), bits);
    }
    std::string v6 = asio::ip::address_v6(network_).to_string();
    return prefix_bits_ == 128 ? v6 : fmt::format("{}/{}", v6, prefix_bits_);
}

bool AddressFilter::admits(const asio::ip::address& peer) const {
    auto matched_by = [&peer](const AddressRule& rule) { return rule.matches(peer); };
    if (std::any_of(deny.begin(), deny.end(), matched_by)) {
        return false;
    }
    return allow.empty() || std::any_of(allow.begin(), allow.end(), matched_by);
}

std::vector<AddressRule> parse_address_rules(std::string_view list) {
    std::vector<AddressRule> rules;
    for (;;) {
        auto comma = list.find(',');
        rules.push_back(AddressRule::parse(list.substr(0, comma)));
        if (comma == std::string_view::npos) {
            return rules;
        }
        list.remove_prefix(comma + 1);
    }
}

bool admit_or_reset(const AddressFilter& filter, asio::ip::tcp::socket& socket,
                    const asio::ip::address& peer_address, const std::string& peer) {
    if (filter.admits(peer_address)) {
        return true;
    }
    log().info("refused {}: not allowed by --allow/--deny", peer);
    std::error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    return false;
}

}  // namespace tcpkit
