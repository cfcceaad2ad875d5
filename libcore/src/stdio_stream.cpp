#include "tcpkit/stdio_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <system_error>

#include <asio/buffer.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "tcpkit/errors.h"

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#else
#include <fcntl.h>
#include <unistd.h>

#include <asio/posix/stream_descriptor.hpp>
#endif

namespace tcpkit {
namespace {

class StringInput final : public InputStream {
  public:
    explicit StringInput(std::string bytes) : bytes_(std::move(bytes)) {}

    asio::awaitable<std::size_t> read_some(std::span<char> buffer) override {
        std::size_t count = std::min(buffer.size(), bytes_.size() - position_);
        std::memcpy(buffer.data(), bytes_.data() + position_, count);
        position_ += count;
        co_return count;
    }

  private:
    std::string bytes_;
    std::size_t position_ = 0;
};

#ifndef _WIN32

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
        : saved_flags_(shared_fd), stream_(executor, fd) {}

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

  private:
    SavedDescriptorFlags saved_flags_;  // destroyed after stream_, which closes the dup
    asio::posix::stream_descriptor stream_;
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

#else  // _WIN32

// A thread reads the handle with blocking calls, one chunk at a time on request, and wakes the
// event loop through a timer used as a signal. State is shared so the thread may outlive us
// while blocked in a console read.
class ThreadedHandleInput final : public InputStream {
  public:
    ThreadedHandleInput(const asio::any_io_executor& executor, HANDLE handle)
        : shared_(std::make_shared<Shared>(executor)) {
        shared_->handle = handle;
        std::thread([shared = shared_] { reader_thread(shared); }).detach();
    }
    ~ThreadedHandleInput() override {
        std::lock_guard lock(shared_->mutex);
        shared_->abandoned = true;
        shared_->condition.notify_all();
    }

    asio::awaitable<std::size_t> read_some(std::span<char> buffer) override {
        {
            std::lock_guard lock(shared_->mutex);
            shared_->wanted = buffer.size();
            shared_->condition.notify_all();
        }
        for (;;) {
            {
                std::lock_guard lock(shared_->mutex);
                if (shared_->ready) {
                    shared_->ready = false;
                    if (shared_->error) {
                        throw std::system_error(shared_->error);
                    }
                    std::size_t count = std::min(buffer.size(), shared_->chunk.size());
                    std::memcpy(buffer.data(), shared_->chunk.data(), count);
                    co_return count;
                }
                shared_->wake.expires_at(asio::steady_timer::time_point::max());
            }
            std::error_code ignored;
            co_await shared_->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
            auto state = co_await asio::this_coro::cancellation_state;
            if (state.cancelled() != asio::cancellation_type::none) {
                throw std::system_error(asio::error::operation_aborted);
            }
        }
    }

  private:
    struct Shared {
        explicit Shared(const asio::any_io_executor& executor) : wake(executor) {}
        HANDLE handle = nullptr;
        std::mutex mutex;
        std::condition_variable condition;
        std::size_t wanted = 0;
        bool ready = false;
        bool abandoned = false;
        std::string chunk;
        std::error_code error;
        asio::steady_timer wake;
    };

    static void reader_thread(std::shared_ptr<Shared> shared) {
        std::string chunk;
        for (;;) {
            std::size_t wanted = 0;
            {
                std::unique_lock lock(shared->mutex);
                shared->condition.wait(lock,
                                       [&] { return shared->wanted > 0 || shared->abandoned; });
                if (shared->abandoned) {
                    return;
                }
                wanted = std::exchange(shared->wanted, 0);
            }
            chunk.resize(wanted);
            DWORD count = 0;
            std::error_code error;
            if (!ReadFile(shared->handle, chunk.data(), static_cast<DWORD>(wanted), &count,
                          nullptr)) {
                DWORD code = GetLastError();
                // A closed pipe is the end of input, not an error.
                if (code != ERROR_BROKEN_PIPE && code != ERROR_HANDLE_EOF) {
                    error = std::error_code(static_cast<int>(code), std::system_category());
                }
                count = 0;
            }
            chunk.resize(count);
            std::lock_guard lock(shared->mutex);
            shared->chunk.swap(chunk);
            shared->error = error;
            shared->ready = true;
            asio::post(shared->wake.get_executor(), [shared] { shared->wake.cancel(); });
            if (count == 0) {
                return;
            }
        }
    }

    std::shared_ptr<Shared> shared_;
};

class HandleOutput final : public OutputStream {
  public:
    explicit HandleOutput(HANDLE handle) : handle_(handle) {}

    // Blocking writes: a console or pipe on Windows has no asynchronous stream in Asio.
    asio::awaitable<void> write_all(std::string_view bytes) override {
        while (!bytes.empty()) {
            DWORD written = 0;
            if (!WriteFile(handle_, bytes.data(),
                           static_cast<DWORD>(std::min<std::size_t>(bytes.size(), 1 << 20)),
                           &written, nullptr)) {
                throw std::system_error(static_cast<int>(GetLastError()), std::system_category());
            }
            bytes.remove_prefix(written);
        }
        co_return;
    }

  private:
    HANDLE handle_;
};

#endif

}  // namespace

std::unique_ptr<InputStream> InputStream::from_string(std::string bytes) {
    return std::make_unique<StringInput>(std::move(bytes));
}

#ifndef _WIN32

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

#else

std::unique_ptr<InputStream> InputStream::standard_input(const asio::any_io_executor& executor) {
    _setmode(_fileno(stdin), _O_BINARY);  // or CR LF pairs and 0x1A bytes are mangled
    return std::make_unique<ThreadedHandleInput>(executor, GetStdHandle(STD_INPUT_HANDLE));
}

std::unique_ptr<InputStream> InputStream::open_file(const asio::any_io_executor& executor,
                                                    const std::string& path) {
    HANDLE handle = CreateFileA(path.c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                                FILE_ATTRIBUTE_NORMAL, nullptr);
    if (handle == INVALID_HANDLE_VALUE) {
        throw UsageError(
            fmt::format("cannot open '{}': {}", path,
                        std::system_category().message(static_cast<int>(GetLastError()))));
    }
    return std::make_unique<ThreadedHandleInput>(executor, handle);
}

std::unique_ptr<OutputStream> OutputStream::standard_output(const asio::any_io_executor&) {
    _setmode(_fileno(stdout), _O_BINARY);
    return std::make_unique<HandleOutput>(GetStdHandle(STD_OUTPUT_HANDLE));
}

#endif

}  // namespace tcpkit
