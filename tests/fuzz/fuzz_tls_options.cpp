// The TLS options of the command line (tls/tls_options.h): --tls-min, --pin, --alpn.
// Input: [which] text.
// Invariants: only UsageError is thrown; a pin is 64 lower-case hex digits and parses to itself,
// also written as openssl prints it (upper case, colons, "SHA256:" prefix); an ALPN list is its
// protocols of 1 to 255 bytes, and joined with commas parses back to the same; a version's name
// is one of the two.
#include <cctype>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/tls/tls_options.h"

namespace {

void check_pin(std::string_view text) {
    std::string pin;
    try {
        pin = tcpkit::parse_certificate_pin(text);
    } catch (const tcpkit::UsageError&) {
        return;
    }
    FUZZ_CHECK(pin.size() == 64, "a pin that is not 64 digits");
    for (char c : pin) {
        FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'), "a pin not in lower-case hex");
    }
    std::string as_openssl_prints = "SHA256:";
    for (std::size_t i = 0; i < pin.size(); i += 2) {
        as_openssl_prints += (i == 0 ? "" : ":");
        for (char c : pin.substr(i, 2)) {
            as_openssl_prints += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
    }
    try {
        FUZZ_CHECK(tcpkit::parse_certificate_pin(pin) == pin,
                   "a pin that does not parse to itself");
        FUZZ_CHECK(tcpkit::parse_certificate_pin(as_openssl_prints) == pin,
                   "a pin as openssl prints it parses to another");
    } catch (const tcpkit::UsageError&) {
        FUZZ_CHECK(false, "a pin refused once printed");
    }
}

void check_alpn(std::string_view text) {
    std::vector<std::string> protocols;
    try {
        protocols = tcpkit::parse_alpn_list(text);
    } catch (const tcpkit::UsageError&) {
        return;
    }
    FUZZ_CHECK(!protocols.empty(), "an empty ALPN list accepted");
    std::string joined;
    for (const auto& protocol : protocols) {
        FUZZ_CHECK(
            !protocol.empty() && protocol.size() <= 255 && protocol.find(',') == std::string::npos,
            "an ALPN protocol of the wrong size, or with a comma");
        joined += (joined.empty() ? "" : ",") + protocol;
    }
    FUZZ_CHECK(joined == text, "the protocols are not the list");
    FUZZ_CHECK(tcpkit::parse_alpn_list(joined) == protocols, "an ALPN list that does not print");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = tcpkit::fuzz::as_text(data, size);
    check_pin(text);
    check_alpn(text);
    try {
        auto name = tcpkit::tls_version_name(tcpkit::parse_tls_version(text));
        FUZZ_CHECK(name == "TLS 1.2" || name == "TLS 1.3", "a version of another name");
    } catch (const tcpkit::UsageError&) {
    }
    return 0;
}
