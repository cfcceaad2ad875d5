// End-to-end: `tcpkit connect` in line mode (issue 12), in a real terminal (a tmux pane), against
// the real chat server or the test's own loopback socket. Each test checks what the user sees
// (the screen, the cursor, the title, the terminal's settings afterwards) and what the other
// side receives.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>
#include <vector>

#include "catch.h"
#include "chat_server.h"
#include "line_client.h"
#include "loopback.h"
#include "process.h"
#include "tmux_terminal.h"

using namespace tcpkit::test;

namespace {

constexpr const char* nickname_prompt = "Choose a nickname: ";

// --rate 0: the tests send 100 lines at once, more than a chat user may by default.
const std::vector<std::string> rateless = {"--rate", "0"};

std::vector<std::string> connect_command(std::uint16_t port, std::vector<std::string> extra = {}) {
    std::vector<std::string> command = {tcpkit_binary(), "connect"};
    command.insert(command.end(), extra.begin(), extra.end());
    command.push_back("127.0.0.1");
    command.push_back(std::to_string(port));
    return command;
}

// The other side of tcpkit's connection, for the tests that need a peer's raw bytes: a socket
// on 127.0.0.1 that accepts one client.
class PeerListener {
  public:
    PeerListener() : listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(listener_.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listener_.fd(), 4) != 0 ||
            ::getsockname(listener_.fd(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            throw std::system_error(errno, std::generic_category(), "peer listener");
        }
        port_ = ntohs(address.sin_port);
    }
    std::uint16_t port() const { return port_; }

    Socket accept(Timeout timeout = default_timeout) {
        pollfd readable{listener_.fd(), POLLIN, 0};
        if (::poll(&readable, 1, static_cast<int>(timeout.count())) <= 0) {
            throw std::runtime_error("tcpkit did not connect in time");
        }
        return Socket(::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC));
    }

  private:
    Socket listener_;
    std::uint16_t port_ = 0;
};

// The screen's rows without the empty ones at the bottom.
std::vector<std::string> used_rows(const TmuxTerminal& terminal) {
    auto rows = terminal.screen_lines();
    while (!rows.empty() && rows.back().empty()) {
        rows.pop_back();
    }
    return rows;
}

// The index of the one row equal to `text`; fails with the screen otherwise.
std::size_t row_equal_to(const TmuxTerminal& terminal, const std::string& text) {
    auto rows = terminal.screen_lines();
    std::size_t found = rows.size();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i] == text) {
            if (found != rows.size()) {
                terminal.fail_with_screen("two rows are '" + text + "'");
            }
            found = i;
        }
    }
    if (found == rows.size()) {
        terminal.fail_with_screen("no row is '" + text + "'");
    }
    return found;
}

// `text` without the blanks at its end, as tmux shows a row (it keeps none there).
std::string as_shown(std::string text) {
    while (!text.empty() && text.back() == ' ') {
        text.pop_back();
    }
    return text;
}

// Waits for the input line to show `text` with the cursor at `cursor_column`: the row the
// cursor is on shows `text` (the cursor's column tells of the blanks at its end).
void wait_for_input_line(const TmuxTerminal& terminal, const std::string& text, int cursor_column) {
    terminal.wait_until(
        [&](const std::string&) {
            auto rows = terminal.screen_lines();
            auto cursor = terminal.cursor();
            return cursor.row < static_cast<int>(rows.size()) &&
                   rows[cursor.row] == as_shown(text) && cursor.column == cursor_column;
        },
        "the input line '" + text + "' with the cursor at column " + std::to_string(cursor_column));
}

// Exits were clean: the status, the terminal's settings as they were, and the shell's prompt at
// the start of a row (not glued to what tcpkit left on the screen).
void check_clean_exit(TmuxTerminal& terminal, int expected_status) {
    CHECK(terminal.wait_for_exit() == expected_status);
    CHECK(terminal.terminal_settings_after() == terminal.terminal_settings_before());
    const std::string prompt(TmuxTerminal::shell_prompt);
    terminal.wait_until(
        [&](const std::string&) {
            for (const auto& row : terminal.screen_lines()) {
                if (row.rfind(prompt, 0) == 0) {
                    return true;
                }
            }
            return false;
        },
        "the shell's prompt at the start of a row");
}

