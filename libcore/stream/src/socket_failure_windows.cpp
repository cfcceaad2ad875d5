// wait_until_failed() on Windows: there is no signal to wait for, so it waits for nothing until
// it is cancelled. Asio's wait_error there is a select() on exceptfds, which reports a failed
// connect() and out-of-band data, not a reset or a hang-up of a connected socket; and Asio 1.22
// cannot cancel it on its own (its cancellation looks for the wait among the reads), so a
// session that raced it against its relay (listen --exec) never ended.
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>

#include "tcpkit/stream/tcp_stream.h"

namespace tcpkit {

asio::awaitable<void> wait_until_failed(asio::ip::tcp::socket& socket, std::error_code& error) {
    asio::steady_timer never(socket.get_executor(), std::chrono::steady_clock::time_point::max());
    co_await never.async_wait(asio::redirect_error(asio::use_awaitable, error));
}

}  // namespace tcpkit
