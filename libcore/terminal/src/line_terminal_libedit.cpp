// Line mode with libedit, through its readline-compatible callback interface: the event loop
// waits until the terminal has input, reads it, and hands libedit one character at a time
// (rl_callback_read_char, which takes its characters from rl_getc_function), so the connection
// keeps moving while a line is being typed.
//
// Measured in tmux before choosing it over an editor of our own (libedit 3.1-20221030): the
// cursor lands in the right column for CJK text and CJK prompts, wide characters wrap as the
// terminal does, Home/End/Ctrl+W/Ctrl+K and history work, and rl_set_prompt with
// rl_forced_update_display redraws the input line under a new prompt. What it lacks is handled
// here: it does not re-arm itself after a line (installed again each time), has no way to
// erase an input line that wraps (input_area.h), binds Tab and Ctrl+D at the end of a line to
// file-name completion (turned off), Ctrl+U to the whole line and ESC x to its command prompt
// (rebound), and does not know bracketed paste's markers: the terminal's bytes reach it through
// a KeyboardDecoder, which takes the markers out and makes a paste plain text.
#include <editline/readline.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>

#include <asio/posix/stream_descriptor.hpp>
#include <asio/redirect_error.hpp>
#include <asio/signal_set.hpp>
#include <asio/use_awaitable.hpp>

#include "tcpkit/base/errors.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/terminal/input_area.h"
#include "tcpkit/terminal/keyboard_decoder.h"
#include "tcpkit/terminal/line_terminal.h"
#include "tcpkit/terminal/peer_display.h"

namespace tcpkit {
namespace {

class EditLineTerminal;
// libedit's readline interface is one editor per process, with C callbacks.
EditLineTerminal* active_terminal = nullptr;

void on_line_typed(char* line);
int next_key_for_editor(FILE* /*stream*/);

// How long a key's unfinished bytes (a lone ESC, half a UTF-8 character or paste marker) wait
// for their rest before they are taken as they are. Terminals send one key in one write.
constexpr int key_rest_wait_ms = 50;
// Bracketed paste on and off: the terminal marks what is pasted.
constexpr std::string_view bracketed_paste_on = "\x1b[?2004h";
constexpr std::string_view bracketed_paste_off = "\x1b[?2004l";

char* no_completions(const char* /*text*/, int /*state*/) {
    return nullptr;
}

std::size_t terminal_columns() {
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        return size.ws_col;
    }
    return 80;
}

// libedit decodes what is typed, and measures it, with the C library's locale. tcpkit's text is
// UTF-8 whatever LANG says: in the C locale 你 would be three characters of one column.
void use_utf8_characters() {
    std::setlocale(LC_CTYPE, "");
    if (std::strcmp(::nl_langinfo(CODESET), "UTF-8") != 0 &&
        std::setlocale(LC_CTYPE, "C.UTF-8") == nullptr) {
        std::setlocale(LC_CTYPE, "en_US.UTF-8");
    }
}

void write_out(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
}

void configure_editor() {
    rl_catch_signals = 0;   // Ctrl+C is the command loop's SIGINT (exit 130)
    rl_catch_sigwinch = 0;  // resizing is watched here, as libedit only looks while reading
    rl_instream = stdin;
    rl_outstream = stdout;
    rl_completion_entry_function = no_completions;
    // libedit's readline interface takes the int it returns as a whole character (wchar_t).
    rl_getc_function = next_key_for_editor;
    rl_initialize();
    rl_bind_key('\t', rl_insert);                    // a pasted tab stays a tab
    rl_parse_and_bind("bind ^U vi-kill-line-prev");  // from the start of the line to the cursor
    rl_parse_and_bind("bind ^[x ed-unassigned");     // no libedit command prompt
    stifle_history(line_history_entries);
}

void load_history(const std::string& path) {
    if (int error = read_history(path.c_str()); error != 0 && error != ENOENT) {
        log().warn("cannot read history file {}: {}", path, std::strerror(error));
    }
}

void save_history(const std::string& path) {
    // Typed lines can hold secrets: a new history file is the user's alone.
    int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (descriptor >= 0) {
        ::close(descriptor);
    }
    if (int error = write_history(path.c_str()); error != 0) {
        log().warn("cannot write history file {}: {}", path, std::strerror(error));
    }
}

// The terminal opened again, for the event loop to wait on. Not a dup of stdin: Asio makes the
// descriptors it waits on non-blocking, and at a terminal stdin, stdout and stderr share one
// open file description, so stdout would turn non-blocking too, and a write to a terminal that
// falls behind would fail with EAGAIN (text lost, measured with the line_flood benchmark), and
// the shell would be left with a non-blocking terminal. Its own description keeps that flag to
// itself.
int open_keyboard() {
    const char* name = ::ttyname(STDIN_FILENO);
    int descriptor = name != nullptr ? ::open(name, O_RDONLY | O_NOCTTY | O_CLOEXEC) : -1;
    if (descriptor < 0) {
        throw UsageError(
            fmt::format("line mode cannot open the terminal: {}", std::strerror(errno)));
    }
    return descriptor;
}

class EditLineTerminal final : public LineTerminal, InputStream, OutputStream {
  public:
    EditLineTerminal(const asio::any_io_executor& executor, const LineTerminalOptions& options)
        : options_(options),
          display_(options.keep_colour),
          keyboard_(executor, open_keyboard()),
          signals_(executor, SIGWINCH, SIGTSTP) {
        ::tcgetattr(STDIN_FILENO, &saved_settings_);
        use_utf8_characters();
        configure_editor();
        if (options_.history_file) {
            load_history(*options_.history_file);
        }
        active_terminal = this;
        watch_signals();
    }

