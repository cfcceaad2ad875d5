// The server side of TLS: a certificate (given, or made for this run), optional client
// certificates, and handshakes bounded in time.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <memory>
#include <string>

#include "tcpkit/stream/byte_stream.h"
#include "tcpkit/tls/tls_options.h"

namespace tcpkit {

class TlsServer {
  public:
    // Loads or makes the certificate (and saves it, with save_cert_dir). Throws UsageError
    // naming the option and file, or "TLS is not available in this build".
    explicit TlsServer(const TlsServerOptions& options);
    ~TlsServer();
    TlsServer(const TlsServer&) = delete;
    TlsServer& operator=(const TlsServer&) = delete;

    // `sha256:` and the 64 hex digits of the served certificate's fingerprint, as --pin takes it.
    const std::string& fingerprint() const;

    // Runs the server's handshake on an accepted socket, within the handshake timeout. Returns
    // the stream, or null after setting `failure` to how it ended, as the rest of "tls
    // handshake ...": "failed: not a TLS client", "timed out after 10s".
    asio::awaitable<std::unique_ptr<ByteStream>> handshake(asio::ip::tcp::socket socket,
                                                           std::string peer, std::string& failure);

    struct Context;

  private:
    std::unique_ptr<Context> context_;
};

}  // namespace tcpkit
