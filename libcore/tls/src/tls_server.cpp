#include "tcpkit/tls/tls_server.h"

#include <fmt/format.h>

#include <openssl/err.h>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/host_name.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "certificate.h"
#include "context_setup.h"
#include "tcpkit/base/errors.h"
#include "tls_error.h"
#include "tls_stream.h"

namespace tcpkit {

struct TlsServer::Context {
    TlsServerOptions options;
    SslContextHandle context;
    std::string alpn_wire;
    std::string fingerprint;
};

namespace {

int select_protocol(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_length,
                    const unsigned char* offered, unsigned int offered_length, void* argument) {
    const auto* self = static_cast<const TlsServer::Context*>(argument);
    unsigned char* chosen = nullptr;
    if (SSL_select_next_proto(&chosen, out_length,
                              reinterpret_cast<const unsigned char*>(self->alpn_wire.data()),
                              static_cast<unsigned int>(self->alpn_wire.size()), offered,
                              offered_length) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;  // no_application_protocol, as RFC 7301 asks
    }
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

// The names a certificate made for this run is for: where clients on this machine and on the
// network would reach it.
std::vector<std::string> ephemeral_names(const TlsServerOptions& options) {
    std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
    std::error_code error;
    std::string host = asio::ip::host_name(error);
    if (!error && !host.empty()) {
        names.push_back(host);
    }
    for (const std::string& extra : options.extra_names) {
        // The unspecified addresses are for binding, never what a client connects to.
        if (!extra.empty() && extra != "0.0.0.0" && extra != "::") {
            names.push_back(extra);
        }
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::string server_failure(const HandshakeFailure& failure, const TlsServerOptions& options) {
    if (failure.peer_not_tls) {
        return "not a TLS client (it sent something else first)";
    }
    switch (failure.reason) {
        case 0:
            break;
        case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
            return "the client sent no certificate (--client-ca requires one)";
        case SSL_R_CERTIFICATE_VERIFY_FAILED:
            return "the client's certificate is not signed by a CA of --client-ca";
        case SSL_R_UNSUPPORTED_PROTOCOL:
        case SSL_R_VERSION_TOO_LOW:
        case SSL_R_WRONG_VERSION_NUMBER:
            return fmt::format("the client offers no TLS version from {} up (--tls-min)",
                               tls_version_name(options.min_version));
        case SSL_R_NO_APPLICATION_PROTOCOL:
            return "the client offers none of the --alpn protocols";
        case SSL_R_NO_SHARED_CIPHER:
            return "no cipher in common with the client";
        case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
        case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
        case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
            return "the client does not trust this server's certificate";
        case SSL_R_HTTP_REQUEST:
            return "not a TLS client (an HTTP request)";
        default:
            return tls_reason_text(failure.reason);
    }
    if (failure.closed_by_peer) {
        return "the client closed the connection";
    }
    if (failure.io) {
        return failure.io.message();
    }
    return "failed";
}

}  // namespace

TlsServer::TlsServer(const TlsServerOptions& options) : context_(std::make_unique<Context>()) {
    Context& self = *context_;
    self.options = options;
    self.context = make_context(TLS_server_method(), options.min_version);
    SSL_CTX* context = self.context.get();
    if (options.release_idle_buffers) {
        SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS);
    }
    if (!options.cert_file.empty()) {
        load_certificate(context, options.cert_file, options.key_file, "--cert", "--key");
    } else {
        EphemeralCertificate made = make_ephemeral_certificate(ephemeral_names(options));
        if (!options.save_cert_dir.empty()) {
            save_certificate(made, options.save_cert_dir);
        }
        SSL_CTX_use_certificate(context, made.certificate.get());
        SSL_CTX_use_PrivateKey(context, made.key.get());
    }
    self.fingerprint = "sha256:" + certificate_fingerprint(SSL_CTX_get0_certificate(context));
    if (!options.client_ca_file.empty()) {
        load_trusted_cas(context, options.client_ca_file, "--client-ca");
        // Tells clients which CAs it takes, so that one with several certificates picks right.
        SSL_CTX_set_client_CA_list(context,
                                   SSL_load_client_CA_file(options.client_ca_file.c_str()));
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    // Resumed sessions must belong to this server's configuration (required with client
    // certificates, harmless without).
    static constexpr unsigned char session_context[] = "tcpkit";
    SSL_CTX_set_session_id_context(context, session_context, sizeof session_context - 1);
    // No session tickets, as ncat: tcpkit's own clients never resume (each run is a new
    // process), and making two tickets per handshake cost 9% of its CPU (docs/benchmarks.md).
    // Every connection is a full handshake; nothing of a session outlives its connection.
    SSL_CTX_set_num_tickets(context, 0);
    if (!options.alpn.empty()) {
        self.alpn_wire = alpn_wire_format(options.alpn);
        SSL_CTX_set_alpn_select_cb(context, select_protocol, &self);
    }
}

TlsServer::~TlsServer() = default;

const std::string& TlsServer::fingerprint() const {
    return context_->fingerprint;
}

asio::awaitable<std::unique_ptr<ByteStream>> TlsServer::handshake(asio::ip::tcp::socket socket,
                                                                  std::string peer,
                                                                  std::string& failure) {
    using namespace asio::experimental::awaitable_operators;
    const Context& self = *context_;
    SslHandle ssl(SSL_new(self.context.get()));
    if (!ssl) {
        failure = "failed: could not set up TLS: " + openssl_reason();
        co_return nullptr;
    }
    SSL_set_accept_state(ssl.get());
    auto stream = std::make_unique<TlsStream>(std::move(socket), std::move(peer), std::move(ssl));
    asio::steady_timer timer(co_await asio::this_coro::executor, self.options.handshake_timeout);
    std::error_code ignored;
    auto outcome = co_await (stream->handshake() ||
                             timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored)));
    if (outcome.index() == 1) {
        failure =
            fmt::format("timed out after {}", format_duration(self.options.handshake_timeout));
        co_return nullptr;
    }
    if (!std::get<0>(outcome)) {
        failure = "failed: " + server_failure(stream->failure(), self.options);
        co_return nullptr;
    }
    co_return stream;
}

bool tls_available() {
    return true;
}

std::string tls_library_version() {
    return OpenSSL_version(OPENSSL_VERSION);
}

}  // namespace tcpkit