    ~EditLineTerminal() override {
        if (editing_) {
            erase_input_area();
            stop_editing();
            write_out(shown_prompt_);
        }
        if (!shown_prompt_.empty()) {
            write_out("\n");  // the shell's prompt on a line of its own
        }
        std::fflush(stdout);
        if (options_.history_file) {
            save_history(*options_.history_file);
        }
        ::tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_settings_);
        active_terminal = nullptr;
    }

    EditLineTerminal(const EditLineTerminal&) = delete;
    EditLineTerminal& operator=(const EditLineTerminal&) = delete;

    InputStream& input() override { return *this; }
    OutputStream& output() override { return *this; }

    asio::awaitable<std::size_t> read_some(std::span<char> buffer) override {
        for (;;) {
            if (!typed_.empty()) {
                std::size_t count = std::min(buffer.size(), typed_.size());
                std::memcpy(buffer.data(), typed_.data(), count);
                typed_.erase(0, count);
                co_return count;
            }
            if (input_ended_) {
                co_return 0;
            }
            if (!editing_) {
                start_editing();
            }
            if (keys_.empty()) {
                std::error_code error;
                co_await keyboard_.async_wait(asio::posix::descriptor_base::wait_read,
                                              asio::redirect_error(asio::use_awaitable, error));
                if (error) {
                    throw std::system_error(error);
                }
                if (!read_keyboard(0) && hung_up_) {
                    input_ended_ = true;
                    stop_editing();
                    continue;
                }
            }
            feed_editor();
        }
    }

    asio::awaitable<void> write_all(std::string_view bytes) override {
        show(display_.add(bytes));
        co_return;
    }

    void line_typed(char* line) {
        if (line == nullptr) {  // Ctrl+D on an empty line
            input_ended_ = true;
            // libedit has echoed it as "^D": the prompt alone stays.
            erase_rows(rows_above_cursor(shown_prompt_ + "^D", columns_));
            stop_editing();
            write_out(shown_prompt_);
            std::fflush(stdout);
            return;
        }
        typed_ = line;
        std::free(line);
        if (!typed_.empty()) {
            add_history(typed_.c_str());
        }
        typed_ += '\n';
        // The prompt and the typed text stay on the screen as one line.
        display_.forget_unfinished_line();
        shown_prompt_.clear();
        rl_callback_handler_install("", on_line_typed);  // libedit does not re-arm by itself
    }

    // rl_getc_function: the next character for libedit, -1 when the terminal has gone.
    int next_key() {
        for (;;) {
            if (std::optional<char32_t> key = keys_.next()) {
                return static_cast<int>(*key);
            }
            if (hung_up_) {
                return -1;
            }
            // libedit wants the rest of a key, on its way unless it was a lone ESC.
            if (!read_keyboard(key_rest_wait_ms)) {
                if (keys_.empty()) {
                    return -1;
                }
                keys_.release_held();
            }
        }
    }

  private:
    void start_editing() {
        erase_input_area();  // the unfinished peer line, printed while nobody was typing
        shown_prompt_ = display_.prompt();
        write_out(bracketed_paste_on);
        rl_callback_handler_install(shown_prompt_.c_str(), on_line_typed);
        editing_ = true;
        std::fflush(stdout);
    }

    void stop_editing() {
        rl_callback_handler_remove();  // back to the terminal's own mode
        write_out(bracketed_paste_off);
        editing_ = false;
    }

    // Gives libedit what has been typed, a key per call, up to the end of a line (the relay
    // takes one line at a time).
    void feed_editor() {
        while (editing_ && typed_.empty() && !keys_.empty()) {
            std::size_t before = keys_.pending_bytes();
            rl_callback_read_char();
            if (keys_.pending_bytes() == before && editing_ && typed_.empty()) {
                keys_.release_held();  // libedit took nothing: never spin on held bytes
            }
        }
    }

