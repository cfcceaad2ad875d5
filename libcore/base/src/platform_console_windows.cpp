#ifndef NOMINMAX
#define NOMINMAX 1
#endif
#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <cstdio>

#include "platform_console.h"
#include "tcpkit/base/console.h"

namespace tcpkit {

bool stderr_shows_colour() {
    // _isatty() is also true for NUL, and a console shows escape sequences as text unless
    // asked to obey them (Windows 10 and later): colour only on a console that agrees.
    HANDLE handle = GetStdHandle(STD_ERROR_HANDLE);
    DWORD console_mode = 0;
    if (handle == INVALID_HANDLE_VALUE || handle == nullptr ||
        !GetConsoleMode(handle, &console_mode)) {
        return false;
    }
    return (console_mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0 ||
           SetConsoleMode(handle, console_mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0;
}

bool stderr_is_terminal() {
    // The redraw needs ESC[K obeyed, which is what colour needs too: a console that agrees.
    return stderr_shows_colour();
}

std::tm utc_calendar_time(std::time_t seconds) {
    std::tm parts{};
    gmtime_s(&parts, &seconds);
    return parts;
}

void prepare_stderr_for_logs() {
    // stderr is the process-wide logger's: its lines (and hex dumps) end in \n as everywhere
    // else, JSON lines included, not in the C runtime's text-mode \r\n; consoles show either.
    _setmode(_fileno(stderr), _O_BINARY);
}

}  // namespace tcpkit
