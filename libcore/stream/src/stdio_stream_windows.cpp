// Standard input, output and files on Windows, where Asio has no stream for standard input:
// a thread reads it and hands over one chunk at a time.
#include "tcpkit/stream/stdio_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "tcpkit/base/errors.h"

namespace tcpkit {
namespace {

// A thread reads the handle with blocking calls, one chunk at a time on request, and wakes the
// event loop through a timer used as a signal. State is shared so the thread may outlive us
// while blocked in a console read; once we are gone it touches neither the timer nor the
// executor (the io_context may be gone too), and it closes the handle if it is ours.
class ThreadedHandleInput final : public InputStream {
  public:
    ThreadedHandleInput(const asio::any_io_executor& executor, HANDLE handle, bool owns_handle)
        : wake_(executor), shared_(std::make_shared<Shared>(executor)) {
        shared_->handle = handle;
        shared_->owns_handle = owns_handle;
        DWORD mode = 0;
        shared_->console = GetConsoleMode(handle, &mode) != 0;
        shared_->wake = &wake_;
        std::thread([shared = shared_] { reader_thread(shared); }).detach();
    }
    ~ThreadedHandleInput() override {
        std::lock_guard lock(shared_->mutex);
        shared_->abandoned = true;
        shared_->wake = nullptr;
        shared_->condition.notify_all();
    }

    asio::awaitable<std::size_t> read_some(std::span<char> buffer) override {
        {
            std::lock_guard lock(shared_->mutex);
            if (shared_->finished && !shared_->ready) {
                co_return 0;  // asked again after the end: still the end
            }
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
                wake_.expires_at(asio::steady_timer::time_point::max());
            }
            std::error_code ignored;
            co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
            auto state = co_await asio::this_coro::cancellation_state;
            if (state.cancelled() != asio::cancellation_type::none) {
                throw std::system_error(asio::error::operation_aborted);
            }
        }
    }

    // The reader thread reads only when asked, so before the first read (when the relay asks)
    // the handle's position is where our reading will start.
    std::optional<std::uint64_t> known_size() const override {
        HANDLE handle = shared_->handle;
        if (GetFileType(handle) != FILE_TYPE_DISK) {
            return std::nullopt;
        }
        LARGE_INTEGER size{};
        LARGE_INTEGER position{};
        LARGE_INTEGER no_move{};
        if (!GetFileSizeEx(handle, &size) ||
            !SetFilePointerEx(handle, no_move, &position, FILE_CURRENT) ||
            position.QuadPart > size.QuadPart) {
            return std::nullopt;
        }
        return static_cast<std::uint64_t>(size.QuadPart - position.QuadPart);
    }

  private:
    struct Shared {
        explicit Shared(const asio::any_io_executor& loop) : executor(loop) {}
        asio::any_io_executor executor;
        // Ours, used on the loop's thread only; null once we are gone.
        asio::steady_timer* wake = nullptr;
        HANDLE handle = nullptr;
        bool owns_handle = false;
        bool console = false;
        std::mutex mutex;
        std::condition_variable condition;
        std::size_t wanted = 0;
        bool ready = false;
        bool finished = false;
        bool abandoned = false;
        std::string chunk;
        std::error_code error;
    };

    // One blocking read. A console needs two corrections: Ctrl+C makes a pending read return
    // nothing with ERROR_OPERATION_ABORTED, which is not the end of input (the SIGINT handler
    // decides), and Ctrl+Z at the start of a line is the end of input, as for any Windows tool.
    static std::error_code read_chunk(Shared& shared, std::string& chunk, std::size_t wanted) {
        for (;;) {
            chunk.resize(wanted);
            DWORD count = 0;
            SetLastError(ERROR_SUCCESS);
            BOOL read =
                ReadFile(shared.handle, chunk.data(), static_cast<DWORD>(wanted), &count, nullptr);
            DWORD code = GetLastError();
            chunk.resize(read ? count : 0);
            if (shared.console && chunk.empty() && code == ERROR_OPERATION_ABORTED) {
                std::lock_guard lock(shared.mutex);
                if (shared.abandoned) {
                    return {};
                }
                continue;
            }
            if (!read) {
                // A closed pipe is the end of input, not an error.
                if (code == ERROR_BROKEN_PIPE || code == ERROR_HANDLE_EOF) {
                    return {};
                }
                return std::error_code(static_cast<int>(code), std::system_category());
            }
            if (shared.console && !chunk.empty() && chunk.front() == '\x1a') {
                chunk.clear();
            }
            return {};
        }
    }

    static void reader_thread(std::shared_ptr<Shared> shared) {
        std::string chunk;
        for (;;) {
            std::size_t wanted = 0;
            {
                std::unique_lock lock(shared->mutex);
                shared->condition.wait(lock,
                                       [&] { return shared->wanted > 0 || shared->abandoned; });
                if (shared->abandoned) {
                    break;
                }
                wanted = std::exchange(shared->wanted, 0);
            }
            std::error_code error = read_chunk(*shared, chunk, wanted);
            bool last = chunk.empty();
            {
                std::lock_guard lock(shared->mutex);
                if (shared->abandoned) {
                    break;
                }
                shared->chunk.swap(chunk);
                shared->error = error;
                shared->ready = true;
                shared->finished = last;
                asio::post(shared->executor, [shared] {
                    std::lock_guard lock(shared->mutex);
                    if (shared->wake != nullptr) {
                        shared->wake->cancel();
                    }
                });
            }
            if (last) {
                break;
            }
        }
        if (shared->owns_handle) {
            CloseHandle(shared->handle);
        }
    }

    asio::steady_timer wake_;
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
                DWORD code = GetLastError();
                // The reader has gone: broken_pipe, as the interface promises (and POSIX says).
                if (code == ERROR_NO_DATA || code == ERROR_BROKEN_PIPE ||
                    code == ERROR_PIPE_NOT_CONNECTED) {
                    throw std::system_error(asio::error::broken_pipe);
                }
                throw std::system_error(static_cast<int>(code), std::system_category());
            }
            bytes.remove_prefix(written);
        }
        co_return;
    }

  private:
    HANDLE handle_;
};

}  // namespace

std::unique_ptr<InputStream> InputStream::standard_input(const asio::any_io_executor& executor) {
    _setmode(_fileno(stdin), _O_BINARY);  // or CR LF pairs and 0x1A bytes are mangled
    return std::make_unique<ThreadedHandleInput>(executor, GetStdHandle(STD_INPUT_HANDLE), false);
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
    return std::make_unique<ThreadedHandleInput>(executor, handle, true);
}

void prepare_stdout_for_lines() {
    _setmode(_fileno(stdout), _O_BINARY);
}

std::unique_ptr<OutputStream> OutputStream::standard_output(const asio::any_io_executor&) {
    _setmode(_fileno(stdout), _O_BINARY);
    return std::make_unique<HandleOutput>(GetStdHandle(STD_OUTPUT_HANDLE));
}

}  // namespace tcpkit