// tcpkit in the terminal, joined to `server` as `name`; `bob` joined after it.
struct ChatInTerminal {
    explicit ChatInTerminal(const ChatServer& server, int columns = 80, int rows = 24)
        : terminal(connect_command(server.port), columns, rows), bob(server.port) {
        wait_for_input_line(terminal, nickname_prompt, 19);
        terminal.type("alice");
        terminal.press("Enter");
        terminal.wait_for_text("Welcome, alice!");
        bob.until(nickname_prompt);
        bob.send_line("bob");
        bob.line();  // Welcome, bob!
        terminal.wait_for_text("* bob joined");
    }
    TmuxTerminal terminal;
    LineClient bob;
};

}  // namespace

TEST_CASE("line mode: a half-typed line survives 100 incoming lines and is sent whole",
          "[line-mode]") {
    ChatServer server(rateless);
    ChatInTerminal chat(server);
    auto& terminal = chat.terminal;
    const std::string typed = "half of a line";
    terminal.type(typed);
    wait_for_input_line(terminal, typed, static_cast<int>(typed.size()));

    for (int i = 1; i <= 100; ++i) {
        chat.bob.send_line("message " + std::to_string(i));
    }
    terminal.wait_for_text("bob: message 100\n");
    // The peer's lines above, the input line (with the cursor after it) the last row in use.
    wait_for_input_line(terminal, typed, static_cast<int>(typed.size()));
    auto rows = used_rows(terminal);
    CHECK(rows.back() == typed);
    CHECK(rows[rows.size() - 2] == "bob: message 100");
    // Every message on a row of its own, in order, none mixed with the typed text.
    std::vector<std::string> messages;
    std::string all = terminal.history();
    for (std::size_t start = 0; start < all.size();) {
        std::size_t end = all.find('\n', start);
        std::string row = all.substr(start, end - start);
        if (row.find("message") != std::string::npos) {
            messages.push_back(row);
        }
        CHECK((row == typed || row.find("half") == std::string::npos));
        start = end == std::string::npos ? all.size() : end + 1;
    }
    REQUIRE(messages.size() == 100);
    for (int i = 1; i <= 100; ++i) {
        CHECK(messages[i - 1] == "bob: message " + std::to_string(i));
    }

    terminal.type(", and the rest");
    terminal.press("Enter");
    CHECK(chat.bob.line() == "alice: half of a line, and the rest");
}

TEST_CASE("line mode: the nickname prompt is the input line's prompt", "[line-mode]") {
    ChatServer server(rateless);
    TmuxTerminal terminal(connect_command(server.port));
    const std::string prompt = nickname_prompt;
    terminal.wait_for_text("Welcome to tcpkit chat. Online: 1\n" + as_shown(prompt));
    wait_for_input_line(terminal, prompt, static_cast<int>(prompt.size()));
    terminal.type("alice");
    wait_for_input_line(terminal, prompt + "alice", static_cast<int>(prompt.size() + 5));
    terminal.press("BSpace");
    wait_for_input_line(terminal, prompt + "alic", static_cast<int>(prompt.size() + 4));
    terminal.type("e");
    terminal.press("Enter");
    terminal.wait_for_text("Welcome, alice!");
    // The prompt and the name stay one row, as they were typed; the greeting on the next one.
    auto row = row_equal_to(terminal, prompt + "alice");
    auto rows = terminal.screen_lines();
    REQUIRE(row + 1 < rows.size());
    CHECK(rows[row + 1] == "Welcome, alice! Online: alice. Type /help for commands.");
    CHECK(rows[row - 1] == "Welcome to tcpkit chat. Online: 1");
    // The prompt is forgotten: the input line is empty again, under the greeting.
    wait_for_input_line(terminal, "", 0);
    CHECK(terminal.cursor().row == static_cast<int>(row) + 2);
}

