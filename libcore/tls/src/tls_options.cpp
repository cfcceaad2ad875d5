#include "tcpkit/tls/tls_options.h"

#include <fmt/format.h>

#include <cctype>

#include "tcpkit/base/errors.h"

namespace tcpkit {

TlsVersion parse_tls_version(std::string_view text) {
    if (text == "1.2") {
        return TlsVersion::v1_2;
    }
    if (text == "1.3") {
        return TlsVersion::v1_3;
    }
    throw UsageError(fmt::format("'{}' is not a TLS version tcpkit accepts: 1.2 or 1.3", text));
}

std::string_view tls_version_name(TlsVersion version) {
    return version == TlsVersion::v1_3 ? "TLS 1.3" : "TLS 1.2";
}

std::string parse_certificate_pin(std::string_view text) {
    std::string_view digits = text;
    constexpr std::string_view prefix = "sha256:";
    if (digits.size() >= prefix.size()) {
        std::string lowered;
        for (char c : digits.substr(0, prefix.size())) {
            lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (lowered == prefix) {
            digits.remove_prefix(prefix.size());
        }
    }
    std::string hex;
    for (char c : digits) {
        if (c == ':') {
            continue;  // as `openssl x509 -fingerprint` prints it
        }
        if (!std::isxdigit(static_cast<unsigned char>(c))) {
            hex.clear();
            break;
        }
        hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (hex.size() != 64) {
        throw UsageError(fmt::format(
            "'{}' is not a certificate pin: expected sha256: and 64 hex digits (colons allowed)",
            text));
    }
    return hex;
}

std::vector<std::string> parse_alpn_list(std::string_view text) {
    std::vector<std::string> protocols;
    std::size_t start = 0;
    for (;;) {
        std::size_t comma = text.find(',', start);
        std::string_view item = text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (item.empty() || item.size() > 255) {
            throw UsageError(fmt::format(
                "'{}' is not an ALPN list: protocol names of 1 to 255 bytes, separated by commas "
                "(h2,http/1.1)",
                text));
        }
        protocols.emplace_back(item);
        if (comma == std::string_view::npos) {
            return protocols;
        }
        start = comma + 1;
    }
}

}  // namespace tcpkit
