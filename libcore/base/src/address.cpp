#include "tcpkit/base/address.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "tcpkit/base/errors.h"

namespace tcpkit {
namespace {

// Hex digits, colons, and dots for an embedded IPv4 tail (::ffff:127.0.0.1). A zone after `%`
// (fe80::1%eth0) is left for the resolver to judge.
bool is_ipv6_literal_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
           c == '.';
}

bool is_dns_label_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '_';
}

// RFC 1123 names; underscores are tolerated because real zones contain them.
bool is_dns_name(std::string_view name) {
    if (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);  // the root: a fully qualified name may end with a dot
    }
    if (name.empty() || name.size() > 253) {
        return false;
    }
    std::size_t label_start = 0;
    while (label_start <= name.size()) {
        std::size_t dot = name.find('.', label_start);
        if (dot == std::string_view::npos) {
            dot = name.size();
        }
        std::string_view label = name.substr(label_start, dot - label_start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
            !std::all_of(label.begin(), label.end(), is_dns_label_char)) {
            return false;
        }
        label_start = dot + 1;
    }
    return true;
}

}  // namespace

std::uint16_t parse_port(std::string_view text) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || value > 65535) {
        throw UsageError(fmt::format("invalid port '{}': expected a number from 0 to 65535", text));
    }
    return static_cast<std::uint16_t>(value);
}

std::string parse_host(std::string_view text) {
    std::string_view host = text;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        std::string_view address = host.substr(0, host.find('%'));
        if (std::count(address.begin(), address.end(), ':') < 2 ||
            !std::all_of(address.begin(), address.end(), is_ipv6_literal_char)) {
            throw UsageError(
                fmt::format("invalid host '{}': brackets are only for IPv6 addresses", text));
        }
        return std::string(host);
    }
    if (host.find(':') != std::string_view::npos) {
        // An IPv6 address has at least two colons; one colon is someone's HOST:PORT.
        std::string_view address = host.substr(0, host.find('%'));
        if (std::count(address.begin(), address.end(), ':') >= 2 &&
            std::all_of(address.begin(), address.end(), is_ipv6_literal_char)) {
            return std::string(host);
        }
        throw UsageError(fmt::format(
            "invalid host '{}': give the port as its own argument, not HOST:PORT", text));
    }
    if (!is_dns_name(host)) {
        throw UsageError(fmt::format("invalid host '{}': not an IP address or host name", text));
    }
    return std::string(host);
}

std::string format_host_port(std::string_view host, std::uint16_t port) {
    if (host.find(':') != std::string_view::npos) {
        return fmt::format("[{}]:{}", host, port);
    }
    return fmt::format("{}:{}", host, port);
}

}  // namespace tcpkit
