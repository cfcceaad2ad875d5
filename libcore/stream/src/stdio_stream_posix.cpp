// Standard input, output and files on POSIX: Asio's stream_descriptor over a dup() of each.
#include "tcpkit/stream/stdio_stream.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio/buffer.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "tcpkit/base/errors.h"

namespace tcpkit {
namespace {

// Asio makes the descriptor non-blocking, and a dup() shares that flag with the original, which
// the shell shares with us: put the original flags back, or the user's terminal is left broken.
class SavedDescriptorFlags {
  public:
    explicit SavedDescriptorFlags(int fd) : fd_(fd), flags_(fd < 0 ? -1 : ::fcntl(fd, F_GETFL)) {}
    ~SavedDescriptorFlags() {
        if (flags_ != -1) {
            ::fcntl(fd_, F_SETFL, flags_);
        }
    }
    SavedDescriptorFlags(const SavedDescriptorFlags&) = delete;
    SavedDescriptorFlags& operator=(const SavedDescriptorFlags&) = delete;

  private:
    int fd_;
    int flags_;
};

int duplicate_or_throw(int fd, const char* what) {
    int copy = ::dup(fd);
    if (copy == -1) {
        throw std::system_error(errno, std::generic_category(), what);
    }
    return copy;
}

class DescriptorInput final : public InputStream {
  public:
    // Takes ownership of `fd`; `shared_fd` is the descriptor whose flags must survive us.
    DescriptorInput(const asio::any_io_executor& executor, int fd, int shared_fd)
        : saved_flags_(shared_fd), stream_(executor, fd), fd_(fd) {}

    asio::awaitable<std::size_t> read_some(std::span<char> buffer) override {
        std::error_code error;
        std::size_t count =
            co_await stream_.async_read_some(asio::buffer(buffer.data(), buffer.size()),
                                             asio::redirect_error(asio::use_awaitable, error));
        if (error == asio::error::eof) {
            co_return 0;
        }
        if (error) {
            throw std::system_error(error);
        }
        co_return count;
    }

    // A dup() shares the file offset too: a script that read part of the file before us
    // leaves us the rest, and that is what we count.
    std::optional<std::uint64_t> known_size() const override {
        struct stat status {};
        if (::fstat(fd_, &status) != 0 || !S_ISREG(status.st_mode)) {
            return std::nullopt;
        }
        off_t offset = ::lseek(fd_, 0, SEEK_CUR);
        if (offset < 0 || offset > status.st_size) {
            return std::nullopt;
        }
        return static_cast<std::uint64_t>(status.st_size - offset);
    }

  private:
    SavedDescriptorFlags saved_flags_;  // destroyed after stream_, which closes the dup
    asio::posix::stream_descriptor stream_;
    int fd_;  // stream_'s, which has no const accessor
};

class DescriptorOutput final : public OutputStream {
  public:
    DescriptorOutput(const asio::any_io_executor& executor, int fd, int shared_fd)
        : saved_flags_(shared_fd), stream_(executor, fd) {}

    asio::awaitable<void> write_all(std::string_view bytes) override {
        std::error_code error;
        co_await asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                                   asio::redirect_error(asio::use_awaitable, error));
        if (error) {
            throw std::system_error(error);
        }
    }

  private:
    SavedDescriptorFlags saved_flags_;
    asio::posix::stream_descriptor stream_;
};

}  // namespace

void prepare_stdout_for_lines() {}

std::unique_ptr<InputStream> InputStream::standard_input(const asio::any_io_executor& executor) {
    return std::make_unique<DescriptorInput>(
        executor, duplicate_or_throw(STDIN_FILENO, "standard input"), STDIN_FILENO);
}

std::unique_ptr<InputStream> InputStream::open_file(const asio::any_io_executor& executor,
                                                    const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        throw UsageError(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
    }
    return std::make_unique<DescriptorInput>(executor, fd,
                                             -1);  // our own descriptor: nothing to restore
}

std::unique_ptr<OutputStream> OutputStream::standard_output(const asio::any_io_executor& executor) {
    return std::make_unique<DescriptorOutput>(
        executor, duplicate_or_throw(STDOUT_FILENO, "standard output"), STDOUT_FILENO);
}

}  // namespace tcpkit