    // Reads what the terminal has, waiting up to `wait_ms`; false on a timeout or a hang-up.
    bool read_keyboard(int wait_ms) {
        pollfd ready{keyboard_.native_handle(), POLLIN, 0};
        if (hung_up_ || ::poll(&ready, 1, wait_ms) <= 0) {
            return false;
        }
        std::array<char, 4096> bytes{};
        ssize_t count = ::read(keyboard_.native_handle(), bytes.data(), bytes.size());
        if (count <= 0) {
            if (count == 0 || (errno != EINTR && errno != EAGAIN)) {
                hung_up_ = true;
            }
            return false;
        }
        keys_.add(std::string_view(bytes.data(), static_cast<std::size_t>(count)));
        return true;
    }

    std::string before_cursor() const {
        std::string text = shown_prompt_;
        if (editing_ && rl_line_buffer != nullptr) {
            text.append(rl_line_buffer, std::min<std::size_t>(std::strlen(rl_line_buffer),
                                                              static_cast<std::size_t>(rl_point)));
        }
        return text;
    }

    // Goes up `rows` to where the input line begins and clears from there to the end of the
    // screen.
    static void erase_rows(std::size_t rows) {
        write_out(rows > 0 ? fmt::format("\x1b[{}A\r\x1b[J", rows) : "\r\x1b[J");
    }

    // However many rows the input line wraps over.
    void erase_input_area() {
        columns_ = terminal_columns();
        erase_rows(rows_above_cursor(before_cursor(), columns_));
    }

    void redraw_after_resize() {
        std::size_t old_columns = columns_;
        columns_ = terminal_columns();
        rl_resize_terminal();  // libedit learns the new width
        erase_rows(rows_above_cursor_after_resize(before_cursor(), old_columns, columns_));
        draw_input_area();
    }

    void draw_input_area() {
        if (editing_) {
            rl_set_prompt(shown_prompt_.c_str());
            rl_forced_update_display();
        } else {
            write_out(shown_prompt_);
        }
        std::fflush(stdout);
    }

    void show(const std::string& lines) {
        std::string prompt = display_.prompt();
        if (lines.empty() && prompt == shown_prompt_) {
            return;
        }
        erase_input_area();
        write_out(lines);
        shown_prompt_ = std::move(prompt);
        draw_input_area();
    }

    void watch_signals() {
        signals_.async_wait(
            [this, alive = std::weak_ptr<char>(alive_)](const std::error_code& error, int signal) {
                if (error || alive.expired()) {
                    return;
                }
                if (signal == SIGWINCH) {
                    redraw_after_resize();
                } else {
                    suspend();
                }
                watch_signals();
            });
    }

    // Ctrl+Z: the terminal as it was while stopped, the input line back when continued.
    void suspend() {
        bool was_editing = editing_;
        std::string typed_so_far;
        if (was_editing) {
            typed_so_far = rl_line_buffer != nullptr ? rl_line_buffer : "";
            erase_input_area();
            stop_editing();
        }
        std::fflush(stdout);
        ::tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_settings_);
        ::raise(SIGSTOP);
        if (was_editing) {
            start_editing();
            if (!typed_so_far.empty()) {
                // The cursor goes to the end of it. Only the prompt is on the screen yet.
                rl_insert_text(typed_so_far.c_str());
                erase_rows(rows_above_cursor(shown_prompt_, columns_));
                rl_forced_update_display();
                std::fflush(stdout);
            }
        }
    }

    LineTerminalOptions options_;
    PeerDisplay display_;
    asio::posix::stream_descriptor keyboard_;  // the terminal, to wait for keys on and read them
    asio::signal_set signals_;
    termios saved_settings_{};
    std::size_t columns_ = terminal_columns();  // the width the input line was last drawn at
    KeyboardDecoder keys_;                      // read from the terminal, not yet taken by libedit
    bool hung_up_ = false;
    std::string typed_;         // the line typed, with "\n", until the relay takes it
    std::string shown_prompt_;  // the prompt on the screen now
    bool editing_ = false;      // libedit has the input line
    bool input_ended_ = false;
    std::shared_ptr<char> alive_ = std::make_shared<char>();  // for the signal handler
};

int next_key_for_editor(FILE* /*stream*/) {
    return active_terminal != nullptr ? active_terminal->next_key() : -1;
}

void on_line_typed(char* line) {
    if (active_terminal != nullptr) {
        active_terminal->line_typed(line);
    } else {
        std::free(line);
    }
}

}  // namespace

std::optional<std::string> line_mode_unavailable_reason() {
    if (::isatty(STDIN_FILENO) == 0 || ::isatty(STDOUT_FILENO) == 0) {
        return "--line needs a terminal on standard input and output";
    }
    if (::ttyname(STDIN_FILENO) == nullptr) {  // open_keyboard() opens it by name
        return "--line needs a terminal with a name (ttyname) on standard input";
    }
    return std::nullopt;
}

std::unique_ptr<LineTerminal> LineTerminal::open(const asio::any_io_executor& executor,
                                                 const LineTerminalOptions& options) {
    if (auto reason = line_mode_unavailable_reason()) {
        throw UsageError(*reason);
    }
    return std::make_unique<EditLineTerminal>(executor, options);
}

}  // namespace tcpkit
