// Reading certificates the way people compare them (fingerprints, subjects, the names they are
// for, their dates) and making the servers' ephemeral one.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <vector>

#include "openssl_handles.h"

namespace tcpkit {

// The SHA-256 of the certificate's DER encoding, 64 lower-case hex digits (what --pin takes).
std::string certificate_fingerprint(X509* certificate);
// "CN=localhost,O=Example" (RFC 2253 order).
std::string certificate_subject(X509* certificate);
// The subject alternative names, DNS names and addresses alike: "localhost, 127.0.0.1".
std::string certificate_names(X509* certificate);
// "2026-01-31 12:00:00 UTC".
std::string certificate_not_after(X509* certificate);
std::string certificate_not_before(X509* certificate);

struct EphemeralCertificate {
    KeyHandle key;
    CertificateHandle certificate;
};

// An ECDSA P-256 key and a self-signed certificate for it, signed with SHA-256, valid from an
// hour ago (clocks differ) for 30 days, for `names`: host names, and IP addresses.
EphemeralCertificate make_ephemeral_certificate(const std::vector<std::string>& names);

// Writes DIR/cert.pem and DIR/key.pem (the key readable by its owner only), creating DIR.
// Throws UsageError naming --save-cert and the file.
void save_certificate(const EphemeralCertificate& made, const std::string& directory);

}  // namespace tcpkit
