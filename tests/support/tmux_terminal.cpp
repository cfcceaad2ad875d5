#include "tmux_terminal.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tcpkit::test {
namespace {

using Clock = std::chrono::steady_clock;

// How often a wait looks at the screen again.
constexpr auto poll_interval_ms = 20;

// A word for sh, in single quotes (a quote inside becomes '\'').
std::string shell_quoted(const std::string& word) {
    std::string quoted = "'";
    for (char c : word) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    return quoted + "'";
}

bool file_exists(const std::string& path) {
    return ::access(path.c_str(), F_OK) == 0;
}

// A shell command that prints the file status flags of the script's standard input, the
// terminal (O_NONBLOCK among them, which the terminal's other users share), where the system
// tells them (Linux: /proc); nothing elsewhere.
constexpr const char* flags_of_standard_input =
    "{ grep '^flags' /proc/$$/fdinfo/0 2>/dev/null || true; }";

void pause_before_next_look() {
    ::poll(nullptr, 0, poll_interval_ms);
}

}  // namespace

std::string tmux_binary() {
    return TCPKIT_TMUX_BINARY;
}

TmuxTerminal::TmuxTerminal(const std::vector<std::string>& command, int columns, int rows) {
    char directory[] = "/tmp/tcpkit-terminal-XXXXXX";
    if (::mkdtemp(directory) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    scratch_directory_ = directory;
    // The server's socket in the scratch directory (-S, not -L): a server of its own for each
    // terminal, and a socket that goes with the directory (tmux leaves it behind when killed).
    server_socket_ = scratch_directory_ + "/tmux";

    // The status file is written after the settings (through a rename), so once it exists the
    // settings after are there too. Ctrl+C sends SIGINT to the whole foreground process group, this
    // script included: it ignores it (`trap :`) to live on and record how the command ended.
    std::string quoted_command;
    for (const auto& word : command) {
        quoted_command += shell_quoted(word) + " ";
    }
    const std::string dir = shell_quoted(scratch_directory_);
    // The script waits for the word to start (through a FIFO) until the pane has the size
    // asked for, which the command then finds when it starts (a line editor reads it then).
    const std::string start_path = scratch_directory_ + "/start";
    if (::mkfifo(start_path.c_str(), 0600) != 0) {
        throw std::runtime_error("mkfifo failed");
    }
    std::ofstream script(scratch_directory_ + "/run.sh");
    script << "trap : INT\n"
           << "read start < " << dir << "/start\n"
           << "LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen\n"
           << "export LANG LC_ALL TERM\n"
           << "stty -g > " << dir << "/stty-before\n"
           << flags_of_standard_input << " > " << dir
           << "/flags-before\n"
           // The command's pid, for the tests that signal it: sh writes its own, then execs.
           << "/bin/sh -c 'echo $$ > \"$0\"; exec \"$@\"' "
           << shell_quoted(scratch_directory_ + "/pid") << " " << quoted_command << "\n"
           << "status=$?\n"
           << "stty -g > " << dir << "/stty-after\n"
           << flags_of_standard_input << " > " << dir << "/flags-after\n"
           << "echo $status > " << dir << "/status.partial\n"
           << "mv " << dir << "/status.partial " << dir << "/status\n"
           << "printf '%s' " << shell_quoted(std::string(shell_prompt))
           << "\n"
           // And it waits, as a shell at its prompt does (no one opens the FIFO again): a dead
           // pane would have tmux scroll the screen by a row for its "Pane is dead" line.
           << "read start < " << dir << "/start\n";
    script.close();

    // remain-on-exit keeps the pane (and its screen) should the script end all the same. It is
    // set in the same tmux command as the session, before the server's loop could see an exit.
    tmux({"new-session", "-d", "-x", std::to_string(columns), "-y", std::to_string(rows),
          "/bin/sh " + shell_quoted(scratch_directory_ + "/run.sh"), ";", "set-option", "-g",
          "remain-on-exit", "on"});
    start_when_sized(columns, rows, start_path);
}

void TmuxTerminal::start_when_sized(int columns, int rows, const std::string& start_path) {
    const std::string wanted = std::to_string(columns) + "x" + std::to_string(rows) + "\n";
    auto deadline = Clock::now() + default_timeout;
    while (tmux({"display-message", "-p", "#{pane_width}x#{pane_height}"}) != wanted) {
        if (Clock::now() >= deadline) {
            fail_with_screen("the pane never got its size, " + wanted);
        }
        pause_before_next_look();
    }
    // Opening a FIFO without blocking fails (ENXIO) until the script has opened its end.
    int fd = -1;
    while ((fd = ::open(start_path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
        if (Clock::now() >= deadline) {
            fail_with_screen("the script in the pane never waited for its start");
        }
        pause_before_next_look();
    }
    const char go[] = "go\n";
    bool written = ::write(fd, go, sizeof go - 1) == static_cast<ssize_t>(sizeof go - 1);
    ::close(fd);
    if (!written) {
        throw std::runtime_error("could not start the script in the pane");
    }
}

TmuxTerminal::~TmuxTerminal() {
    try {
        tmux({"kill-server"});
    } catch (...) {
        // Already gone: nothing left to clean up.
    }
    for (const char* name : {"tmux", "run.sh", "start", "pid", "stty-before", "stty-after",
                             "flags-before", "flags-after", "status", "status.partial", "paste"}) {
        std::remove((scratch_directory_ + "/" + name).c_str());
    }
    ::rmdir(scratch_directory_.c_str());
}

std::string TmuxTerminal::tmux(const std::vector<std::string>& args) const {
    std::vector<std::string> all = {tmux_binary(), "-S", server_socket_, "-f", "/dev/null"};
    all.insert(all.end(), args.begin(), args.end());
    Process process(all);
    process.close_stdin();
    int status = process.wait_for_exit();
    if (status != 0) {
        std::string joined;
        for (const auto& arg : args) {
            joined += " " + arg;
        }
        throw std::runtime_error("tmux" + joined + " exited " + std::to_string(status) + ": " +
                                 process.err());
    }
    return process.out();
}

void TmuxTerminal::type(std::string_view text) {
    tmux({"send-keys", "-l", "--", std::string(text)});
}

void TmuxTerminal::press_keys(const std::vector<std::string>& keys) {
    std::vector<std::string> args = {"send-keys"};
    args.insert(args.end(), keys.begin(), keys.end());
    tmux(args);
}

void TmuxTerminal::paste(std::string_view block) {
    // Through a file: the block is not parsed as tmux arguments. paste-buffer without -r turns
    // each '\n' into '\r' (as a terminal sends a paste), and with -p puts bracketed paste's
    // markers around it when the program has asked for them (ESC [ ? 2004 h), as terminals do.
    const std::string path = scratch_directory_ + "/paste";
    {
        std::ofstream file(path, std::ios::binary);
        file << block;
    }
    tmux({"load-buffer", "-b", "test-paste", path});
    tmux({"paste-buffer", "-d", "-p", "-b", "test-paste"});
}

std::string TmuxTerminal::screen() const {
    return tmux({"capture-pane", "-p"});
}

std::vector<std::string> TmuxTerminal::screen_lines() const {
    std::vector<std::string> lines;
    std::istringstream text(screen());
    for (std::string line; std::getline(text, line);) {
        lines.push_back(line);
    }
    return lines;
}

std::string TmuxTerminal::screen_with_attributes() const {
    return tmux({"capture-pane", "-p", "-e"});
}

pid_t TmuxTerminal::command_pid() const {
    auto deadline = Clock::now() + default_timeout;
    while (!file_exists(scratch_directory_ + "/pid")) {
        if (Clock::now() >= deadline) {
            fail_with_screen("the command never started");
        }
        pause_before_next_look();
    }
    std::string pid;
    for (;;) {
        pid = read_scratch_file("pid");
        if (!pid.empty() && pid.back() == '\n') {
            break;  // written whole
        }
        if (Clock::now() >= deadline) {
            fail_with_screen("the command's pid file stays unfinished");
        }
        pause_before_next_look();
    }
    return static_cast<pid_t>(std::stol(pid));
}

std::string TmuxTerminal::history() const {
    return tmux({"capture-pane", "-p", "-J", "-S", "-"});
}

CursorPosition TmuxTerminal::cursor() const {
    std::string position = tmux({"display-message", "-p", "#{cursor_x},#{cursor_y}"});
    auto comma = position.find(',');
    return CursorPosition{std::stoi(position.substr(0, comma)),
                          std::stoi(position.substr(comma + 1))};
}

std::string TmuxTerminal::pane_title() const {
    std::string title = tmux({"display-message", "-p", "#{pane_title}"});
    if (!title.empty() && title.back() == '\n') {
        title.pop_back();
    }
    return title;
}

void TmuxTerminal::resize(int columns, int rows) {
    tmux({"resize-window", "-x", std::to_string(columns), "-y", std::to_string(rows)});
}

void TmuxTerminal::wait_until(const std::function<bool(const std::string&)>& condition,
                              std::string_view description, Timeout timeout,
                              bool whole_history) const {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (condition(whole_history ? history() : screen())) {
            return;
        }
        if (Clock::now() >= deadline) {
            fail_with_screen("timed out waiting for " + std::string(description));
        }
        pause_before_next_look();
    }
}

void TmuxTerminal::wait_for_text(std::string_view text, Timeout timeout) const {
    wait_until([&](const std::string& screen) { return screen.find(text) != std::string::npos; },
               "'" + std::string(text) + "' on the screen", timeout);
}

void TmuxTerminal::wait_for_text_in_history(std::string_view text, Timeout timeout) const {
    wait_until([&](const std::string& all) { return all.find(text) != std::string::npos; },
               "'" + std::string(text) + "' in the terminal's history", timeout, true);
}

void TmuxTerminal::wait_for_cursor_column(int column, Timeout timeout) const {
    auto deadline = Clock::now() + timeout;
    while (cursor().column != column) {
        if (Clock::now() >= deadline) {
            fail_with_screen("timed out waiting for the cursor at column " +
                             std::to_string(column) + " (it is at " +
                             std::to_string(cursor().column) + ")");
        }
        pause_before_next_look();
    }
}

bool TmuxTerminal::exited() const {
    return file_exists(scratch_directory_ + "/status");
}

int TmuxTerminal::wait_for_exit(Timeout timeout) {
    auto deadline = Clock::now() + timeout;
    while (!exited()) {
        if (Clock::now() >= deadline) {
            fail_with_screen("timed out waiting for the command to exit");
        }
        pause_before_next_look();
    }
    return std::stoi(read_scratch_file("status"));
}

std::string TmuxTerminal::terminal_settings_before() const {
    return read_scratch_file("stty-before");
}

std::string TmuxTerminal::terminal_settings_after() const {
    return read_scratch_file("stty-after");
}

std::string TmuxTerminal::terminal_flags_before() const {
    return read_scratch_file("flags-before");
}

std::string TmuxTerminal::terminal_flags_after() const {
    return read_scratch_file("flags-after");
}

std::string TmuxTerminal::read_scratch_file(const std::string& name) const {
    std::ifstream file(scratch_directory_ + "/" + name, std::ios::binary);
    if (!file) {
        throw std::runtime_error("no " + name + " in " + scratch_directory_);
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    return contents.str();
}

void TmuxTerminal::fail_with_screen(const std::string& what) const {
    std::string shown;
    try {
        auto position = cursor();
        shown = "\n--- screen (cursor at column " + std::to_string(position.column) + ", row " +
                std::to_string(position.row) + ") ---\n" + screen() + "--- end of screen ---";
        // What scrolled off the top, if anything did, with wrapped rows joined.
        std::string all = history();
        std::string visible = tmux({"capture-pane", "-p", "-J"});
        if (all.size() > visible.size()) {
            shown += "\n--- scrollback ---\n" + all.substr(0, all.size() - visible.size()) +
                     "--- end of scrollback ---";
        }
    } catch (const std::exception& error) {
        shown = std::string("\n(could not read the screen: ") + error.what() + ")";
    }
    throw std::runtime_error(what + shown);
}

}  // namespace tcpkit::test
