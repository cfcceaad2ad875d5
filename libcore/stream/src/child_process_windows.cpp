// Child processes on Windows: CreateProcessW with the child's standard handles on named pipes.
// Our ends are overlapped, so that Asio's windows::stream_handle reads and writes them through
// the io_context's completion port; the child's ends are plain (programs expect synchronous
// handles) and are the only handles it inherits. Winsock sockets are inheritable by default and
// Asio does not change that: without PROC_THREAD_ATTRIBUTE_HANDLE_LIST a child would hold the
// listening socket and the other clients' connections (a connection would then never see its
// FIN). Each child runs in a job object of its own, so that ending it also ends what cmd.exe
// started, and the job's last handle, closed when the server exits however it exits, kills
// whatever is still in it.
#include "tcpkit/stream/child_process.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <cwctype>
#include <system_error>

#include <windows.h>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/windows/stream_handle.hpp>
#include <asio/write.hpp>

#include "tcpkit/base/errors.h"

namespace tcpkit {
namespace {

using Clock = std::chrono::steady_clock;

// After its output closed, a child that is exiting by itself gets this long before it is
// terminated, so that its own exit status is the one logged.
constexpr Milliseconds exit_by_itself{200};
// How often an ending child is checked: a wait on the process handle would need a thread (or a
// windows::object_handle per child); a poll costs nothing while children run.
constexpr Milliseconds exit_poll{10};
// How long TerminateJobObject may take to end the child: it returns before the process is gone.
constexpr DWORD termination_wait_ms = 5000;
// The exit status a terminated child gets.
constexpr UINT terminated_status = 1;
// Each pipe holds this much, as a POSIX pipe does.
constexpr DWORD pipe_buffer_bytes = 64 * 1024;
// wait_readable() reads ahead into a buffer of this size (stream_handle has no readiness wait).
constexpr std::size_t read_ahead_bytes = 16 * 1024;

// Owns one handle until it is handed over.
class Handle {
  public:
    Handle() = default;
    explicit Handle(HANDLE handle) : handle_(handle == INVALID_HANDLE_VALUE ? nullptr : handle) {}
    Handle(Handle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
    Handle& operator=(Handle&& other) noexcept {
        reset();
        handle_ = std::exchange(other.handle_, nullptr);
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }

    HANDLE get() const { return handle_; }
    HANDLE release() { return std::exchange(handle_, nullptr); }
    explicit operator bool() const { return handle_ != nullptr; }
    void reset() {
        if (handle_ != nullptr) {
            CloseHandle(handle_);
            handle_ = nullptr;
        }
    }

  private:
    HANDLE handle_ = nullptr;
};

// Asio's system category words Windows errors with FormatMessage, as describe() expects.
std::system_error last_error(const std::string& what) {
    return std::system_error(static_cast<int>(GetLastError()), asio::error::get_system_category(),
                             what);
}

std::wstring widen(std::string_view text) {
    if (text.empty()) {
        return {};
    }
    int size =
        MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
    std::wstring wide(static_cast<std::size_t>(size), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), wide.data(), size);
    return wide;
}

struct Pipe {
    Handle ours;   // overlapped, for Asio
    Handle child;  // synchronous and inheritable, for the child's standard handle
};

// A named pipe, since anonymous pipes cannot be overlapped. The name is unique to this
// process and pipe, and the first instance flag makes sure that nobody else created it.
Pipe make_pipe(bool child_reads) {
    static std::atomic<unsigned> pipes_made{0};
    std::wstring name = widen(
        fmt::format(R"(\\.\pipe\tcpkit-{}-{})", GetCurrentProcessId(), pipes_made.fetch_add(1)));
    DWORD direction = child_reads ? PIPE_ACCESS_OUTBOUND : PIPE_ACCESS_INBOUND;
    Pipe pipe;
    pipe.ours = Handle(CreateNamedPipeW(
        name.c_str(), direction | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
        PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1,
        pipe_buffer_bytes, pipe_buffer_bytes, 0, nullptr));
    if (!pipe.ours) {
        throw last_error("cannot create a pipe");
    }
    SECURITY_ATTRIBUTES inheritable{};
    inheritable.nLength = sizeof inheritable;
    inheritable.bInheritHandle = TRUE;
    pipe.child = Handle(CreateFileW(name.c_str(), child_reads ? GENERIC_READ : GENERIC_WRITE, 0,
                                    &inheritable, OPEN_EXISTING, 0, nullptr));
    if (!pipe.child) {
        throw last_error("cannot open a pipe");
    }
    return pipe;
}

bool has_extension(const std::wstring& name) {
    std::size_t last_separator = name.find_last_of(L"\\/:");
    std::size_t dot = name.rfind(L'.');
    return dot != std::wstring::npos &&
           (last_separator == std::wstring::npos || dot > last_separator);
}

bool exists(const std::wstring& path) {
    return GetFileAttributesW(path.c_str()) != INVALID_FILE_ATTRIBUTES;
}

bool is_file(const std::wstring& path) {
    DWORD attributes = GetFileAttributesW(path.c_str());
    return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) == 0;
}

std::wstring full_path(const std::wstring& path) {
    DWORD size = GetFullPathNameW(path.c_str(), 0, nullptr, nullptr);
    if (size == 0) {
        return path;
    }
    std::wstring full(size, L'\0');
    size = GetFullPathNameW(path.c_str(), size, full.data(), nullptr);
    full.resize(size);
    return full;
}

// The file CreateProcessW should run, searched here so that what check_program() accepts is
// what runs: `program` itself when it names a directory (whether or not it exists, as on POSIX),
// else the first match in PATH; `.exe` is tried when the name has no extension, as
// CreateProcess does. Unlike CreateProcess, neither
// our own directory nor the current one is searched first: PATH only, as on POSIX.
std::wstring find_program(const std::string& program) {
    std::wstring name = widen(program);
    if (name.empty()) {
        return {};
    }
    if (name.find_first_of(L"\\/:") != std::wstring::npos) {
        if (!exists(name) && !has_extension(name) && exists(name + L".exe")) {
            return full_path(name + L".exe");
        }
        return full_path(name);
    }
    DWORD path_size = GetEnvironmentVariableW(L"PATH", nullptr, 0);
    std::wstring path(path_size, L'\0');
    path.resize(GetEnvironmentVariableW(L"PATH", path.data(), path_size));
    if (path.empty()) {
        return {};
    }
    std::wstring found(MAX_PATH, L'\0');
    for (;;) {
        DWORD size = SearchPathW(path.c_str(), name.c_str(), L".exe",
                                 static_cast<DWORD>(found.size()), found.data(), nullptr);
        if (size == 0) {
            return {};
        }
        if (size < found.size()) {
            found.resize(size);
            return found;
        }
        found.resize(size);  // too small: size is what it needs, with the terminator
    }
}

bool equals_ignoring_case(std::wstring_view a, std::wstring_view b) {
    return CompareStringOrdinal(a.data(), static_cast<int>(a.size()), b.data(),
                                static_cast<int>(b.size()), TRUE) == CSTR_EQUAL;
}

// argv[0] as the C runtime reads it: up to the next space unless quoted, no escapes.
void append_program_name(std::wstring& line, const std::wstring& name) {
    if (name.find_first_of(L" \t") == std::wstring::npos && !name.empty()) {
        line += name;
    } else {
        line += L'"';
        line += name;
        line += L'"';
    }
}

// One argument as the Microsoft C runtime (and CommandLineToArgvW) splits it back: quoted if it
// is empty or has a blank or a quote; inside quotes, backslashes are literal except before a
// quote (or the closing one), where each must be doubled and the quote escaped.
void append_argument(std::wstring& line, const std::wstring& argument) {
    if (!argument.empty() && argument.find_first_of(L" \t\n\v\"") == std::wstring::npos) {
        line += argument;
        return;
    }
    line += L'"';
    std::size_t backslashes = 0;
    for (wchar_t c : argument) {
        if (c == L'\\') {
            ++backslashes;
            continue;
        }
        line.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
        backslashes = 0;
        line += c;
    }
    line.append(backslashes * 2, L'\\');
    line += L'"';
}

bool is_cmd(const std::wstring& program) {
    std::size_t separator = program.find_last_of(L"\\/:");
    std::wstring_view base(program);
    if (separator != std::wstring::npos) {
        base.remove_prefix(separator + 1);
    }
    return equals_ignoring_case(base, L"cmd.exe") || equals_ignoring_case(base, L"cmd");
}

// The command line CreateProcessW passes on, from the argument vector. cmd.exe does not split
// its command line by the C runtime's rules: what follows its /c (or /k) is a command, passed
// as it was written, so those arguments go on unquoted (shell_command() quotes the command
// for cmd.exe's /s).
std::wstring command_line(const std::vector<std::string>& arguments) {
    std::wstring line;
    std::wstring program = widen(arguments.at(0));
    append_program_name(line, program);
    bool verbatim = false;
    for (std::size_t i = 1; i < arguments.size(); ++i) {
        std::wstring argument = widen(arguments[i]);
        line += L' ';
        if (verbatim) {
            line += argument;
            continue;
        }
        append_argument(line, argument);
        if (is_cmd(program) &&
            (equals_ignoring_case(argument, L"/c") || equals_ignoring_case(argument, L"/k"))) {
            verbatim = true;
        }
    }
    return line;
}

// A variable's name: up to the first '=' after the first character (the hidden per-drive
// variables are named "=C:").
std::wstring_view variable_name(std::wstring_view entry) {
    return entry.substr(0, entry.find(L'=', 1));
}

// The server's environment with `extra` added or replacing (names are case-insensitive on
// Windows), as the block CreateProcessW takes: `NAME=value\0...\0\0` in UTF-16, sorted by name
// without regard to case, as Windows keeps it.
std::wstring environment_block(const std::vector<std::pair<std::string, std::string>>& extra) {
    std::vector<std::wstring> entries;
    for (const auto& [name, value] : extra) {
        entries.push_back(widen(name) + L'=' + widen(value));
    }
    std::size_t added = entries.size();
    if (wchar_t* inherited = GetEnvironmentStringsW(); inherited != nullptr) {
        for (const wchar_t* entry = inherited; *entry != L'\0'; entry += std::wcslen(entry) + 1) {
            std::wstring_view name = variable_name(entry);
            bool replaced = std::any_of(entries.begin(), entries.begin() + added,
                                        [&](const std::wstring& mine) {
                                            return equals_ignoring_case(variable_name(mine), name);
                                        });
            if (!replaced) {
                entries.emplace_back(entry);
            }
        }
        FreeEnvironmentStringsW(inherited);
    }
    std::stable_sort(
        entries.begin(), entries.end(), [](const std::wstring& a, const std::wstring& b) {
            std::wstring_view x = variable_name(a);
            std::wstring_view y = variable_name(b);
            return CompareStringOrdinal(x.data(), static_cast<int>(x.size()), y.data(),
                                        static_cast<int>(y.size()), TRUE) == CSTR_LESS_THAN;
        });
    std::wstring block;
    for (const auto& entry : entries) {
        block += entry;
        block += L'\0';
    }
    block += L'\0';
    return block;
}

// Our standard error as a handle the child can inherit (ours may not be inheritable), or
// nothing when we have none.
Handle inheritable_stderr() {
    HANDLE ours = GetStdHandle(STD_ERROR_HANDLE);
    if (ours == nullptr || ours == INVALID_HANDLE_VALUE) {
        return {};
    }
    HANDLE copy = nullptr;
    if (!DuplicateHandle(GetCurrentProcess(), ours, GetCurrentProcess(), &copy, 0, TRUE,
                         DUPLICATE_SAME_ACCESS)) {
        return {};
    }
    return Handle(copy);
}

Handle make_job() {
    Handle job(CreateJobObjectW(nullptr, nullptr));
    if (!job) {
        throw last_error("cannot create a job object");
    }
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits,
                                 sizeof limits)) {
        throw last_error("cannot set up a job object");
    }
    return job;
}

