// wait_until_failed() on POSIX: the reactor reports a socket's error condition (EPOLLERR,
// EPOLLHUP) as wait_error.
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "tcpkit/stream/tcp_stream.h"

namespace tcpkit {

asio::awaitable<void> wait_until_failed(asio::ip::tcp::socket& socket, std::error_code& error) {
    return socket.async_wait(asio::socket_base::wait_error,
                             asio::redirect_error(asio::use_awaitable, error));
}

}  // namespace tcpkit
