// The client side of TLS: verifies the server as the options say and reports, in words, why a
// handshake failed.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <memory>
#include <string>

#include "tcpkit/base/duration.h"
#include "tcpkit/stream/byte_stream.h"
#include "tcpkit/tls/tls_options.h"

namespace tcpkit {

class TlsClient {
  public:
    // `host` is the name or address given on the command line: what the certificate must be
    // for (unless options.sni names another) and the SNI sent when it is a name. Reads the
    // certificate and CA files now: throws UsageError naming the option and the file, or
    // "TLS is not available in this build".
    TlsClient(const TlsClientOptions& options, std::string host);
    ~TlsClient();
    TlsClient(const TlsClient&) = delete;
    TlsClient& operator=(const TlsClient&) = delete;

    // Runs the handshake over a connected socket, for at most `timeout` (0: no limit). Throws
    // NetworkError with one line saying why it failed and what to do about it. Logs (debug)
    // the protocol, cipher, ALPN result and the server's certificate.
    asio::awaitable<std::unique_ptr<ByteStream>> handshake(asio::ip::tcp::socket socket,
                                                           std::string peer, Milliseconds timeout);

    struct Context;

  private:
    std::unique_ptr<Context> context_;
};

}  // namespace tcpkit