std::string describe_exit(DWORD status, bool terminated) {
    if (terminated) {
        return "terminated";
    }
    // NTSTATUS codes (a crash: 0xC0000005) read better in hex.
    if (status >= 0xC0000000U) {
        return fmt::format("exited with status 0x{:08X}", status);
    }
    return fmt::format("exited with status {}", status);
}

// A read's end of file: the child (and every process holding its end) closed the pipe, which
// Asio reports as ERROR_BROKEN_PIPE rather than eof.
void map_end_of_file(std::error_code& error) {
    if (error.value() == ERROR_BROKEN_PIPE &&
        error.category() == asio::error::get_system_category()) {
        error = asio::error::eof;
    }
}

}  // namespace

struct ChildProcessStream::Platform {
    explicit Platform(const asio::any_io_executor& executor)
        : to_child(executor), from_child(executor) {}

    // True once the child has exited; `status` then says how.
    bool try_reap() {
        if (exited) {
            return true;
        }
        if (WaitForSingleObject(process.get(), 0) == WAIT_OBJECT_0) {
            GetExitCodeProcess(process.get(), &status);
            exited = true;
        }
        return exited;
    }

    // Ends the child and everything it started (TerminateJobObject), and waits for it.
    void terminate() {
        if (job) {
            TerminateJobObject(job.get(), terminated_status);
        } else {
            TerminateProcess(process.get(), terminated_status);
        }
        WaitForSingleObject(process.get(), termination_wait_ms);
        GetExitCodeProcess(process.get(), &status);
        exited = true;
        terminated = true;
    }