TEST_CASE("line mode: CJK text edited in the middle is sent exactly, the cursor at its columns",
          "[line-mode]") {
    ChatServer server(rateless);
    ChatInTerminal chat(server);
    auto& terminal = chat.terminal;
    // Five wide characters (the comma is U+FF0C, fullwidth): ten columns.
    terminal.type("你好，世界");
    wait_for_input_line(terminal, "你好，世界", 10);
    terminal.press("Left", "Left");
    wait_for_input_line(terminal, "你好，世界", 6);
    terminal.press("BSpace");
    wait_for_input_line(terminal, "你好世界", 4);
    terminal.type("!");
    wait_for_input_line(terminal, "你好!世界", 5);
    terminal.type("的");
    wait_for_input_line(terminal, "你好!的世界", 7);
    terminal.press("End");
    wait_for_input_line(terminal, "你好!的世界", 11);
    terminal.press("Enter");
    CHECK(chat.bob.line() == "alice: 你好!的世界");
    // Bob's answer in CJK is shown whole.
    chat.bob.send_line("收到，谢谢");
    terminal.wait_for_text("bob: 收到，谢谢\n");
}

TEST_CASE("line mode: a pasted block of 50 lines arrives as 50 lines in order", "[line-mode]") {
    ChatServer server(rateless);
    ChatInTerminal chat(server);
    auto& terminal = chat.terminal;
    std::string block;
    for (int i = 1; i <= 50; ++i) {
        block += "pasted line " + std::to_string(i) + "\n";
    }
    terminal.paste(block);
    for (int i = 1; i <= 50; ++i) {
        CHECK(chat.bob.line() == "alice: pasted line " + std::to_string(i));
    }
    // Nothing left over in the input line.
    wait_for_input_line(terminal, "", 0);
    // A last line without a line end stays on the input line, to be finished by hand; pasted
    // control characters (Ctrl+U, ESC of a cursor key) are text left out, never editing keys.
    terminal.paste("not finished");
    wait_for_input_line(terminal, "not finished", 12);
    terminal.paste(" ctrl\x15u \x1b[D left");
    wait_for_input_line(terminal, "not finished ctrlu [D left", 26);
    terminal.press("Enter");
    CHECK(chat.bob.line() == "alice: not finished ctrlu [D left");
    chat.bob.send_line("got them");
    terminal.wait_for_text("bob: got them\n");
}

TEST_CASE("line mode: a peer's escape sequences are shown, not obeyed", "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port()));
    Socket peer = listener.accept();
    peer.send_all("first line\r\nsecond line\n");
    terminal.wait_for_text("first line\nsecond line\n");
    const std::string title_before = terminal.pane_title();

    peer.send_all(
        "\x1b[2J\x1b]0;title\x07"
        "after them\n");
    terminal.wait_for_text("after them");
    CHECK(terminal.pane_title() == title_before);
    // Not cleared: the earlier lines are still on the screen, above the escaped sequences.
    auto first = row_equal_to(terminal, "first line");
    auto shown = row_equal_to(terminal, "^[[2J^[]0;title^Gafter them");
    CHECK(first + 2 == shown);
    CHECK(terminal.cursor().row == static_cast<int>(shown) + 1);

    // A lone CR, a C1 control, invalid UTF-8 and a bidirectional override, each made harmless.
    peer.send_all("cr\rhere \xc2\x9b x \xff y \xe2\x80\xae z\n");
    terminal.wait_for_text("cr^Mhere <U+009B> x \xef\xbf\xbd y <U+202E> z\n");
    peer.close();
    check_clean_exit(terminal, 0);
}

TEST_CASE("line mode: Ctrl+D on an empty line half-closes, and the peer's reply is still printed",
          "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port()));
    Socket peer = listener.accept();
    peer.send_all("hello from the peer\n");
    terminal.wait_for_text("hello from the peer\n");
    terminal.type("last words");
    terminal.press("Enter");
    CHECK(peer.read_exactly(11) == "last words\n");
    terminal.press("C-d");
    CHECK(peer.read_to_end() == "");  // end of stream, nothing more
    peer.send_all("a reply after the half-close\n");
    terminal.wait_for_text("a reply after the half-close\n");
    CHECK(terminal.history().find("^D") == std::string::npos);  // the terminal's echo of it
    CHECK_FALSE(terminal.exited());
    peer.close();
    check_clean_exit(terminal, 0);
}

TEST_CASE("line mode: Ctrl+D on a line with text does not end the input", "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port()));
    Socket peer = listener.accept();
    peer.send_all("ready\n");
    terminal.wait_for_text("ready\n");
    terminal.type("abc");
    terminal.press("Left", "C-d");  // deletes the character under the cursor, if anything
    terminal.press("Enter");
    std::string got = peer.read_exactly(3);
    CHECK((got == "ab\n" || got == "abc"));
    CHECK_FALSE(terminal.exited());
    terminal.press("C-c");
    check_clean_exit(terminal, 130);
}

