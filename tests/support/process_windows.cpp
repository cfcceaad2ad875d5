// Windows version of process.cpp: CreateProcess with anonymous pipes on the standard streams.
//
// Anonymous pipes cannot be polled, so output is collected by peeking (PeekNamedPipe) every
// millisecond, and writes to the child's standard input run on a thread of their own while the
// outputs are drained, as poll() lets the POSIX version do. Handles are kept in the int fields
// of process.h: Windows handles always fit in 32 bits (HandleToLong/LongToHandle), and -1 is
// INVALID_HANDLE_VALUE. pid_ holds the process handle.
#include "process.h"

#ifndef NOMINMAX
#define NOMINMAX 1
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN 1
#endif
#include <windows.h>

#include <psapi.h>  // after windows.h, which it needs

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace tcpkit::test {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what);
}

[[noreturn]] void fail_with_last_error(const char* what) {
    throw std::system_error(static_cast<int>(GetLastError()), std::system_category(), what);
}

HANDLE to_handle(long long value) {
    return value == -1 ? INVALID_HANDLE_VALUE : LongToHandle(static_cast<long>(value));
}

int from_handle(HANDLE handle) {
    return HandleToLong(handle);
}

void close_handle(int& fd) {
    if (fd != -1) {
        CloseHandle(to_handle(fd));
        fd = -1;
    }
}

int remaining_ms(Clock::time_point deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

std::wstring widen(const std::string& text) {
    if (text.empty()) {
        return {};
    }
    int length =
        MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
    std::wstring wide(static_cast<std::size_t>(length), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), wide.data(),
                        length);
    return wide;
}

// One argument quoted so that the child's C runtime splits the command line back into it
// (backslashes are literal except before a quote).
std::wstring quote_argument(const std::wstring& argument) {
    if (!argument.empty() && argument.find_first_of(L" \t\n\v\"") == std::wstring::npos) {
        return argument;
    }
    std::wstring quoted = L"\"";
    for (auto it = argument.begin();; ++it) {
        std::size_t backslashes = 0;
        while (it != argument.end() && *it == L'\\') {
            ++it;
            ++backslashes;
        }
        if (it == argument.end()) {
            quoted.append(backslashes * 2, L'\\');
            break;
        }
        if (*it == L'"') {
            quoted.append(backslashes * 2 + 1, L'\\');
        } else {
            quoted.append(backslashes, L'\\');
        }
        quoted.push_back(*it);
    }
    quoted.push_back(L'"');
    return quoted;
}

std::wstring command_line(const std::vector<std::string>& args) {
    std::wstring line;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::wstring argument = widen(args[i]);
        if (i == 0) {
            std::replace(argument.begin(), argument.end(), L'/', L'\\');
        }
        if (i > 0) {
            line.push_back(L' ');
        }
        line += quote_argument(argument);
    }
    return line;
}

// Both ends are inheritable at first; the parent's end is then made private to the parent.
void make_pipe(HANDLE& read_end, HANDLE& write_end, bool parent_reads) {
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    if (!CreatePipe(&read_end, &write_end, &inherit, 65536)) {
        fail_with_last_error("CreatePipe");
    }
    SetHandleInformation(parent_reads ? read_end : write_end, HANDLE_FLAG_INHERIT, 0);
}

HANDLE open_inheritable(const std::string& path, bool for_writing) {
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    HANDLE handle =
        CreateFileW(widen(path).c_str(), for_writing ? GENERIC_WRITE : GENERIC_READ,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &inherit,
                    for_writing ? CREATE_ALWAYS : OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (handle == INVALID_HANDLE_VALUE) {
        fail_with_last_error(("open " + path).c_str());
    }
    return handle;
}

// A blocking write of everything to the child's standard input, on its own thread.
struct StdinWrite {
    HANDLE handle;
    std::string data;
    DWORD error = 0;
};

DWORD WINAPI write_stdin_thread(void* parameter) {
    auto* job = static_cast<StdinWrite*>(parameter);
    std::string_view rest = job->data;
    while (!rest.empty()) {
        DWORD written = 0;
        DWORD piece = static_cast<DWORD>(std::min<std::size_t>(rest.size(), 65536));
        if (!WriteFile(job->handle, rest.data(), piece, &written, nullptr)) {
            job->error = GetLastError();
            return 1;
        }
        rest.remove_prefix(written);
    }
    return 0;
}

}  // namespace