    // Bytes read ahead by wait_readable(): has_buffered_input() then says so, and reads
    // return them first.
    std::size_t take_read_ahead(std::span<char> buffer) {
        std::size_t count = std::min(buffer.size(), read_ahead_end - read_ahead_begin);
        std::memcpy(buffer.data(), read_ahead.data() + read_ahead_begin, count);
        read_ahead_begin += count;
        if (read_ahead_begin == read_ahead_end) {
            read_ahead_begin = read_ahead_end = 0;
        }
        return count;
    }
    bool holds_read_ahead() const { return read_ahead_end > read_ahead_begin; }

    asio::windows::stream_handle to_child;    // the child's standard input
    asio::windows::stream_handle from_child;  // the child's standard output
    Handle process;
    Handle job;
    DWORD pid = 0;
    DWORD status = 0;
    bool exited = false;
    bool terminated = false;
    bool output_ended = false;
    std::vector<char> read_ahead;
    std::size_t read_ahead_begin = 0;
    std::size_t read_ahead_end = 0;
    std::error_code read_ahead_error;  // what the read after the bytes ahead reported
};

std::vector<std::string> shell_command(const std::string& command) {
    // /d: without the AutoRun commands of the registry, as `sh -c` reads no profile. /s: cmd.exe
    // then removes just the outer quotes, whatever the command holds (without it, quotes
    // inside change how it reads the line).
    return {"cmd.exe", "/d", "/s", "/c", fmt::format("\"{}\"", command)};
}