TEST_CASE("line mode: Ctrl+C exits 130 with the terminal as it was", "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port()));
    Socket peer = listener.accept();
    peer.send_all("ready\n");
    terminal.wait_for_text("ready\n");
    terminal.type("never sent");
    wait_for_input_line(terminal, "never sent", 10);
    terminal.press("C-c");
    check_clean_exit(terminal, 130);
    CHECK(peer.read_to_end() == "");
}

TEST_CASE("line mode: a line longer than the terminal is wide stays intact while a line arrives",
          "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port()), 40, 12);
    Socket peer = listener.accept();
    peer.send_all("ready\n");
    terminal.wait_for_text("ready\n");
    // 100 characters, no two 10-character pieces alike, no blanks (tmux trims a row's end).
    std::string line;
    for (char piece = 'a'; piece < 'a' + 10; ++piece) {
        line += std::string(1, piece) + "123456789";
    }
    terminal.type(line.substr(0, 60));
    terminal.wait_for_text(line.substr(40, 20));
    peer.send_all("an interruption\n");
    terminal.wait_for_text("an interruption\n");
    terminal.type(line.substr(60));
    terminal.wait_for_text(line.substr(80));
    // The input line: three rows (40 + 40 + 20 columns) below the peer's line, the cursor after it.
    terminal.wait_until(
        [&](const std::string&) {
            auto rows = used_rows(terminal);
            return rows.size() >= 4 && rows[rows.size() - 4] == "an interruption" &&
                   rows[rows.size() - 3] + rows[rows.size() - 2] + rows.back() == line;
        },
        "the 100 characters as three rows under the peer's line");
    auto rows = used_rows(terminal);
    auto cursor = terminal.cursor();
    CHECK(cursor.row == static_cast<int>(rows.size()) - 1);
    CHECK(cursor.column == 20);
    terminal.press("Enter");
    CHECK(peer.read_exactly(101) == line + "\n");

    // A resize redraws the input line, whole, the cursor where it was.
    terminal.type("after the resize");
    terminal.resize(60, 12);
    wait_for_input_line(terminal, "after the resize", 16);
    terminal.press("Enter");
    CHECK(peer.read_exactly(17) == "after the resize\n");
    peer.close();
    check_clean_exit(terminal, 0);
}

TEST_CASE("line mode: history, and the keys that edit a line", "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port()));
    Socket peer = listener.accept();
    peer.send_all("ready\n");
    terminal.wait_for_text("ready\n");
    terminal.type("first one");
    terminal.press("Enter");
    CHECK(peer.read_exactly(10) == "first one\n");
    terminal.press("Up");
    wait_for_input_line(terminal, "first one", 9);
    terminal.press("Home", "Right");
    terminal.type("X");
    wait_for_input_line(terminal, "fXirst one", 2);
    terminal.press("C-k");  // to the end
    wait_for_input_line(terminal, "fX", 2);
    terminal.type(" two words");
    terminal.press("C-w");  // the word before the cursor
    wait_for_input_line(terminal, "fX two ", 7);
    terminal.press("Enter");
    CHECK(peer.read_exactly(8) == "fX two \n");
    terminal.type("gone");
    terminal.press("C-u");  // from the start of the line to the cursor
    wait_for_input_line(terminal, "", 0);
    terminal.type("kept");
    terminal.press("Enter");
    CHECK(peer.read_exactly(5) == "kept\n");
    peer.close();
    check_clean_exit(terminal, 0);
}

