#include "process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace tcpkit::test {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what);
}

void make_pipe(int fds[2]) {
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
}

int remaining_ms(Clock::time_point deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

std::string tcpkit_binary() {
    return TCPKIT_BINARY;
}

Process::Process(const std::vector<std::string>& args, const ProcessOptions& options) {
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    int err[2];
    if (!options.stdin_file && !options.stdin_descriptor) {
        make_pipe(in);
    }
    if (!options.stdout_file) {
        make_pipe(out);
    }
    make_pipe(err);
    std::vector<char*> argv;
    for (const auto& arg : args) {
        argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0) {
        throw std::system_error(errno, std::generic_category(), "fork");
    }
    if (pid_ == 0) {
        // Child: only async-signal-safe calls from here on.
        if (options.stdin_descriptor) {
            ::dup2(*options.stdin_descriptor, 0);
        } else if (options.stdin_file) {
            int fd = ::open(options.stdin_file->c_str(), O_RDONLY);
            ::dup2(fd, 0);
        } else {
            ::dup2(in[0], 0);
        }
        if (options.stdout_file) {
            int fd = ::open(options.stdout_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(fd, 1);
        } else {
            ::dup2(out[1], 1);
        }
        ::dup2(err[1], 2);
        if (options.open_file_limit) {
            rlimit limit{static_cast<rlim_t>(*options.open_file_limit),
                         static_cast<rlim_t>(*options.open_file_limit)};
            ::setrlimit(RLIMIT_NOFILE, &limit);
        }
        ::signal(SIGPIPE, SIG_DFL);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    if (in[0] >= 0) {
        ::close(in[0]);
        stdin_fd_ = in[1];
    }
    if (!options.stdout_file) {
        ::close(out[1]);
        stdout_fd_ = out[0];
        ::fcntl(stdout_fd_, F_SETFL, O_NONBLOCK);
    }
    ::close(err[1]);
    stderr_fd_ = err[0];
    ::fcntl(stderr_fd_, F_SETFL, O_NONBLOCK);
}

Process::~Process() {
    if (!status_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : {stdin_fd_, stdout_fd_, stderr_fd_}) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
}

bool Process::pump(Timeout timeout) {
    pollfd fds[2];
    int count = 0;
    for (int fd : {stdout_fd_, stderr_fd_}) {
        if (fd >= 0) {
            fds[count++] = pollfd{fd, POLLIN, 0};
        }
    }
    if (count == 0) {
        return false;
    }
    if (::poll(fds, count, static_cast<int>(timeout.count())) <= 0) {
        return true;
    }
    char buffer[65536];
    for (int i = 0; i < count; ++i) {
        if (fds[i].revents == 0) {
            continue;
        }
        bool is_stdout = fds[i].fd == stdout_fd_;
        ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
        if (got > 0) {
            (is_stdout ? stdout_ : stderr_).append(buffer, static_cast<std::size_t>(got));
        } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
            ::close(fds[i].fd);
            (is_stdout ? stdout_fd_ : stderr_fd_) = -1;
        }
    }
    return true;
}

void Process::write_stdin(std::string_view data, Timeout timeout) {
    auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
        pollfd fds[3] = {{stdin_fd_, POLLOUT, 0}, {stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
        if (::poll(fds, 3, remaining_ms(deadline)) <= 0) {
            fail("timed out writing to the child's standard input");
        }
        if (fds[0].revents & (POLLERR | POLLHUP)) {
            fail("the child closed its standard input");
        }
        if (fds[0].revents & POLLOUT) {
            ssize_t written =
                ::write(stdin_fd_, data.data(), std::min<std::size_t>(data.size(), 65536));
            if (written < 0 && errno != EINTR && errno != EAGAIN) {
                fail(std::string("write to child: ") + std::strerror(errno));
            }
            if (written > 0) {
                data.remove_prefix(static_cast<std::size_t>(written));
            }
        }
        if ((fds[1].revents | fds[2].revents) != 0) {
            pump(Timeout(0));
        }
    }
}

void Process::close_stdin() {
    if (stdin_fd_ >= 0) {
        ::close(stdin_fd_);
        stdin_fd_ = -1;
    }
}

int Process::wait_for_exit(Timeout timeout) {
    if (status_) {
        return *status_;
    }
    auto deadline = Clock::now() + timeout;
    for (;;) {
        int status = 0;
        rusage usage{};
        pid_t done = ::wait4(pid_, &status, WNOHANG, &usage);
        if (done == pid_) {
            // Collect what the child wrote last: its pipes reach end-of-file now that it is gone.
            auto drain_deadline = Clock::now() + std::chrono::seconds(2);
            while ((stdout_fd_ >= 0 || stderr_fd_ >= 0) && Clock::now() < drain_deadline) {
                pump(Timeout(remaining_ms(drain_deadline)));
            }
            max_rss_kib_ = usage.ru_maxrss;
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return *status_;
        }
        if (Clock::now() >= deadline) {
            fail("the child did not exit in time; stderr:\n" + stderr_);
        }
        // Waiting on the output pipes wakes us as soon as the child writes or exits.
        if (!pump(Timeout(std::min(remaining_ms(deadline), 20)))) {
            ::poll(nullptr, 0, std::min(remaining_ms(deadline), 5));
        }
    }
}

void Process::send_signal(int signal) {
    if (!status_) {
        ::kill(pid_, signal);
    }
}

bool Process::running() {
    if (status_) {
        return false;
    }
    int status = 0;
    rusage usage{};
    if (::wait4(pid_, &status, WNOHANG, &usage) == pid_) {
        max_rss_kib_ = usage.ru_maxrss;
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return false;
    }
    return true;
}

}  // namespace tcpkit::test
