// What client and server contexts share: the lowest version, the certificate files, the
// ALPN wire format.
#pragma once

#include <string>
#include <vector>

#include "openssl_handles.h"
#include "tcpkit/tls/tls_options.h"

namespace tcpkit {

// A context for `method` with tcpkit's settings: at least `min_version`, and no renegotiation
// (a TLS 1.2 feature with a history of attacks, and a read that must write).
SslContextHandle make_context(const SSL_METHOD* method, TlsVersion min_version);

// Loads a PEM certificate chain and its key (from `key_file`, or `cert_file` when empty).
// Throws UsageError naming `cert_option` or `key_option` and the file.
void load_certificate(SSL_CTX* context, const std::string& cert_file, const std::string& key_file,
                      const char* cert_option, const char* key_option);

// Trusts the PEM CAs of `file`. Throws UsageError naming `option` and the file.
void load_trusted_cas(SSL_CTX* context, const std::string& file, const char* option);

// ALPN's wire format: each name preceded by its length.
std::string alpn_wire_format(const std::vector<std::string>& protocols);

// The oldest entry of this thread's OpenSSL error queue as OpenSSL words it, without codes.
std::string openssl_reason();

}  // namespace tcpkit
