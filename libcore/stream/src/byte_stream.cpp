#include "tcpkit/stream/byte_stream.h"

#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>

namespace tcpkit {

asio::awaitable<void> ByteStream::wait_failed(std::error_code& error) {
    asio::steady_timer never(co_await asio::this_coro::executor,
                             std::chrono::steady_clock::time_point::max());
    co_await never.async_wait(asio::redirect_error(asio::use_awaitable, error));
}

}  // namespace tcpkit
