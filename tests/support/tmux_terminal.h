// A real terminal for the tests of tcpkit's line mode: a command run in a tmux pane of its own
// (one tmux server per terminal, so parallel tests never share one), keys and pastes sent to it
// as a user's terminal would send them, and the screen read back as the user would see it.
// POSIX only. Every wait polls the screen and has a deadline; at the deadline the test fails
// with the screen's contents.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "process.h"

namespace tcpkit::test {

struct CursorPosition {
    int column = 0;  // 0-based, in terminal columns (a CJK character takes two)
    int row = 0;     // 0-based, from the top of the visible screen
};

class TmuxTerminal {
  public:
    // Runs `command` (argv; argv[0] a full path) in a COLUMNS x ROWS terminal, with
    // LANG=LC_ALL=C.UTF-8 and TERM=screen. A small sh script around it records the terminal's
    // settings (`stty -g`) before and after, and the command's exit status; then it prints
    // `shell_prompt`, as the user's shell would, and waits there (until the destructor).
    explicit TmuxTerminal(const std::vector<std::string>& command, int columns = 80, int rows = 24);
    ~TmuxTerminal();
    TmuxTerminal(const TmuxTerminal&) = delete;
    TmuxTerminal& operator=(const TmuxTerminal&) = delete;

    // What the wrapping script prints once the command has exited, as a shell's prompt. No
    // blank at its end: tmux drops the blanks at a row's end from what it shows.
    static constexpr std::string_view shell_prompt = "[shell]$";

    // Types `text` literally, character by character, as keys (UTF-8 welcome).
    void type(std::string_view text);
    // Presses keys by tmux's names: "Enter", "Left", "BSpace", "C-d", "Home", ...
    void press_keys(const std::vector<std::string>& keys);
    template <typename... Keys>
    void press(const Keys&... keys) {
        press_keys({std::string(keys)...});
    }
    // Pastes `block` as a terminal does: every line end arrives as a carriage return (what the
    // Enter key sends), between bracketed paste's markers if the program turned that mode on.
    void paste(std::string_view block);

    // The visible screen, one string per row (trailing blanks dropped, as tmux does).
    std::vector<std::string> screen_lines() const;
    // The visible screen as one text, rows separated by '\n'.
    std::string screen() const;
    // Everything since the start, scrollback included, with wrapped rows joined into the lines
    // they were written as.
    std::string history() const;
    // The visible screen with the attributes (colours) of its text as SGR sequences.
    std::string screen_with_attributes() const;
    CursorPosition cursor() const;
    // The command's process id (it is the process the script starts).
    pid_t command_pid() const;
    std::string pane_title() const;
    void resize(int columns, int rows);

    // Waits until `condition` holds for the visible screen (or the whole history).
    void wait_until(const std::function<bool(const std::string&)>& condition,
                    std::string_view description, Timeout timeout = default_timeout,
                    bool whole_history = false) const;
    void wait_for_text(std::string_view text, Timeout timeout = default_timeout) const;
    void wait_for_text_in_history(std::string_view text, Timeout timeout = default_timeout) const;
    // Waits until the cursor is at `column` (on any row): the screen may show the text before
    // the program has moved the cursor after it.
    void wait_for_cursor_column(int column, Timeout timeout = default_timeout) const;

    // Waits for the command to exit and returns its exit status (128 + signal when killed).
    int wait_for_exit(Timeout timeout = default_timeout);
    bool exited() const;
    // `stty -g` in the terminal before the command started, and after it exited.
    std::string terminal_settings_before() const;
    std::string terminal_settings_after() const;
    // The terminal's file status flags (as /proc's fdinfo shows them: "flags: 0100002") before
    // and after, O_NONBLOCK among them; empty where the system does not tell them.
    std::string terminal_flags_before() const;
    std::string terminal_flags_after() const;

    // Fails (throws) with `what` and the screen's contents.
    [[noreturn]] void fail_with_screen(const std::string& what) const;

  private:
    // Runs tmux with this terminal's server and `args`; returns its standard output.
    std::string tmux(const std::vector<std::string>& args) const;
    std::string read_scratch_file(const std::string& name) const;
    // Lets the script run the command once the pane is COLUMNS x ROWS.
    void start_when_sized(int columns, int rows, const std::string& start_path);

    std::string server_socket_;
    std::string scratch_directory_;
};

// The path of the tmux binary the build found.
std::string tmux_binary();

}  // namespace tcpkit::test