std::string tcpkit_binary() {
    return TCPKIT_BINARY;
}

Process::Process(const std::vector<std::string>& args, const ProcessOptions& options) {
    // Only these handles are inheritable at the moment of CreateProcess; the parent's ends are
    // not, so closing stdin here is an end of input there. (Tests start children from one thread.)
    HANDLE child_in = INVALID_HANDLE_VALUE;
    HANDLE child_out = INVALID_HANDLE_VALUE;
    HANDLE child_err = INVALID_HANDLE_VALUE;
    HANDLE parent_in = INVALID_HANDLE_VALUE;
    HANDLE parent_out = INVALID_HANDLE_VALUE;
    HANDLE parent_err = INVALID_HANDLE_VALUE;
    if (options.stdin_descriptor) {
        // A POSIX descriptor's open file description: the tests that need one are POSIX only.
        throw std::logic_error("ProcessOptions::stdin_descriptor is POSIX only");
    }
    if (options.stdin_file) {
        child_in = open_inheritable(*options.stdin_file, false);
    } else {
        make_pipe(child_in, parent_in, false);
    }
    if (options.stdout_file) {
        child_out = open_inheritable(*options.stdout_file, true);
    } else {
        make_pipe(parent_out, child_out, true);
    }
    make_pipe(parent_err, child_err, true);
    // options.open_file_limit: Windows has no RLIMIT_NOFILE (the test that needs it is left out).

    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = child_in;
    startup.hStdOutput = child_out;
    startup.hStdError = child_err;
    PROCESS_INFORMATION info{};
    std::wstring line = command_line(args);
    BOOL created = CreateProcessW(nullptr, line.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr,
                                  &startup, &info);
    DWORD error = GetLastError();
    CloseHandle(child_in);
    CloseHandle(child_out);
    CloseHandle(child_err);
    if (!created) {
        for (HANDLE handle : {parent_in, parent_out, parent_err}) {
            if (handle != INVALID_HANDLE_VALUE) {
                CloseHandle(handle);
            }
        }
        throw std::system_error(static_cast<int>(error), std::system_category(),
                                "CreateProcess " + args.at(0));
    }
    CloseHandle(info.hThread);
    pid_ = from_handle(info.hProcess);
    stdin_fd_ = parent_in == INVALID_HANDLE_VALUE ? -1 : from_handle(parent_in);
    stdout_fd_ = parent_out == INVALID_HANDLE_VALUE ? -1 : from_handle(parent_out);
    stderr_fd_ = from_handle(parent_err);
}

Process::~Process() {
    if (!status_ && pid_ != -1) {
        TerminateProcess(to_handle(pid_), 137);
        WaitForSingleObject(to_handle(pid_), 5000);
    }
    if (pid_ != -1) {
        CloseHandle(to_handle(pid_));
    }
    close_handle(stdin_fd_);
    close_handle(stdout_fd_);
    close_handle(stderr_fd_);
}

bool Process::pump(Timeout timeout) {
    auto deadline = Clock::now() + timeout;
    char buffer[65536];
    for (;;) {
        if (stdout_fd_ == -1 && stderr_fd_ == -1) {
            return false;
        }
        bool progress = false;
        for (int* fd : {&stdout_fd_, &stderr_fd_}) {
            if (*fd == -1) {
                continue;
            }
            HANDLE handle = to_handle(*fd);
            DWORD available = 0;
            if (!PeekNamedPipe(handle, nullptr, 0, nullptr, &available, nullptr)) {
                close_handle(*fd);  // broken pipe: the child's end is closed
                progress = true;
                continue;
            }
            while (available > 0) {
                DWORD got = 0;
                DWORD wanted = std::min<DWORD>(available, sizeof buffer);
                if (!ReadFile(handle, buffer, wanted, &got, nullptr) || got == 0) {
                    close_handle(*fd);
                    break;
                }
                (fd == &stdout_fd_ ? stdout_ : stderr_).append(buffer, got);
                available -= std::min(available, got);
                progress = true;
            }
        }
        if (progress || Clock::now() >= deadline) {
            return true;
        }
        Sleep(1);
    }
}