TEST_CASE("line mode: --raw in a terminal relays the bytes as they are", "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port(), {"--raw"}));
    Socket peer = listener.accept();
    // The escape reaches the terminal: it sets the title, as any program's output may.
    peer.send_all("\x1b]2;set by the peer\x07raw bytes\n");
    terminal.wait_for_text("raw bytes\n");
    terminal.wait_until(
        [&](const std::string&) { return terminal.pane_title() == "set by the peer"; },
        "the title the peer's bytes set");
    CHECK(terminal.screen().find("^[") == std::string::npos);
    // The terminal's own line editing (cooked mode): the line goes out on Enter.
    terminal.type("typed");
    terminal.press("Enter");
    CHECK(peer.read_exactly(6) == "typed\n");
    terminal.press("C-d");  // the terminal's end of input: a half-close
    CHECK(peer.read_to_end() == "");
    peer.send_all("still printed\n");
    terminal.wait_for_text("still printed\n");
    peer.close();
    CHECK(terminal.wait_for_exit() == 0);
    CHECK(terminal.terminal_settings_after() == terminal.terminal_settings_before());
    CHECK(terminal.terminal_flags_after() == terminal.terminal_flags_before());
}

TEST_CASE("line mode: Ctrl+L clears the screen and redraws the input line", "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port()));
    Socket peer = listener.accept();
    peer.send_all("an old line\n");
    terminal.wait_for_text("an old line\n");
    terminal.type("still here");
    terminal.press("C-l");
    terminal.wait_until(
        [&](const std::string&) {
            auto rows = used_rows(terminal);
            auto cursor = terminal.cursor();
            return rows.size() == 1 && rows[0] == "still here" && cursor.row == 0 &&
                   cursor.column == 10;
        },
        "the screen cleared but for the input line");
    terminal.press("Enter");
    CHECK(peer.read_exactly(11) == "still here\n");
    peer.close();
    check_clean_exit(terminal, 0);
}

TEST_CASE("line mode: a prompt the peer finishes is printed above, the typed text kept",
          "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port()));
    Socket peer = listener.accept();
    peer.send_all("Password: ");
    wait_for_input_line(terminal, "Password: ", 10);
    terminal.type("abc");
    wait_for_input_line(terminal, "Password: abc", 13);
    peer.send_all("is not needed\n");
    terminal.wait_for_text("Password: is not needed\n");
    wait_for_input_line(terminal, "abc", 3);
    CHECK(row_equal_to(terminal, "Password: is not needed") + 1 ==
          static_cast<std::size_t>(terminal.cursor().row));
    terminal.press("Enter");
    CHECK(peer.read_exactly(4) == "abc\n");
    // An unfinished line longer than 4096 bytes is a line of its own, not a prompt.
    peer.send_all(std::string(5000, 'x'));
    terminal.wait_until(
        [](const std::string& all) {
            return all.find(std::string(4096, 'x')) != std::string::npos;
        },
        "4096 x's as a line", default_timeout, true);
    terminal.type("typed");
    terminal.press("Enter");
    CHECK(peer.read_exactly(6) == "typed\n");
    peer.close();
    check_clean_exit(terminal, 0);
}

TEST_CASE("line mode: --crlf sends each line with CR LF", "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port(), {"--crlf"}));
    Socket peer = listener.accept();
    peer.send_all("ready\r\n");
    terminal.wait_for_text("ready\n");
    terminal.type("one");
    terminal.press("Enter");
    terminal.paste("two\nthree\n");
    CHECK(peer.read_exactly(17) == "one\r\ntwo\r\nthree\r\n");
    peer.close();
    check_clean_exit(terminal, 0);
}

TEST_CASE("line mode: --color always keeps the peer's colours, and nothing else", "[line-mode]") {
    const std::string coloured = "\x1b[31mred\x1b[0m plain \x1b[2J\n";
    SECTION("by default colours are shown escaped too") {
        PeerListener listener;
        TmuxTerminal terminal(connect_command(listener.port()));
        Socket peer = listener.accept();
        peer.send_all(coloured);
        terminal.wait_for_text("^[[31mred^[[0m plain ^[[2J\n");
        CHECK(terminal.screen_with_attributes().find("\x1b[31m") == std::string::npos);
    }
    SECTION("--color always") {
        PeerListener listener;
        TmuxTerminal terminal(connect_command(listener.port(), {"--color", "always"}));
        Socket peer = listener.accept();
        peer.send_all(coloured);
        terminal.wait_for_text("red plain ^[[2J\n");
        CHECK(terminal.screen_with_attributes().find("\x1b[31mred") != std::string::npos);
        // An unfinished line, the input line's prompt, is shown without its colours: what is
        // typed after it is never in the peer's colour.
        peer.send_all("\x1b[32mgreen, unfinished");
        terminal.wait_for_text("green, unfinished");
        terminal.type("typed");
        wait_for_input_line(terminal, "green, unfinishedtyped", 22);
        CHECK(terminal.screen_with_attributes().find("\x1b[32m") == std::string::npos);
    }
}

