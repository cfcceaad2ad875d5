// What the TLS options of the command line ask for, as plain values, and their parsers. No
// OpenSSL here: the command line is checked the same way in builds without TLS.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tcpkit/base/duration.h"

namespace tcpkit {

enum class TlsVersion { v1_2, v1_3 };

// The lowest version accepted unless --tls-min says otherwise: TLS 1.0 and 1.1 are broken.
inline constexpr TlsVersion default_tls_min_version = TlsVersion::v1_2;
// How long a server lets a connection take to finish its handshake.
inline constexpr Milliseconds default_handshake_timeout{10'000};

// "1.2" or "1.3"; throws UsageError otherwise.
TlsVersion parse_tls_version(std::string_view text);
std::string_view tls_version_name(TlsVersion version);  // "TLS 1.2"

// "sha256:AB:cd:..." or plain hex: the 64 hex digits of a SHA-256 fingerprint, lower case.
// Throws UsageError for anything else.
std::string parse_certificate_pin(std::string_view text);

// "h2,http/1.1" into its protocols; each 1 to 255 bytes, as ALPN requires. Throws UsageError.
std::vector<std::string> parse_alpn_list(std::string_view text);

struct TlsClientOptions {
    bool enabled = false;
    std::string ca_file;             // empty: the system's trust store
    std::optional<std::string> pin;  // as parse_certificate_pin returns it
    bool insecure = false;           // no verification at all
    std::optional<std::string> sni;  // sent and verified instead of the host given
    bool no_sni = false;
    std::vector<std::string> alpn;
    TlsVersion min_version = default_tls_min_version;
    std::string cert_file;  // a client certificate (PEM)
    std::string key_file;   // empty: the key is in cert_file
};

struct TlsServerOptions {
    bool enabled = false;
    std::string cert_file;       // empty: an ephemeral self-signed certificate
    std::string key_file;        // empty: the key is in cert_file
    std::string save_cert_dir;   // where to write the ephemeral certificate, if anywhere
    std::string client_ca_file;  // mutual TLS: clients must present a certificate it signed
    std::vector<std::string> alpn;
    TlsVersion min_version = default_tls_min_version;
    Milliseconds handshake_timeout = default_handshake_timeout;
    // Let OpenSSL free a connection's record buffers whenever it is idle: about 12 KiB less per
    // idle connection (23 instead of 35 KiB), for about a third less throughput (bulk through
    // connect --tls: 840 MiB/s without, 594 with). For rooms of many quiet clients.
    bool release_idle_buffers = false;
    // Names the ephemeral certificate is for, besides localhost, 127.0.0.1, ::1 and the
    // machine's host name: the --host value.
    std::vector<std::string> extra_names;
};

// True when this build has TLS (OpenSSL); "OpenSSL 3.0.13 30 Jan 2024" or "no TLS" for --version.
bool tls_available();
std::string tls_library_version();

}  // namespace tcpkit
