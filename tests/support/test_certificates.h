// Certificates for the TLS tests, made at test time with the `openssl` command-line tool in a
// temporary directory that is removed when the test binary exits. Made once per run: the first
// call to test_certificates() pays for it (well under a second with P-256 keys).
#pragma once

#include <string>

namespace tcpkit::test {

// A certificate file and the key that goes with it, as tcpkit's --cert/--key take them.
struct CertificateFiles {
    std::string cert;  // PEM
    std::string key;   // PEM, unencrypted
    // SHA-256 of the certificate's DER form: 64 lowercase hex digits, no colons, as --pin takes
    // it after `sha256:`.
    std::string fingerprint;
};

struct TestCertificates {
    std::string directory;

    // The CA the tests trust (pass ca.cert as --ca-file / --client-ca / -CAfile).
    CertificateFiles ca;
    // Signed by `ca`, for DNS:localhost, IP:127.0.0.1 and IP:::1 (CN=localhost).
    CertificateFiles server;
    // Signed by `ca`, CN=alice, for client authentication.
    CertificateFiles client;
    // Signed by `ca` for localhost/127.0.0.1/::1, but valid only in January 2020.
    CertificateFiles expired;
    // Signed by `ca` for localhost/127.0.0.1/::1, but valid only from 2099 on.
    CertificateFiles not_yet_valid;
    // Signed by `ca` and current, but for DNS:wrong.example only.
    CertificateFiles wrong_name;
    // Self-signed (its own issuer), for localhost/127.0.0.1/::1.
    CertificateFiles self_signed;
    // A second CA, which no test trusts, and a localhost server certificate signed by it.
    CertificateFiles other_ca;
    CertificateFiles other_ca_server;
};

// The certificates, made on first use; throws if `openssl` fails.
const TestCertificates& test_certificates();

// The path of the openssl command-line tool the build found.
std::string openssl_binary();

// The SHA-256 fingerprint of the first PEM certificate in `pem_text` (64 lowercase hex), found
// by piping it through `openssl x509 -noout -fingerprint -sha256`; throws if there is none.
std::string fingerprint_of_pem(const std::string& pem_text);

}  // namespace tcpkit::test