TEST_CASE("line mode: --history-file keeps the lines for the next session", "[line-mode]") {
    // A directory of its own, so that tcpkit creates the file (and picks its mode).
    struct ScratchDirectory {
        ScratchDirectory() {
            char name[] = "/tmp/tcpkit-history-XXXXXX";
            REQUIRE(::mkdtemp(name) != nullptr);
            path = name;
        }
        ~ScratchDirectory() {
            std::remove((path + "/history").c_str());
            ::rmdir(path.c_str());
        }
        std::string path;
    } directory;
    const std::string history_file = directory.path + "/history";
    {
        PeerListener listener;
        TmuxTerminal terminal(connect_command(listener.port(), {"--history-file", history_file}));
        Socket peer = listener.accept();
        peer.send_all("ready\n");
        terminal.wait_for_text("ready\n");
        terminal.type("remembered line");
        terminal.press("Enter");
        CHECK(peer.read_exactly(16) == "remembered line\n");
        peer.close();
        check_clean_exit(terminal, 0);
    }
    struct stat status {};
    REQUIRE(::stat(history_file.c_str(), &status) == 0);
    CHECK((status.st_mode & 0777) == 0600);
    {
        PeerListener listener;
        TmuxTerminal terminal(connect_command(listener.port(), {"--history-file", history_file}));
        Socket peer = listener.accept();
        peer.send_all("ready again\n");
        terminal.wait_for_text("ready again\n");
        terminal.press("Up");
        wait_for_input_line(terminal, "remembered line", 15);
        terminal.press("Enter");
        CHECK(peer.read_exactly(16) == "remembered line\n");
        peer.close();
        check_clean_exit(terminal, 0);
    }
}

TEST_CASE("line mode: SIGTERM exits 130 with the terminal as it was", "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port()));
    Socket peer = listener.accept();
    peer.send_all("ready\n");
    terminal.wait_for_text("ready\n");
    terminal.type("half");
    wait_for_input_line(terminal, "half", 4);
    REQUIRE(::kill(terminal.command_pid(), SIGTERM) == 0);
    check_clean_exit(terminal, 130);
}

TEST_CASE("line mode: listen at a terminal edits lines as connect does", "[line-mode]") {
    TmuxTerminal terminal({tcpkit_binary(), "listen", "--host", "127.0.0.1", "--port", "0"});
    // The `listening on` line is on the terminal (stderr): the port is read off the screen.
    const std::string marker = "listening on 127.0.0.1:";
    terminal.wait_until(
        [&](const std::string& screen) {
            auto at = screen.find(marker);
            return at != std::string::npos && screen.find('\n', at) != std::string::npos;
        },
        "the listening on line");
    std::string screen = terminal.screen();
    auto port =
        static_cast<std::uint16_t>(std::stoi(screen.substr(screen.find(marker) + marker.size())));
    Socket peer = Socket::connect(port);
    peer.send_all("hello, listener\n");
    terminal.wait_for_text("hello, listener\n");
    terminal.type("half");
    peer.send_all("\x1b[2Jmore\n");
    terminal.wait_for_text("^[[2Jmore\n");
    wait_for_input_line(terminal, "half", 4);
    terminal.type(" and whole");
    terminal.press("Enter");
    CHECK(peer.read_exactly(15) == "half and whole\n");
    peer.close();
    check_clean_exit(terminal, 0);
}

