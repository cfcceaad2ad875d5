#include "tls_error.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace tcpkit {
namespace {

class TlsCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "tls"; }
    std::string message(int reason) const override {
        // The reasons a peer causes in the middle of a session, in words that say what to do;
        // the rest as OpenSSL words them.
        switch (reason) {
            case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
                return "The server requires a client certificate (--cert FILE --key FILE)";
            case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
            case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
                return "The server did not accept the client certificate";
            case SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC:
                return "TLS record failed its integrity check: the data was damaged or changed "
                       "on the way";
            default:
                return "TLS failed: " + tls_reason_text(reason);
        }
    }
};

}  // namespace

const std::error_category& tls_category() {
    static const TlsCategory category;
    return category;
}

std::error_code tls_error_from_queue(int fallback) {
    unsigned long queued = ERR_peek_error();
    int reason = queued != 0 ? ERR_GET_REASON(queued) : fallback;
    return {reason, tls_category()};
}

std::string tls_reason_text(int reason) {
    const char* text = ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, reason));
    return text != nullptr ? text : "error " + std::to_string(reason);
}

}  // namespace tcpkit