void Process::write_stdin(std::string_view data, Timeout timeout) {
    if (stdin_fd_ == -1) {
        fail("the child's standard input is closed");
    }
    auto deadline = Clock::now() + timeout;
    // Shared with the thread, which may outlive a failed test while blocked in WriteFile.
    auto* job = new StdinWrite{to_handle(stdin_fd_), std::string(data)};
    HANDLE thread = CreateThread(nullptr, 0, write_stdin_thread, job, 0, nullptr);
    if (thread == nullptr) {
        delete job;
        fail_with_last_error("CreateThread");
    }
    while (WaitForSingleObject(thread, 1) == WAIT_TIMEOUT) {
        pump(Timeout(0));
        if (Clock::now() >= deadline) {
            CancelSynchronousIo(thread);
            if (WaitForSingleObject(thread, 1000) == WAIT_TIMEOUT) {
                job = nullptr;  // leaked on purpose: the thread still uses it
            }
            CloseHandle(thread);
            delete job;
            fail("timed out writing to the child's standard input");
        }
    }
    CloseHandle(thread);
    pump(Timeout(0));
    DWORD error = job->error;
    delete job;
    if (error == ERROR_NO_DATA || error == ERROR_BROKEN_PIPE) {
        fail("the child closed its standard input");
    }
    if (error != 0) {
        throw std::system_error(static_cast<int>(error), std::system_category(), "write to child");
    }
}

void Process::close_stdin() {
    close_handle(stdin_fd_);
}

int Process::wait_for_exit(Timeout timeout) {
    if (status_) {
        return *status_;
    }
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (!running()) {
            // Collect what the child wrote last: its pipes reach end-of-file now that it is gone.
            auto drain_deadline = Clock::now() + std::chrono::seconds(2);
            while ((stdout_fd_ != -1 || stderr_fd_ != -1) && Clock::now() < drain_deadline) {
                pump(Timeout(remaining_ms(drain_deadline)));
            }
            return *status_;
        }
        if (Clock::now() >= deadline) {
            fail("the child did not exit in time; stderr:\n" + stderr_);
        }
        if (!pump(Timeout(std::min(remaining_ms(deadline), 20)))) {
            WaitForSingleObject(to_handle(pid_),
                                static_cast<DWORD>(std::min(remaining_ms(deadline), 5)));
        }
    }
}

// Windows has no signals between processes: SIGTERM is never delivered, and SIGINT only comes
// from a console's Ctrl+C. Every signal is a TerminateProcess with the status a shell would
// show for it (the tests that need a graceful stop are left out on Windows).
void Process::send_signal(int signal) {
    if (!status_) {
        TerminateProcess(to_handle(pid_), static_cast<UINT>(128 + signal));
    }
}

bool Process::running() {
    if (status_) {
        return false;
    }
    HANDLE process = to_handle(pid_);
    if (WaitForSingleObject(process, 0) != WAIT_OBJECT_0) {
        return true;
    }
    DWORD code = 0;
    GetExitCodeProcess(process, &code);
    PROCESS_MEMORY_COUNTERS counters{};
    counters.cb = sizeof counters;
    if (GetProcessMemoryInfo(process, &counters, sizeof counters)) {
        max_rss_kib_ = static_cast<long>(counters.PeakWorkingSetSize / 1024);
    }
    status_ = static_cast<int>(code);
    return false;
}

}  // namespace tcpkit::test