TEST_CASE("line mode: a narrower window keeps the peer's lines and redraws the wrapped input line",
          "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port()), 40, 12);
    Socket peer = listener.accept();
    peer.send_all("line one\nline two\n");
    terminal.wait_for_text("line one\nline two\n");
    std::string typed;
    for (char piece = 'a'; piece < 'a' + 7; ++piece) {
        typed += std::string(1, piece) + "123456789";
    }
    terminal.type(typed);  // 70 characters: 40 + 30 columns
    terminal.wait_for_text(typed.substr(40));
    terminal.resize(30, 12);
    // 30 + 30 + 10 columns now, under the peer's lines, the cursor after the text.
    terminal.wait_until(
        [&](const std::string&) {
            auto rows = used_rows(terminal);
            auto cursor = terminal.cursor();
            return rows.size() >= 5 &&
                   rows[rows.size() - 3] + rows[rows.size() - 2] + rows.back() == typed &&
                   rows.back().size() == 10 && cursor.row == static_cast<int>(rows.size()) - 1 &&
                   cursor.column == 10;
        },
        "the 70 characters on three rows of 30 columns");
    // tmux reflows the screen too (a real terminal may): the rows may move, into the
    // scrollback even, but the peer's lines are all still there, in order.
    CHECK(terminal.history().find("line one\nline two\n") != std::string::npos);
    terminal.press("Enter");
    CHECK(peer.read_exactly(71) == typed + "\n");
    peer.close();
    check_clean_exit(terminal, 0);
}

TEST_CASE("line mode: Ctrl+Z suspends with the terminal restored, fg brings the typed line back",
          "[line-mode]") {
    PeerListener listener;
    // An interactive shell with job control, as the user has; tcpkit started from it.
    // Its prompt from the environment: typed at once, a PS1=... could land before the shell's
    // first prompt and share its row.
    TmuxTerminal terminal({"/usr/bin/env", "PS1=sh> ", "/bin/sh", "-i"});
    wait_for_input_line(terminal, "sh> ", 4);
    terminal.type("stty -g; ");
    terminal.type(tcpkit_binary() + " connect 127.0.0.1 " + std::to_string(listener.port()));
    terminal.press("Enter");
    Socket peer = listener.accept();
    peer.send_all("ready\n");
    terminal.wait_for_text("ready\n");
    terminal.type("typed before");
    wait_for_input_line(terminal, "typed before", 12);
    terminal.press("C-z");
    // Back at the shell's prompt, at the start of a row, and the terminal is as it was:
    // `stty -g` says the same as before.
    wait_for_input_line(terminal, "sh> ", 4);
    terminal.type("stty -g");
    terminal.press("Enter");
    terminal.wait_until(
        [](const std::string& all) {
            // The two lines stty printed (no blanks in them, unlike the commands) are equal.
            std::vector<std::string> settings;
            std::size_t start = 0;
            for (std::size_t end; (end = all.find('\n', start)) != std::string::npos;
                 start = end + 1) {
                std::string row = all.substr(start, end - start);
                if (row.find(':') != std::string::npos && row.find(' ') == std::string::npos &&
                    row.size() > 40) {
                    settings.push_back(row);
                }
            }
            return settings.size() == 2 && settings[0] == settings[1];
        },
        "stty's settings after Ctrl+Z the same as before tcpkit started", default_timeout,
        true);  // the whole history, wrapped rows joined: stty's line may be wider than the screen
    terminal.type("fg");
    terminal.press("Enter");
    wait_for_input_line(terminal, "typed before", 12);
    terminal.type(", and after");
    terminal.press("Enter");
    CHECK(peer.read_exactly(24) == "typed before, and after\n");
    peer.close();
    wait_for_input_line(terminal, "sh> ", 4);
}

TEST_CASE("line mode: Tab, Delete, Ctrl+A, Ctrl+E and Down", "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port()));
    Socket peer = listener.accept();
    peer.send_all("ready\n");
    terminal.wait_for_text("ready\n");
    terminal.type("a");
    terminal.press("Tab");  // a tab, no completion
    terminal.type("b");
    terminal.press("Enter");
    CHECK(peer.read_exactly(4) == "a\tb\n");
    terminal.type("xmiddle");
    terminal.press("C-a", "DC");  // Delete: the character under the cursor
    wait_for_input_line(terminal, "middle", 0);
    terminal.press("C-e");
    terminal.type("!");
    wait_for_input_line(terminal, "middle!", 7);
    // Up to the line before (its tab reaches column 8), Down back to the one being typed.
    terminal.press("Up");
    wait_for_input_line(terminal, "a       b", 9);
    terminal.press("Down");
    wait_for_input_line(terminal, "middle!", 7);
    terminal.press("Enter");
    CHECK(peer.read_exactly(8) == "middle!\n");
    peer.close();
    check_clean_exit(terminal, 0);
}