void check_program(const std::string& program) {
    std::wstring path = find_program(program);
    if (path.empty()) {
        throw UsageError(fmt::format("--exec: '{}' is not found in PATH", program));
    }
    if (!is_file(path)) {
        throw UsageError(fmt::format("--exec: '{}' is not an executable file", program));
    }
}

ChildProcessStream::ChildProcessStream(const asio::any_io_executor& executor,
                                       const ChildCommand& command)
    : platform_(std::make_unique<Platform>(executor)) {
    const std::string& program = command.arguments.at(0);
    std::wstring path = find_program(program);
    if (!is_file(path)) {
        throw std::system_error(ERROR_FILE_NOT_FOUND, asio::error::get_system_category(),
                                fmt::format("cannot run '{}'", program));
    }
    std::wstring line = command_line(command.arguments);
    std::wstring environment = environment_block(command.environment);

    Pipe input = make_pipe(true);
    Pipe output = make_pipe(false);
    Handle error_output = command.stderr_to_stdout ? Handle() : inheritable_stderr();
    HANDLE child_stderr = command.stderr_to_stdout ? output.child.get() : error_output.get();

    // The child inherits these and nothing else (a handle may be listed only once).
    std::vector<HANDLE> inherited = {input.child.get(), output.child.get()};
    if (error_output) {
        inherited.push_back(error_output.get());
    }
    SIZE_T list_size = 0;
    InitializeProcThreadAttributeList(nullptr, 1, 0, &list_size);
    std::vector<char> list_storage(list_size);
    auto* attributes = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(list_storage.data());
    if (!InitializeProcThreadAttributeList(attributes, 1, 0, &list_size)) {
        throw last_error(fmt::format("cannot start '{}'", program));
    }
    struct AttributeList {
        LPPROC_THREAD_ATTRIBUTE_LIST list;
        ~AttributeList() { DeleteProcThreadAttributeList(list); }
    } attribute_list{attributes};
    if (!UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                                   inherited.data(), inherited.size() * sizeof(HANDLE), nullptr,
                                   nullptr)) {
        throw last_error(fmt::format("cannot start '{}'", program));
    }

    STARTUPINFOEXW startup{};
    startup.StartupInfo.cb = sizeof startup;
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    startup.StartupInfo.hStdInput = input.child.get();
    startup.StartupInfo.hStdOutput = output.child.get();
    startup.StartupInfo.hStdError = child_stderr;
    startup.lpAttributeList = attributes;
    // Suspended until it is in its job, so that nothing it starts escapes the job. A process
    // group of its own: the child starts with Ctrl+C ignored, so that a Ctrl+C at a console it
    // shares with us stops the server, which then ends its children itself (a Ctrl+Break still
    // reaches them). Without a console of ours, the child gets none either, rather than a
    // window of its own.
    DWORD flags = EXTENDED_STARTUPINFO_PRESENT | CREATE_UNICODE_ENVIRONMENT | CREATE_SUSPENDED |
                  CREATE_NEW_PROCESS_GROUP;
    if (GetConsoleWindow() == nullptr) {
        flags |= CREATE_NO_WINDOW;
    }
    // Made first: a child left suspended by a failure after CreateProcessW would never end.
    Handle job = make_job();
    PROCESS_INFORMATION started{};
    if (!CreateProcessW(path.c_str(), line.data(), nullptr, nullptr, TRUE, flags,
                        environment.data(), nullptr, &startup.StartupInfo, &started)) {
        throw last_error(fmt::format("cannot run '{}'", program));
    }
    Platform& child = *platform_;
    child.process = Handle(started.hProcess);
    Handle thread(started.hThread);
    child.pid = started.dwProcessId;
    child.job = std::move(job);
    if (!AssignProcessToJobObject(child.job.get(), child.process.get())) {
        auto failure = last_error(fmt::format("cannot start '{}'", program));
        TerminateProcess(child.process.get(), terminated_status);
        WaitForSingleObject(child.process.get(), termination_wait_ms);
        child.exited = true;
        throw failure;
    }
    ResumeThread(thread.get());
    // The child has its copies: ours of its ends must go, or its output would never end.
    input.child.reset();
    output.child.reset();
    error_output.reset();
    child.to_child.assign(input.ours.release());
    child.from_child.assign(output.ours.release());
    peer_ = fmt::format("process {} ({})", child.pid, program);
}

