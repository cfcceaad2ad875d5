#include "context_setup.h"

#include <fmt/format.h>

#include <openssl/err.h>

#include <filesystem>

#include "tcpkit/base/errors.h"

namespace tcpkit {
namespace {

// Before OpenSSL's own reason: "no such file" reads better than "system lib".
void require_readable(const std::string& file, const char* option) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) {
        throw UsageError(fmt::format("{} {}: no such file", option, file));
    }
}

}  // namespace

std::string openssl_reason() {
    unsigned long code = ERR_peek_error();
    const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    return reason != nullptr ? reason : "unknown error";
}

SslContextHandle make_context(const SSL_METHOD* method, TlsVersion min_version) {
    SslContextHandle context(SSL_CTX_new(method));
    if (!context) {
        throw std::runtime_error("could not set up TLS: " + openssl_reason());
    }
    SSL_CTX_set_min_proto_version(
        context.get(), min_version == TlsVersion::v1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_CTX_set_options(context.get(), SSL_OP_NO_RENEGOTIATION);
    return context;
}

void load_certificate(SSL_CTX* context, const std::string& cert_file, const std::string& key_file,
                      const char* cert_option, const char* key_option) {
    const std::string& key = key_file.empty() ? cert_file : key_file;
    const char* key_named = key_file.empty() ? cert_option : key_option;
    require_readable(cert_file, cert_option);
    require_readable(key, key_named);
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(context, cert_file.c_str()) != 1) {
        throw UsageError(fmt::format("{} {}: not a PEM certificate ({})", cert_option, cert_file,
                                     openssl_reason()));
    }
    if (SSL_CTX_use_PrivateKey_file(context, key.c_str(), SSL_FILETYPE_PEM) != 1) {
        throw UsageError(
            fmt::format("{} {}: no PEM private key there ({})", key_named, key, openssl_reason()));
    }
    if (SSL_CTX_check_private_key(context) != 1) {
        throw UsageError(fmt::format("{} {} is not the key of the certificate in {} {}", key_named,
                                     key, cert_option, cert_file));
    }
}

void load_trusted_cas(SSL_CTX* context, const std::string& file, const char* option) {
    require_readable(file, option);
    ERR_clear_error();
    if (SSL_CTX_load_verify_locations(context, file.c_str(), nullptr) != 1) {
        throw UsageError(
            fmt::format("{} {}: no PEM certificates there ({})", option, file, openssl_reason()));
    }
}

std::string alpn_wire_format(const std::vector<std::string>& protocols) {
    std::string wire;
    for (const std::string& protocol : protocols) {
        wire += static_cast<char>(protocol.size());
        wire += protocol;
    }
    return wire;
}

}  // namespace tcpkit