TEST_CASE("line mode: connect -u sends each line as a datagram and shows the replies",
          "[line-mode]") {
    Socket peer(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(peer.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::getsockname(peer.fd(), reinterpret_cast<sockaddr*>(&address), &length) == 0);
    TmuxTerminal terminal(connect_command(ntohs(address.sin_port), {"-u"}));

    sockaddr_in sender{};
    auto next_datagram = [&] {
        pollfd readable{peer.fd(), POLLIN, 0};
        REQUIRE(::poll(&readable, 1, static_cast<int>(default_timeout.count())) == 1);
        char buffer[2048];
        socklen_t sender_length = sizeof sender;
        ssize_t got = ::recvfrom(peer.fd(), buffer, sizeof buffer, 0,
                                 reinterpret_cast<sockaddr*>(&sender), &sender_length);
        REQUIRE(got >= 0);
        return std::string(buffer, static_cast<std::size_t>(got));
    };
    // Typed before anything came: tcpkit sends as soon as it has a line.
    terminal.type("first datagram");
    terminal.press("Enter");
    std::string first = next_datagram();
    CHECK((first == "first datagram\n" || first == "first datagram"));
    terminal.type("second");
    terminal.press("Enter");
    std::string second = next_datagram();
    CHECK((second == "second\n" || second == "second"));

    terminal.type("half");
    const std::string reply = "a reply \x1b[2J\n";
    REQUIRE(::sendto(peer.fd(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&sender),
                     sizeof sender) == static_cast<ssize_t>(reply.size()));
    terminal.wait_for_text("a reply ^[[2J\n");
    wait_for_input_line(terminal, "half", 4);
    terminal.press("C-c");
    check_clean_exit(terminal, 130);
}

TEST_CASE("line mode: --line without a terminal exits 2 with one line", "[line-mode]") {
    PeerListener listener;
    Process client(connect_command(listener.port(), {"--line"}));  // pipes, no terminal
    CHECK(client.wait_for_exit() == 2);
    CHECK(client.err() == "tcpkit: error: --line needs a terminal on standard input and output\n");
}

TEST_CASE("line mode: every exit leaves the terminal blocking, as the shell needs it",
          "[line-mode]") {
    // O_NONBLOCK belongs to the terminal's open file description, which tcpkit shares with the
    // shell: left on, the shell's next read fails (dash: "sh: turning off NDELAY mode", cat:
    // "Resource temporarily unavailable"). `stty -g` does not show it; /proc does (Linux).
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port()));
    Socket peer = listener.accept();
    peer.send_all("ready\n");
    terminal.wait_for_text("ready\n");
    int expected_status = 0;
    SECTION("the peer closes") {
        peer.close();
    }
    SECTION("Ctrl+D, then the peer closes") {
        terminal.press("C-d");
        CHECK(peer.read_to_end() == "");
        peer.close();
    }
    SECTION("Ctrl+C") {
        terminal.press("C-c");
        expected_status = 130;
    }
    SECTION("SIGTERM") {
        REQUIRE(::kill(terminal.command_pid(), SIGTERM) == 0);
        expected_status = 130;
    }
    check_clean_exit(terminal, expected_status);
    if (terminal.terminal_flags_before().empty()) {
        WARN("no /proc/PID/fdinfo here: the terminal's flags are not known");
        return;
    }
    CHECK(terminal.terminal_flags_after() == terminal.terminal_flags_before());
}

TEST_CASE("line mode: a reset ends with status 1, its message on a row of its own", "[line-mode]") {
    PeerListener listener;
    TmuxTerminal terminal(connect_command(listener.port(), {"-v"}));
    Socket peer = listener.accept();
    peer.send_all("ready\n");
    terminal.wait_for_text("ready\n");
    terminal.type("typed, never sent");
    wait_for_input_line(terminal, "typed, never sent", 17);
    peer.reset();
    check_clean_exit(terminal, 1);
    // The error is a line of its own (not drawn into the input line), and the typed text is not
    // glued to it.
    bool found = false;
    for (const auto& row : terminal.screen_lines()) {
        if (row.find("connection reset by peer") != std::string::npos) {
            CHECK(row.rfind("tcpkit: error: connection reset by peer", 0) == 0);
            found = true;
        }
    }
    if (!found) {
        terminal.fail_with_screen("no line says the connection was reset");
    }
}
