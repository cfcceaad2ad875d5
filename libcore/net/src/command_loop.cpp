#include "tcpkit/net/command_loop.h"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <exception>

#include "tcpkit/base/errors.h"
#include "tcpkit/net/signals.h"

namespace tcpkit {

int run_to_exit_status(asio::awaitable<int> task) {
    asio::io_context context(1);
    int status = to_int(ExitStatus::interrupted);
    std::exception_ptr failure;
    asio::co_spawn(context, std::move(task), [&](const std::exception_ptr& error, int result) {
        failure = error;
        status = result;
        context.stop();
    });
    StopSignals signals(context, [&](int /*count*/) { context.stop(); });
    context.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
    return status;
}

}  // namespace tcpkit
