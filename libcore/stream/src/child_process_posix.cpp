// Child processes on POSIX: fork and execve over pipes, each descriptor ours marked
// close-on-exec, and every other descriptor closed in the child, because Asio opens sockets
// without SOCK_CLOEXEC: a child must not hold the listening socket or another client's
// connection (a connection would then never see its FIN).
#include "tcpkit/stream/child_process.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <set>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include <asio/bind_cancellation_slot.hpp>
#include <asio/buffer.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "tcpkit/base/errors.h"

extern char** environ;  // NOLINT(readability-redundant-declaration): not declared by every libc

namespace tcpkit {
namespace {

using Clock = std::chrono::steady_clock;

// After its output closed, a child that is exiting by itself gets this long before SIGTERM,
// so that its own exit status is the one logged.
constexpr Milliseconds exit_by_itself{200};
// How often an ending child is checked: exits are noticed by polling, which needs no SIGCHLD
// handler (that would be process-wide) and costs nothing while children run.
constexpr Milliseconds reap_poll{10};

// Owns one descriptor until it is handed over.
class Descriptor {
  public:
    Descriptor() = default;
    explicit Descriptor(int fd) : fd_(fd) {}
    Descriptor(Descriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Descriptor& operator=(Descriptor&& other) noexcept {
        reset();
        fd_ = std::exchange(other.fd_, -1);
        return *this;
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    ~Descriptor() { reset(); }

    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    void reset() {
        if (fd_ != -1) {
            ::close(fd_);
            fd_ = -1;
        }
    }

  private:
    int fd_ = -1;
};

struct Pipe {
    Descriptor read_end;
    Descriptor write_end;
};

Pipe make_pipe() {
    std::array<int, 2> fds{};
    if (::pipe(fds.data()) != 0) {
        throw std::system_error(errno, std::generic_category(), "cannot create a pipe");
    }
    Pipe pipe{Descriptor(fds[0]), Descriptor(fds[1])};
    ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return pipe;
}

bool is_executable_file(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

// The file execve() should run: `program` itself when it has a slash, else the first
// executable match in PATH (searched here, before fork, so the child only calls execve).
std::string find_program(const std::string& program) {
    if (program.find('/') != std::string::npos) {
        return program;
    }
    const char* path = std::getenv("PATH");
    std::string_view directories = path != nullptr ? path : "/usr/bin:/bin";
    while (true) {
        std::size_t colon = directories.find(':');
        std::string_view directory = directories.substr(0, colon);
        std::string candidate = fmt::format("{}/{}", directory.empty() ? "." : directory, program);
        if (is_executable_file(candidate)) {
            return candidate;
        }
        if (colon == std::string_view::npos) {
            return {};
        }
        directories.remove_prefix(colon + 1);
    }
}

// In the child, between fork and execve: only async-signal-safe calls from here on.
void close_descriptors_from(int first) {
#if defined(__linux__) && defined(SYS_close_range)
    if (::syscall(SYS_close_range, first, ~0U, 0) == 0) {
        return;
    }
#endif
    // Kernels without close_range: every possible descriptor, up to a bound.
    long limit = ::sysconf(_SC_OPEN_MAX);
    int last = limit > 0 && limit < 65536 ? static_cast<int>(limit) : 65536;
    for (int fd = first; fd < last; ++fd) {
        ::close(fd);
    }
}

// Puts `fd` at `target` without close-on-exec (dup2 to itself would keep the flag).
void place_descriptor(int fd, int target) {
    if (fd == target) {
        ::fcntl(fd, F_SETFD, 0);
    } else {
        ::dup2(fd, target);
    }
}

[[noreturn]] void run_child(const std::string& path, char* const* argv, char* const* envp,
                            int child_stdin, int child_stdout, bool stderr_to_stdout,
                            int exec_failure) {
    ::setpgid(0, 0);
    // An ignored signal stays ignored across execve: give the program the usual SIGPIPE.
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Out of the way of 0-2 first, in case one of them is already where another must go.
    int in = ::fcntl(child_stdin, F_DUPFD_CLOEXEC, 3);
    int out = ::fcntl(child_stdout, F_DUPFD_CLOEXEC, 3);
    int failure = ::fcntl(exec_failure, F_DUPFD_CLOEXEC, 3);
    place_descriptor(in, STDIN_FILENO);
    place_descriptor(out, STDOUT_FILENO);
    if (stderr_to_stdout) {
        place_descriptor(out, STDERR_FILENO);
    }
    ::dup2(failure, 3);
    ::fcntl(3, F_SETFD, FD_CLOEXEC);
    close_descriptors_from(4);
    ::execve(path.c_str(), argv, envp);
    int error = errno;
    [[maybe_unused]] auto written = ::write(3, &error, sizeof error);
    ::_exit(127);
}

std::string describe_exit(int status) {
    if (WIFEXITED(status)) {
        return fmt::format("exited with status {}", WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return fmt::format("killed by signal {}", WTERMSIG(status));
    }
    return "ended";
}

}  // namespace

struct ChildProcessStream::Platform {
    explicit Platform(const asio::any_io_executor& executor)
        : to_child(executor), from_child(executor) {}

    // True once the child has been reaped; `status` then says how it ended.
    bool try_reap() {
        if (reaped) {
            return true;
        }
        int result = ::waitpid(pid, &status, WNOHANG);
        if (result == pid || (result == -1 && errno == ECHILD)) {
            reaped = true;
        }
        return reaped;
    }

    asio::posix::stream_descriptor to_child;    // the child's standard input
    asio::posix::stream_descriptor from_child;  // the child's standard output
    pid_t pid = -1;
    int status = 0;
    bool reaped = false;
    bool output_ended = false;
};

std::vector<std::string> shell_command(const std::string& command) {
    return {"/bin/sh", "-c", command};
}

void check_program(const std::string& program) {
    std::string path = find_program(program);
    if (path.empty()) {
        throw UsageError(fmt::format("--exec: '{}' is not found in PATH", program));
    }
    if (!is_executable_file(path)) {
        throw UsageError(fmt::format("--exec: '{}' is not an executable file", program));
    }
}

ChildProcessStream::ChildProcessStream(const asio::any_io_executor& executor,
                                       const ChildCommand& command)
    : platform_(std::make_unique<Platform>(executor)) {
    const std::string& program = command.arguments.at(0);
    std::string path = find_program(program);
    if (path.empty()) {
        throw std::system_error(ENOENT, std::generic_category(),
                                fmt::format("cannot run '{}'", program));
    }
    // Everything the child needs is built before fork: after it, the child may not allocate.
    std::vector<std::string> arguments = command.arguments;
    std::vector<char*> argv;
    argv.reserve(arguments.size() + 1);
    for (auto& argument : arguments) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    std::set<std::string> replaced;
    std::vector<std::string> environment;
    for (const auto& [name, value] : command.environment) {
        replaced.insert(name);
        environment.push_back(fmt::format("{}={}", name, value));
    }
    for (char** entry = environ; *entry != nullptr; ++entry) {
        std::string_view text(*entry);
        if (!replaced.contains(std::string(text.substr(0, text.find('='))))) {
            environment.emplace_back(text);
        }
    }
    std::vector<char*> envp;
    envp.reserve(environment.size() + 1);
    for (auto& entry : environment) {
        envp.push_back(entry.data());
    }
    envp.push_back(nullptr);

    Pipe input = make_pipe();
    Pipe output = make_pipe();
    Pipe exec_failure = make_pipe();
    pid_t pid = ::fork();
    if (pid == -1) {
        throw std::system_error(errno, std::generic_category(),
                                fmt::format("cannot start '{}'", program));
    }
    if (pid == 0) {
        run_child(path, argv.data(), envp.data(), input.read_end.get(), output.write_end.get(),
                  command.stderr_to_stdout, exec_failure.write_end.get());
    }
    platform_->pid = pid;
    input.read_end.reset();
    output.write_end.reset();
    exec_failure.write_end.reset();
    // End of file here means execve succeeded (the descriptor was close-on-exec); an errno
    // means it failed. The wait is as long as fork-to-exec: well under a millisecond.
    int error = 0;
    ssize_t got = 0;
    do {
        got = ::read(exec_failure.read_end.get(), &error, sizeof error);
    } while (got == -1 && errno == EINTR);
    if (got == static_cast<ssize_t>(sizeof error)) {
        ::waitpid(pid, &platform_->status, 0);
        platform_->reaped = true;
        throw std::system_error(error, std::generic_category(),
                                fmt::format("cannot run '{}'", program));
    }
    platform_->to_child.assign(input.write_end.release());
    platform_->from_child.assign(output.read_end.release());
    peer_ = fmt::format("process {} ({})", pid, program);
}

ChildProcessStream::~ChildProcessStream() {
    if (!platform_->try_reap()) {
        ::kill(-platform_->pid, SIGKILL);
        ::waitpid(platform_->pid, &platform_->status, 0);
    }
}

int ChildProcessStream::pid() const {
    return platform_->pid;
}

asio::awaitable<std::string> ChildProcessStream::finish(Milliseconds grace) {
    Platform& child = *platform_;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto wait_for_exit = [&](Milliseconds limit) -> asio::awaitable<bool> {
        auto deadline = Clock::now() + limit;
        while (!child.try_reap() && Clock::now() < deadline) {
            timer.expires_after(reap_poll);
            std::error_code ignored;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
        co_return child.reaped;
    };
    if (child.output_ended && co_await wait_for_exit(exit_by_itself)) {
        co_return describe_exit(child.status);
    }
    if (!child.try_reap()) {
        ::kill(-child.pid, SIGTERM);
        if (!co_await wait_for_exit(grace)) {
            ::kill(-child.pid, SIGKILL);
            ::waitpid(child.pid, &child.status, 0);
            child.reaped = true;
        }
    }
    co_return describe_exit(child.status);
}

asio::any_io_executor ChildProcessStream::get_executor() {
    return platform_->from_child.get_executor();
}

const std::string& ChildProcessStream::peer() const {
    return peer_;
}

asio::awaitable<std::size_t> ChildProcessStream::read_some(std::span<char> buffer,
                                                           std::error_code& error,
                                                           asio::cancellation_slot cancel) {
    auto token = asio::redirect_error(asio::use_awaitable, error);
    auto into = asio::buffer(buffer.data(), buffer.size());
    std::size_t count = 0;
    if (cancel.is_connected()) {
        count = co_await platform_->from_child.async_read_some(
            into, asio::bind_cancellation_slot(cancel, token));
    } else {
        count = co_await platform_->from_child.async_read_some(into, token);
    }
    if (error == asio::error::eof) {
        platform_->output_ended = true;
    }
    co_return count;
}

bool ChildProcessStream::has_buffered_input() const {
    return false;  // the pipe holds what the child wrote, and epoll sees it
}

asio::awaitable<void> ChildProcessStream::wait_readable(std::error_code& error,
                                                        asio::cancellation_slot cancel) {
    auto token = asio::redirect_error(asio::use_awaitable, error);
    if (cancel.is_connected()) {
        return platform_->from_child.async_wait(asio::posix::descriptor_base::wait_read,
                                                asio::bind_cancellation_slot(cancel, token));
    }
    return platform_->from_child.async_wait(asio::posix::descriptor_base::wait_read, token);
}

std::size_t ChildProcessStream::read_available(std::span<char> buffer, std::error_code& error) {
    auto& from_child = platform_->from_child;
    if (!from_child.non_blocking()) {
        from_child.non_blocking(true, error);
        if (error) {
            return 0;
        }
    }
    std::size_t count = from_child.read_some(asio::buffer(buffer.data(), buffer.size()), error);
    if (error == asio::error::eof) {
        platform_->output_ended = true;
    }
    return count;
}

asio::awaitable<std::size_t> ChildProcessStream::write_all(
    std::span<const asio::const_buffer> buffers, std::error_code& error) {
    return asio::async_write(platform_->to_child, buffers,
                             asio::redirect_error(asio::use_awaitable, error));
}

asio::awaitable<void> ChildProcessStream::shutdown_send(std::error_code& error) {
    platform_->to_child.close(error);
    co_return;
}

void ChildProcessStream::close() {
    std::error_code ignored;
    platform_->to_child.close(ignored);
    platform_->from_child.close(ignored);
}

bool ChildProcessStream::is_open() const {
    return platform_->from_child.is_open();
}

}  // namespace tcpkit