ChildProcessStream::~ChildProcessStream() {
    if (platform_->process && !platform_->try_reap()) {
        platform_->terminate();
    }
    // Closing the job (its Handle) kills whatever the child left running in it.
}

int ChildProcessStream::pid() const {
    return static_cast<int>(platform_->pid);
}

asio::awaitable<std::string> ChildProcessStream::finish(Milliseconds grace) {
    Platform& child = *platform_;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto wait_for_exit = [&](Milliseconds limit) -> asio::awaitable<bool> {
        auto deadline = Clock::now() + limit;
        while (!child.try_reap() && Clock::now() < deadline) {
            timer.expires_after(exit_poll);
            std::error_code ignored;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
        co_return child.exited;
    };
    if (child.output_ended && co_await wait_for_exit(exit_by_itself)) {
        co_return describe_exit(child.status, false);
    }
    // Windows has no SIGTERM: nothing asks a program without a console of ours to exit (a
    // console control event reaches only processes on our console, and not one in a process
    // group of its own). Closing its pipes is how most programs learn to stop (end of input,
    // a failed write): nothing more is read or written by now, so both close, and it gets
    // `grace` to exit, then TerminateJobObject.
    close();
    if (!co_await wait_for_exit(grace)) {
        child.terminate();
    }
    co_return describe_exit(child.status, child.terminated);
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
    Platform& child = *platform_;
    if (child.holds_read_ahead()) {
        co_return child.take_read_ahead(buffer);
    }
    if (child.read_ahead_error) {
        error = child.read_ahead_error;
        co_return 0;
    }
    auto token = asio::redirect_error(asio::use_awaitable, error);
    auto into = asio::buffer(buffer.data(), buffer.size());
    std::size_t count = 0;
    if (cancel.is_connected()) {
        count = co_await child.from_child.async_read_some(
            into, asio::bind_cancellation_slot(cancel, token));
    } else {
        count = co_await child.from_child.async_read_some(into, token);
    }
    map_end_of_file(error);
    if (error == asio::error::eof) {
        child.output_ended = true;
    }
    co_return count;
}

bool ChildProcessStream::has_buffered_input() const {
    return platform_->holds_read_ahead() || platform_->read_ahead_error;
}

// A stream_handle cannot wait for readiness: this reads ahead into a buffer of our own, which
// read_available() then drains (and which has_buffered_input() reports meanwhile).
asio::awaitable<void> ChildProcessStream::wait_readable(std::error_code& error,
                                                        asio::cancellation_slot cancel) {
    Platform& child = *platform_;
    if (has_buffered_input()) {
        co_return;
    }
    child.read_ahead.resize(read_ahead_bytes);
    std::error_code read_error;
    std::size_t count = co_await read_some(child.read_ahead, read_error, cancel);
    child.read_ahead_begin = 0;
    child.read_ahead_end = count;
    if (read_error == asio::error::operation_aborted && count == 0) {
        error = read_error;  // cancelled: nothing to report later
    } else if (read_error) {
        child.read_ahead_error = read_error;
    }
}

std::size_t ChildProcessStream::read_available(std::span<char> buffer, std::error_code& error) {
    Platform& child = *platform_;
    if (child.holds_read_ahead()) {
        return child.take_read_ahead(buffer);
    }
    if (child.read_ahead_error) {
        error = child.read_ahead_error;
        return 0;
    }
    error = asio::error::would_block;
    return 0;
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
