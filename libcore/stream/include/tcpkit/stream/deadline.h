// Bounding an awaitable operation in time.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <optional>

namespace tcpkit {

// Runs `operation` until it completes or `deadline` passes, whichever is first; the loser is
// cancelled. Returns nullopt on expiry. `operation` must report failures in its result rather
// than throw: Asio's `||` waits for the first *successful* branch.
template <typename T>
asio::awaitable<std::optional<T>> until_deadline(asio::awaitable<T> operation,
                                                 std::chrono::steady_clock::time_point deadline) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
    auto winner = co_await (std::move(operation) || timer.async_wait(asio::use_awaitable));
    if (winner.index() == 0) {
        co_return std::move(std::get<0>(winner));
    }
    co_return std::nullopt;
}

}  // namespace tcpkit
