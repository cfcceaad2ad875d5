// Child processes on Windows: not in this build yet. CreateProcess over overlapped named pipes
// (Asio's windows::stream_handle) is the way; until then --exec and --sh-exec refuse at
// start-up with one line and exit status 2, before anything listens.
#include "tcpkit/stream/child_process.h"

#include "tcpkit/base/errors.h"

namespace tcpkit {
namespace {

[[noreturn]] void refuse() {
    throw UsageError("--exec and --sh-exec are not available on Windows in this build");
}

}  // namespace

struct ChildProcessStream::Platform {};

std::vector<std::string> shell_command(const std::string& command) {
    return {"cmd.exe", "/c", command};
}

void check_program(const std::string& /*program*/) {
    refuse();
}

ChildProcessStream::ChildProcessStream(const asio::any_io_executor& /*executor*/,
                                       const ChildCommand& /*command*/) {
    refuse();
}

ChildProcessStream::~ChildProcessStream() = default;

int ChildProcessStream::pid() const {
    return -1;
}

asio::awaitable<std::string> ChildProcessStream::finish(Milliseconds /*grace*/) {
    co_return std::string("ended");
}

asio::any_io_executor ChildProcessStream::get_executor() {
    refuse();
}

const std::string& ChildProcessStream::peer() const {
    return peer_;
}

asio::awaitable<std::size_t> ChildProcessStream::read_some(std::span<char> /*buffer*/,
                                                           std::error_code& /*error*/,
                                                           asio::cancellation_slot /*cancel*/) {
    refuse();
}

asio::awaitable<void> ChildProcessStream::wait_readable(std::error_code& /*error*/,
                                                        asio::cancellation_slot /*cancel*/) {
    refuse();
}

std::size_t ChildProcessStream::read_available(std::span<char> /*buffer*/,
                                               std::error_code& /*error*/) {
    refuse();
}

asio::awaitable<std::size_t> ChildProcessStream::write_all(
    std::span<const asio::const_buffer> /*buffers*/, std::error_code& /*error*/) {
    refuse();
}

asio::awaitable<void> ChildProcessStream::shutdown_send(std::error_code& /*error*/) {
    refuse();
}

void ChildProcessStream::close() {}

bool ChildProcessStream::is_open() const {
    return false;
}

}  // namespace tcpkit
