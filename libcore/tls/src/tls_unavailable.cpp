// The TLS layer of a build without OpenSSL (the Windows cross-build: Debian has no OpenSSL for
// MinGW). The options parse as everywhere; using them is refused with one clear line.
#include "tcpkit/base/errors.h"
#include "tcpkit/tls/tls_client.h"
#include "tcpkit/tls/tls_server.h"

// The signatures are those of the TLS build, parameters by value included.
// NOLINTBEGIN(performance-unnecessary-value-param)
namespace tcpkit {
namespace {

[[noreturn]] void refuse() {
    throw UsageError("TLS is not available in this build");
}

}  // namespace

struct TlsClient::Context {};
struct TlsServer::Context {};

TlsClient::TlsClient(const TlsClientOptions& /*options*/, std::string /*host*/) {
    refuse();
}
TlsClient::~TlsClient() = default;
asio::awaitable<std::unique_ptr<ByteStream>> TlsClient::handshake(asio::ip::tcp::socket /*socket*/,
                                                                  std::string /*peer*/,
                                                                  Milliseconds /*timeout*/) {
    refuse();
}

TlsServer::TlsServer(const TlsServerOptions& /*options*/) {
    refuse();
}
TlsServer::~TlsServer() = default;
const std::string& TlsServer::fingerprint() const {
    refuse();
}
asio::awaitable<std::unique_ptr<ByteStream>> TlsServer::handshake(asio::ip::tcp::socket /*socket*/,
                                                                  std::string /*peer*/,
                                                                  std::string& /*failure*/) {
    refuse();
}

bool tls_available() {
    return false;
}

std::string tls_library_version() {
    return "no TLS";
}

}  // namespace tcpkit
// NOLINTEND(performance-unnecessary-value-param)
