// Standard input read only when someone will receive it: what nobody could be sent is left
// unread, so nothing is lost (listen -k before its first client, -u before its first datagram).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <cstddef>
#include <span>
#include <system_error>

#include "tcpkit/base/logger.h"
#include "tcpkit/stream/describe.h"
#include "tcpkit/stream/stdio_stream.h"

namespace tcpkit {

// Waits until `has_recipient()`, woken by cancelling `wake` (a timer that never expires), then
// reads a chunk. Returns 0 at the end of input, and after logging a failure to read it.
template <typename HasRecipient>
asio::awaitable<std::size_t> read_for_recipients(InputStream& input, std::span<char> buffer,
                                                 asio::steady_timer& wake,
                                                 HasRecipient has_recipient) {
    while (!has_recipient()) {
        std::error_code ignored;
        co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    try {
        co_return co_await input.read_some(buffer);
    } catch (const std::system_error& failure) {
        log().error("cannot read input: {}", describe(failure.code()));
        co_return 0;
    }
}

}  // namespace tcpkit
