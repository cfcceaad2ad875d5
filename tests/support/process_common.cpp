// The parts of Process that are the same on every platform: waiting for output, built on the
// platform's pump().
#include <chrono>
#include <stdexcept>
#include <string>

#include "process.h"

namespace tcpkit::test {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what);
}

int remaining_ms(Clock::time_point deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

std::string Process::wait_for_stderr_line(std::string_view needle, Timeout timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        std::size_t found = stderr_.find(needle);
        if (found != std::string::npos) {
            std::size_t end = stderr_.find('\n', found);
            if (end != std::string::npos) {
                std::size_t start = stderr_.rfind('\n', found);
                start = start == std::string::npos ? 0 : start + 1;
                return stderr_.substr(start, end - start);
            }
        }
        if (Clock::now() >= deadline) {
            fail("no stderr line with '" + std::string(needle) + "'; stderr so far:\n" + stderr_);
        }
        if (!pump(Timeout(remaining_ms(deadline)))) {
            fail("stderr closed without a line with '" + std::string(needle) + "'; stderr:\n" +
                 stderr_);
        }
    }
}

void Process::wait_for_stderr_count(std::string_view needle, std::size_t count,
                                    Timeout timeout) {
    auto deadline = Clock::now() + timeout;
    auto occurrences = [&] {
        std::size_t found = 0;
        for (std::size_t at = stderr_.find(needle); at != std::string::npos;
             at = stderr_.find(needle, at + needle.size())) {
            ++found;
        }
        return found;
    };
    while (occurrences() < count) {
        if (Clock::now() >= deadline) {
            fail("stderr has fewer than " + std::to_string(count) + " lines with '" +
                 std::string(needle) + "'; stderr so far:\n" + stderr_);
        }
        if (!pump(Timeout(remaining_ms(deadline)))) {
            fail("stderr closed before " + std::to_string(count) + " lines with '" +
                 std::string(needle) + "'; stderr:\n" + stderr_);
        }
    }
}

std::string Process::wait_for_stdout(std::size_t count, Timeout timeout) {
    auto deadline = Clock::now() + timeout;
    while (stdout_.size() < count) {
        if (Clock::now() >= deadline) {
            fail("stdout has " + std::to_string(stdout_.size()) + " of " + std::to_string(count) +
                 " bytes; stderr:\n" + stderr_);
        }
        if (!pump(Timeout(remaining_ms(deadline)))) {
            fail("stdout closed after " + std::to_string(stdout_.size()) + " bytes; stderr:\n" +
                 stderr_);
        }
    }
    return stdout_;
}

std::uint16_t listening_port(Process& server, Timeout timeout) {
    std::string line = server.wait_for_stderr_line("listening on ", timeout);
    auto colon = line.find_last_of(':');
    std::string port = line.substr(colon + 1);
    port = port.substr(0, port.find_first_not_of("0123456789"));
    return static_cast<std::uint16_t>(std::stoi(port));
}

}  // namespace tcpkit::test
