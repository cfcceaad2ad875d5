#include "tcpkit/tls/tls_client.h"

#include <fmt/format.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/address.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "certificate.h"
#include "context_setup.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/base/logger.h"
#include "tls_stream.h"

namespace tcpkit {

// What the verification callback saw, for the one line that says why a server is not trusted.
struct VerifyRecord {
    const std::optional<std::string>* pin = nullptr;
    int error = X509_V_OK;  // the first failure
    int depth = 0;
    std::string subject;  // of the certificate that failed
    std::string issuer_of_failed;
    std::string not_after;
    std::string not_before;
    std::string leaf_fingerprint;
    std::string leaf_names;
    std::string leaf_subject;
    bool pin_mismatch = false;
    bool certificate_requested = false;  // the server asked for a client certificate
};

struct TlsClient::Context {
    TlsClientOptions options;
    std::string host;         // as given on the command line
    std::string verify_name;  // what the certificate must be for: --sni NAME, or host
    bool host_is_address = false;
    SslContextHandle context;
};

namespace {

VerifyRecord* record_of(SSL* ssl) {
    return static_cast<VerifyRecord*>(SSL_get_app_data(ssl));
}

std::string issuer_text(X509* certificate) {
    BioHandle memory(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(memory.get(), X509_get_issuer_name(certificate), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long length = BIO_get_mem_data(memory.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

int verify_certificate(int preverified, X509_STORE_CTX* store) {
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    VerifyRecord* record = record_of(ssl);
    X509* certificate = X509_STORE_CTX_get_current_cert(store);
    int depth = X509_STORE_CTX_get_error_depth(store);
    if (record == nullptr || certificate == nullptr) {
        return preverified;
    }
    if (depth == 0 && record->leaf_fingerprint.empty()) {
        record->leaf_fingerprint = certificate_fingerprint(certificate);
        record->leaf_names = certificate_names(certificate);
        record->leaf_subject = certificate_subject(certificate);
    }
    if (record->pin != nullptr && record->pin->has_value()) {
        // A pin replaces every other check: the chain and the name do not matter, the
        // server's own certificate does.
        if (depth > 0) {
            return 1;
        }
        bool matches = certificate_fingerprint(certificate) == **record->pin;
        record->pin_mismatch = !matches;
        return matches ? 1 : 0;
    }
    if (preverified == 0 && record->error == X509_V_OK) {
        record->error = X509_STORE_CTX_get_error(store);
        record->depth = depth;
        record->subject = certificate_subject(certificate);
        record->issuer_of_failed = issuer_text(certificate);
        record->not_after = certificate_not_after(certificate);
        record->not_before = certificate_not_before(certificate);
    }
    return preverified;
}

// Called when the server asks for a client certificate: notes it, for the wording of the
// failure when we have none.
int note_certificate_request(SSL* ssl, void* /*unused*/) {
    if (VerifyRecord* record = record_of(ssl)) {
        record->certificate_requested = true;
    }
    return 1;
}

std::string pin_hint(const VerifyRecord& record) {
    return record.leaf_fingerprint.empty()
               ? std::string("--pin sha256:HEX")
               : fmt::format("--pin sha256:{}", record.leaf_fingerprint);
}

// The verification failure in words, and what to do about it.
std::string verification_failure(const VerifyRecord& record, const std::string& name) {
    const std::string whose = record.depth == 0
                                  ? std::string("the server's certificate")
                                  : fmt::format("the certificate of its issuer {}", record.subject);
    const std::string trust_hints = fmt::format(
        "trust its issuer with --ca-file FILE, accept this one certificate with {} (after "
        "checking it), or skip verification with --insecure",
        pin_hint(record));
    switch (record.error) {
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
            return fmt::format(
                "the server's certificate ({}) is self-signed, so nothing vouches for it: "
                "accept it with {} if that is its fingerprint, trust it with --ca-file FILE, or "
                "skip verification with --insecure",
                record.leaf_subject, pin_hint(record));
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return fmt::format(
                "the server's certificate ({}) comes from an unknown issuer ({}): {}",
                record.leaf_subject, record.issuer_of_failed, trust_hints);
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return fmt::format(
                "{} expired on {}: the server must renew it (--insecure connects anyway)", whose,
                record.not_after);
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return fmt::format(
                "{} is not yet valid (from {}): check this machine's clock (--insecure connects "
                "anyway)",
                whose, record.not_before);
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return fmt::format(
                "the server's certificate does not match \"{}\": it is for {} (connect by one of "
                "those names, check another with --sni NAME, or accept it with {})",
                name, record.leaf_names, pin_hint(record));
        default:
            return fmt::format("{} is not trusted: {}: {}", whose,
                               X509_verify_cert_error_string(record.error), trust_hints);
    }
}

bool is_version_refusal(int reason) {
    return reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION || reason == SSL_R_UNSUPPORTED_PROTOCOL ||
           reason == SSL_R_VERSION_TOO_LOW || reason == SSL_R_NO_PROTOCOLS_AVAILABLE ||
           reason == SSL_R_WRONG_SSL_VERSION;
}

bool is_not_tls(int reason) {
    return reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
           reason == SSL_R_UNEXPECTED_MESSAGE || reason == SSL_R_RECORD_LENGTH_MISMATCH ||
           reason == SSL_R_UNKNOWN_PROTOCOL;
}

std::string handshake_failure(const TlsClient::Context& context, const HandshakeFailure& failure,
                              const VerifyRecord& record, const std::string& peer) {
    const TlsClientOptions& options = context.options;
    if (record.pin_mismatch) {
        return fmt::format(
            "the server's certificate sha256:{} ({}) does not match --pin sha256:{}: this is not "
            "the server you pinned",
            record.leaf_fingerprint, record.leaf_subject, *options.pin);
    }
    if (record.error != X509_V_OK) {
        return verification_failure(record, context.verify_name);
    }
    if (failure.peer_not_tls || is_not_tls(failure.reason)) {
        return fmt::format(
            "{} is not a TLS server: it did not answer the TLS handshake (is it "
            "plain TCP? then leave out --tls)",
            peer);
    }
    if (is_version_refusal(failure.reason)) {
        return fmt::format(
            "the server does not speak {} or later: its TLS version is too old for --tls-min {}",
            tls_version_name(options.min_version),
            options.min_version == TlsVersion::v1_3 ? "1.3 (1.2 would allow TLS 1.2)" : "1.2");
    }
    if (failure.reason == SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL) {
        return "the server speaks none of the protocols offered with --alpn";
    }
    if (failure.reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
        (record.certificate_requested && options.cert_file.empty())) {
        return "the server requires a client certificate: give one with --cert FILE --key FILE";
    }
    if (failure.reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
        failure.reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA) {
        return "the server did not accept the client certificate given with --cert";
    }
    if (failure.reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE) {
        return "the server refused the TLS handshake: no TLS version, cipher or certificate type "
               "in common";
    }
    if (failure.closed_by_peer) {
        return fmt::format(
            "{} closed the connection during the TLS handshake (is it a TLS "
            "server?)",
            peer);
    }
    if (failure.io == asio::error::operation_aborted) {
        return fmt::format("the TLS handshake with {} did not finish in time", peer);
    }
    if (failure.io) {
        return fmt::format("the TLS handshake with {} failed: {}", peer, failure.io.message());
    }
    return fmt::format("the TLS handshake with {} failed: {}", peer,
                       ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, failure.reason)));
}

void log_session(const TlsClient::Context& context, const TlsStream& stream) {
    log().debug("tls: {}", stream.security_summary());
    X509* certificate = SSL_get0_peer_certificate(stream.ssl());
    std::string how =
        context.options.insecure ? "NOT verified (--insecure)"
        : context.options.pin    ? "matches --pin"
        : context.options.ca_file.empty()
            ? fmt::format("verified for \"{}\" by the system's trust store", context.verify_name)
            : fmt::format("verified for \"{}\" by --ca-file {}", context.verify_name,
                          context.options.ca_file);
    log().debug("tls: server certificate {}, sha256:{}, {}", certificate_subject(certificate),
                certificate_fingerprint(certificate), how);
}

}  // namespace

TlsClient::TlsClient(const TlsClientOptions& options, std::string host)
    : context_(std::make_unique<Context>()) {
    Context& self = *context_;
    self.options = options;
    self.host = std::move(host);
    self.verify_name = options.sni.value_or(self.host);
    std::error_code not_an_address;
    asio::ip::make_address(self.verify_name, not_an_address);
    self.host_is_address = !not_an_address;
    self.context = make_context(TLS_client_method(), options.min_version);
    SSL_CTX* context = self.context.get();
    if (!options.insecure) {
        if (!options.pin) {
            if (options.ca_file.empty()) {
                SSL_CTX_set_default_verify_paths(context);
            } else {
                load_trusted_cas(context, options.ca_file, "--ca-file");
            }
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, verify_certificate);
    }
    if (!options.cert_file.empty()) {
        load_certificate(context, options.cert_file, options.key_file, "--cert", "--key");
    } else {
        SSL_CTX_set_cert_cb(context, note_certificate_request, nullptr);
    }
    if (!options.alpn.empty()) {
        std::string wire = alpn_wire_format(options.alpn);
        SSL_CTX_set_alpn_protos(context, reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned int>(wire.size()));
    }
}

TlsClient::~TlsClient() = default;

asio::awaitable<std::unique_ptr<ByteStream>> TlsClient::handshake(asio::ip::tcp::socket socket,
                                                                  std::string peer,
                                                                  Milliseconds timeout) {
    using namespace asio::experimental::awaitable_operators;
    const Context& self = *context_;
    const TlsClientOptions& options = self.options;
    SslHandle ssl(SSL_new(self.context.get()));
    if (!ssl) {
        throw NetworkError("could not set up TLS: " + openssl_reason());
    }
    VerifyRecord record;
    record.pin = &options.pin;
    SSL_set_app_data(ssl.get(), &record);
    SSL_set_connect_state(ssl.get());
    // SNI names a host: never an address (RFC 6066), and not at all with --no-sni.
    if (!options.no_sni && !self.host_is_address) {
        SSL_set_tlsext_host_name(ssl.get(), self.verify_name.c_str());
    }
    if (!options.insecure && !options.pin) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
        if (self.host_is_address) {
            X509_VERIFY_PARAM_set1_ip_asc(param, self.verify_name.c_str());
        } else {
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            X509_VERIFY_PARAM_set1_host(param, self.verify_name.c_str(), 0);
        }
    }
    auto stream = std::make_unique<TlsStream>(std::move(socket), peer, std::move(ssl));
    bool done = false;
    if (timeout.count() > 0) {
        asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
        std::error_code ignored;
        auto outcome = co_await (stream->handshake() || timer.async_wait(asio::redirect_error(
                                                            asio::use_awaitable, ignored)));
        done = outcome.index() == 0 && std::get<0>(outcome);
        if (outcome.index() == 1) {
            throw NetworkError(fmt::format("the TLS handshake with {} did not finish within {}",
                                           peer, format_duration(timeout)));
        }
    } else {
        done = co_await stream->handshake();
    }
    SSL_set_app_data(stream->ssl(), nullptr);  // `record` ends with this function
    if (!done) {
        throw NetworkError(handshake_failure(self, stream->failure(), record, peer));
    }
    // TLS 1.3 lets a client finish before the server has looked at its certificate: a server
    // that asked for one gets none and refuses on the first read. Say so now, not then.
    if (record.certificate_requested && options.cert_file.empty() &&
        SSL_version(stream->ssl()) == TLS1_3_VERSION && SSL_get0_peer_certificate(stream->ssl()) &&
        SSL_get_client_CA_list(stream->ssl()) != nullptr &&
        sk_X509_NAME_num(SSL_get_client_CA_list(stream->ssl())) > 0) {
        log().debug("tls: the server asked for a client certificate; none was given (--cert)");
    }
    if (options.insecure) {
        log().warn(
            "--insecure: the server's certificate is not verified; anyone in between can read "
            "and change this connection");
    }
    log_session(self, *stream);
    co_return stream;
}

}  // namespace tcpkit
