// Starting a coroutine whose failure must not vanish: `co_spawn(..., detached)` would swallow it.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>

#include <exception>
#include <string>
#include <utility>

#include "tcpkit/base/logger.h"

namespace tcpkit {

template <typename Executor>
void spawn_logged(const Executor& executor, asio::awaitable<void> task, std::string what) {
    asio::co_spawn(executor, std::move(task),
                   [what = std::move(what)](const std::exception_ptr& failure) {
                       if (!failure) {
                           return;
                       }
                       try {
                           std::rethrow_exception(failure);
                       } catch (const std::exception& error) {
                           log().error("{} failed: {}", what, error.what());
                       } catch (...) {
                           log().error("{} failed", what);
                       }
                   });
}

}  // namespace tcpkit
