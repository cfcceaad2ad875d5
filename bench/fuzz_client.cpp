// tcpkit-fuzz-client: hostile traffic for a running chat-server or echo-server, from outside.
//
//   tcpkit-fuzz-client chat|echo HOST PORT [-c 200] [-d SECONDS] [--seed N] [--max-line 4096]
//
// It keeps about -c connections busy for -d seconds, each connection doing one thing a hostile or
// careless peer does: a valid chat session, mutated valid commands, broken UTF-8, C0/C1 controls
// and escape sequences, lines above the server's limit, bytes trickled one at a time, a
// half-close, a disconnect at a random point, a reset (SO_LINGER 0), or never reading at all.
// It starts nothing itself (bench/fuzz_servers.py starts the server and judges it afterwards);
// it only checks what a peer can check by itself: that an echo server echoes exactly what it was
// sent to the connections that behave. Everything is drawn from one seeded PRNG (each connection
// from its own generator, seeded from the run's seed and its number), printed at the start, so
// the bytes of a run can be sent again; the timing, and so the interleaving, cannot.
//
// One thread, one Asio event loop. Every connection has a lifetime after which it is ended, and
// the run is over at -d plus a grace period whatever the server does. Prints one JSON object.
// Loopback only: the fuzz driver never points it anywhere else.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <asio.hpp>
#include <asio/experimental/awaitable_operators.hpp>

namespace {

using Clock = std::chrono::steady_clock;
using asio::ip::tcp;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

enum class Target { chat, echo };

// What one connection does; counted by name in the summary.
enum class Behaviour {
    valid_session,  // chat: a name and real commands; echo: bytes whose echo is checked
    mutated,        // valid commands with bytes flipped, inserted, deleted, repeated
    broken_utf8,    // overlong forms, surrogates, lone continuation bytes, cut sequences
    control_bytes,  // C0, C1 (raw and encoded), DEL, escape sequences, bidi overrides
    giant_lines,    // lines above --max-line, some never ended
    trickle,        // valid and hostile bytes, one byte per write with pauses between
    never_read,     // sends (commands that draw answers, or echo data) and never reads
    count
};

constexpr std::array<std::string_view, static_cast<std::size_t>(Behaviour::count)> behaviour_names{
    "valid_session", "mutated", "broken_utf8", "control_bytes",
    "giant_lines",   "trickle", "never_read"};

// How a connection ends, after its script or when its lifetime runs out.
enum class Ending { close, reset, half_close };

struct Stats {
    std::uint64_t connections = 0;
    std::uint64_t connect_failures = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t resets_sent = 0;
    std::uint64_t half_closes = 0;
    std::uint64_t closed_by_server = 0;  // the server ended it first (EOF or reset seen)
    std::uint64_t cut_short = 0;         // lifetime ran out mid-script (a random disconnect)
    std::uint64_t echo_checked_bytes = 0;
    std::uint64_t echo_mismatches = 0;
    std::array<std::uint64_t, static_cast<std::size_t>(Behaviour::count)> behaviours{};
};

struct Settings {
    Target target = Target::chat;
    tcp::endpoint endpoint;
    std::size_t max_line = 4096;
    Clock::time_point stop_at;
};

// ---- generators --------------------------------------------------------------------------------

class Generator {
  public:
    explicit Generator(std::uint64_t seed) : random_(seed) {}

    std::size_t below(std::size_t bound) {
        return std::uniform_int_distribution<std::size_t>(0, bound - 1)(random_);
    }
    std::size_t between(std::size_t low, std::size_t high) { return low + below(high - low + 1); }
    bool chance(double probability) { return std::bernoulli_distribution(probability)(random_); }
    char byte() { return static_cast<char>(below(256)); }
    template <typename T>
    const T& pick(const std::vector<T>& items) {
        return items[below(items.size())];
    }

    std::string line_end() {
        // Mostly LF or CRLF; now and then a lone CR (a telnet in the wrong mode).
        std::size_t kind = below(10);
        return kind < 5 ? "\n" : kind < 9 ? "\r\n" : "\r";
    }

    std::string nickname(std::size_t number) {
        if (chance(0.85)) {
            return fmt::format("fz{}", number);
        }
        // Names the server must refuse or repair: empty, too long, spaces, controls, commands.
        static const std::vector<std::string> odd{"",
                                                  " ",
                                                  "a b",
                                                  std::string(300, 'n'),
                                                  "/who",
                                                  "\x1b[31mred",
                                                  "\xc3\xa9t\xc3\xa9",
                                                  "\xd0\xb0lice",
                                                  "\xef\xbc\xa1\xef\xbc\xac",
                                                  "\xff\xfe",
                                                  std::string("x\0y", 3),
                                                  "\xe2\x80\xae"
                                                  "evil"};
        return pick(odd);
    }

    std::string text() {
        static const std::vector<std::string> phrases{
            "hello there",
            "the quick brown fox",
            "caf\xc3\xa9 na\xc3\xafve \xc3\xbc",
            "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
            "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c",
            "\xf0\x9f\x98\x80 emoji",
            "tabs\tand  spaces",
            "e\xcc\x81 decomposed"};
        return pick(phrases);
    }

    // A command the chat server understands, or ordinary text.
    std::string chat_command(std::size_t number) {
        switch (below(9)) {
            case 0:
                return fmt::format("/nick fz{}n{}", number, below(100));
            case 1:
                return fmt::format("/msg fz{} {}", below(400), text());
            case 2:
                return fmt::format("/me {}", text());
            case 3:
                return "/who";
            case 4:
                return "/help";
            case 5:
                return fmt::format("/{}", text());  // unknown command
            default:
                return text();
        }
    }

    void mutate(std::string& bytes) {
        std::size_t mutations = between(1, 4);
        for (std::size_t i = 0; i < mutations; ++i) {
            if (bytes.empty()) {
                bytes.push_back(byte());
                continue;
            }
            std::size_t at = below(bytes.size());
            switch (below(7)) {
                case 0:
                    bytes[at] = static_cast<char>(bytes[at] ^ (1 << below(8)));
                    break;
                case 1:
                    bytes.insert(at, 1, byte());
                    break;
                case 2:
                    bytes.erase(at, 1);
                    break;
                case 3:
                    bytes.insert(at, bytes.substr(at, between(1, 16)));
                    break;
                case 4:
                    bytes.resize(at);
                    break;
                case 5: {
                    static const std::string boundary{"\x00\x7f\x80\xff\r\n\x1b\xc0", 8};
                    bytes[at] = boundary[below(boundary.size())];
                    break;
                }
                default:
                    bytes.insert(at, broken_utf8_piece());
                    break;
            }
        }
    }

    std::string broken_utf8_piece() {
        static const std::vector<std::string> pieces{
            "\x80",                  // a continuation byte alone
            "\xbf\xbf",              //
            "\xc3",                  // a two-byte form cut short
            "\xe2\x82",              // a three-byte form cut short
            "\xf0\x9f\x98",          // a four-byte form cut short
            "\xc0\xaf",              // overlong '/'
            "\xe0\x80\xaf",          // overlong '/', three bytes
            "\xf0\x80\x80\xaf",      // overlong '/', four bytes
            "\xed\xa0\x80",          // a UTF-16 surrogate
            "\xed\xbf\xbf",          //
            "\xf4\x90\x80\x80",      // above U+10FFFF
            "\xf8\x88\x80\x80\x80",  // five-byte form
            "\xfe",
            "\xff",
            "\xc1\xbf",  // overlong
        };
        return pick(pieces);
    }

    std::string control_piece() {
        static const std::vector<std::string> pieces{
            "\x1b[2J\x1b[H",     // clear the screen
            "\x1b]0;pwned\x07",  // set the window title
            "\x1b[31m",          // colour
            "\x1b[6n",           // ask the terminal for the cursor position
            "\x9b"
            "31m",  // raw C1 CSI
            "\xc2\x9b"
            "31m",                   // C1 CSI as UTF-8
            "\xc2\x85",              // NEL as UTF-8
            "\xe2\x80\xae",          // right-to-left override
            "\xe2\x80\x8b",          // zero-width space
            "\xe2\x80\xa8",          // line separator
            std::string("\x00", 1),  //
            "\x07\x08\x7f",          // bell, backspace, DEL
            "\r",                    // a carriage return inside a line
            "\x0b\x0c",              // vertical tab, form feed
        };
        if (chance(0.3)) {
            return std::string(1, static_cast<char>(below(32)));
        }
        return pick(pieces);
    }

    std::string mixed_line(std::size_t number, bool utf8, bool controls) {
        std::string line = target_is_chat ? chat_command(number) : text();
        std::size_t pieces = between(1, 6);
        for (std::size_t i = 0; i < pieces; ++i) {
            std::string piece = utf8 ? broken_utf8_piece() : controls ? control_piece() : "";
            line.insert(below(line.size() + 1), piece);
        }
        return line;
    }

    std::string giant_line(std::size_t max_line) {
        std::size_t length = between(max_line + 1, max_line * (chance(0.2) ? 64 : 4));
        std::string line(length, 'A');
        if (chance(0.5)) {
            for (auto& c : line) {
                c = static_cast<char>(between(0x20, 0x7e));
            }
        }
        return line;
    }

    bool target_is_chat = true;

  private:
    std::mt19937_64 random_;
};

// The bytes one connection sends, as the writes it makes (trickle turns them into single bytes).
std::vector<std::string> script_for(Behaviour behaviour, Generator& random, std::size_t number,
                                    const Settings& settings) {
    std::vector<std::string> writes;
    bool chat = settings.target == Target::chat;
    if (chat) {
        std::string name = behaviour == Behaviour::valid_session ? fmt::format("fz{}", number)
                                                                 : random.nickname(number);
        if (behaviour == Behaviour::mutated && random.chance(0.5)) {
            random.mutate(name);
        }
        writes.push_back(name + random.line_end());
    }
    std::size_t lines = random.between(1, 30);
    for (std::size_t i = 0; i < lines; ++i) {
        std::string line;
        switch (behaviour) {
            case Behaviour::valid_session:
                if (chat) {
                    line = random.chat_command(number);
                } else if (random.chance(0.3)) {
                    // Any bytes at all, up to 64 KiB: the echo is checked byte for byte.
                    line.resize(random.between(1, 65536));
                    for (auto& c : line) {
                        c = random.byte();
                    }
                } else {
                    line = random.text();
                }
                break;
            case Behaviour::mutated:
                line = chat ? random.chat_command(number) : random.text();
                random.mutate(line);
                break;
            case Behaviour::broken_utf8:
                line = random.mixed_line(number, true, false);
                break;
            case Behaviour::control_bytes:
                line = random.mixed_line(number, false, true);
                break;
            case Behaviour::giant_lines:
                line = random.chance(0.7) ? random.giant_line(settings.max_line)
                                          : random.chat_command(number);
                break;
            case Behaviour::trickle:
                line = random.chance(0.5) ? random.chat_command(number)
                                          : random.mixed_line(number, random.chance(0.5), true);
                break;
            case Behaviour::never_read:
                // Commands that each draw an answer, so the server's queue for it fills.
                line = chat ? (random.chance(0.8) ? "/help" : "/who") : random.giant_line(4096);
                break;
            case Behaviour::count:
                break;
        }
        writes.push_back(line + random.line_end());
    }
    if (chat && behaviour == Behaviour::valid_session && random.chance(0.5)) {
        writes.push_back("/quit\n");
    }
    // A giant line left unterminated: the server must not wait for its end forever.
    if (behaviour == Behaviour::giant_lines && random.chance(0.3)) {
        writes.push_back(random.giant_line(settings.max_line));
    }
    return writes;
}

// ---- one connection ----------------------------------------------------------------------------

struct Connection {
    explicit Connection(asio::any_io_executor executor) : socket(executor), lifetime(executor) {}
    tcp::socket socket;
    asio::steady_timer lifetime;
    std::string echo_due;  // bytes sent whose echo has not come back yet (echo, valid sessions)
    bool check_echo = false;
    bool writing_done = false;
    bool server_ended = false;
};

asio::awaitable<void> write_script(Connection& connection, const std::vector<std::string>& writes,
                                   bool trickle, Generator& random, Stats& stats) {
    try {
        for (const auto& bytes : writes) {
            if (trickle) {
                for (char c : bytes) {
                    co_await asio::async_write(connection.socket, asio::buffer(&c, 1),
                                               asio::use_awaitable);
                    ++stats.bytes_sent;
                    asio::steady_timer pause(connection.socket.get_executor(),
                                             std::chrono::milliseconds(random.between(0, 15)));
                    co_await pause.async_wait(asio::use_awaitable);
                }
                continue;
            }
            if (connection.check_echo) {
                connection.echo_due += bytes;
            }
            // Sometimes split a write, so the server sees lines in pieces.
            std::size_t split = random.chance(0.3) ? random.below(bytes.size() + 1) : bytes.size();
            co_await asio::async_write(connection.socket, asio::buffer(bytes.data(), split),
                                       asio::use_awaitable);
            co_await asio::async_write(connection.socket,
                                       asio::buffer(bytes.data() + split, bytes.size() - split),
                                       asio::use_awaitable);
            stats.bytes_sent += bytes.size();
        }
        connection.writing_done = true;
    } catch (const std::system_error&) {
        // Reset by the server, or closed by the lifetime timer: the connection is over.
    }
}

asio::awaitable<void> read_all(Connection& connection, Stats& stats) {
    std::array<char, 16384> chunk{};
    try {
        for (;;) {
            std::size_t count = co_await connection.socket.async_read_some(asio::buffer(chunk),
                                                                           asio::use_awaitable);
            stats.bytes_received += count;
            if (connection.check_echo) {
                std::string_view got(chunk.data(), count);
                std::size_t same = std::min(got.size(), connection.echo_due.size());
                if (got.substr(0, same) != std::string_view(connection.echo_due).substr(0, same) ||
                    got.size() > connection.echo_due.size()) {
                    ++stats.echo_mismatches;
                    connection.check_echo = false;
                } else {
                    stats.echo_checked_bytes += same;
                    connection.echo_due.erase(0, same);
                }
            }
        }
    } catch (const std::system_error& failure) {
        if (failure.code() == asio::error::eof || failure.code() == asio::error::connection_reset) {
            connection.server_ended = true;
        }
    }
}

void reset(tcp::socket& socket) {
    std::error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
}

asio::awaitable<void> one_connection(const Settings& settings, std::uint64_t seed,
                                     std::size_t number, Stats& stats) {
    Generator random(seed);
    random.target_is_chat = settings.target == Target::chat;
    auto behaviour =
        static_cast<Behaviour>(random.below(static_cast<std::size_t>(Behaviour::count)));
    ++stats.behaviours[static_cast<std::size_t>(behaviour)];
    std::size_t ending_draw = random.below(10);
    Ending ending = ending_draw < 4   ? Ending::close
                    : ending_draw < 7 ? Ending::reset
                                      : Ending::half_close;
    auto writes = script_for(behaviour, random, number, settings);
    // Most connections live a few seconds; the lifetime is where a "random disconnect" happens.
    auto lifetime = std::chrono::milliseconds(random.between(50, 6000));
    auto executor = co_await asio::this_coro::executor;
    Connection connection(executor);
    connection.check_echo =
        settings.target == Target::echo && behaviour == Behaviour::valid_session;
    connection.lifetime.expires_after(std::min<Clock::duration>(
        lifetime, std::max<Clock::duration>(settings.stop_at - Clock::now(), 0s)));

    // The lifetime timer closes the socket, which ends every operation still waiting on it.
    bool timed_out = false;
    connection.lifetime.async_wait([&](std::error_code error) {
        if (!error) {
            timed_out = true;
            if (ending == Ending::reset) {
                reset(connection.socket);
            } else {
                std::error_code ignored;
                connection.socket.close(ignored);
            }
        }
    });
    std::error_code connect_error;
    co_await connection.socket.async_connect(
        settings.endpoint, asio::redirect_error(asio::use_awaitable, connect_error));
    if (connect_error) {
        ++stats.connect_failures;
        connection.lifetime.cancel();
        // Let the cancelled handler run before `connection` goes away.
        co_await asio::post(executor, asio::use_awaitable);
        co_return;
    }
    ++stats.connections;
    bool trickle = behaviour == Behaviour::trickle;
    if (behaviour == Behaviour::never_read) {
        // A small window, so the server's own queue, not the kernel's buffers, takes the backlog.
        std::error_code ignored;
        connection.socket.set_option(asio::socket_base::receive_buffer_size(4096), ignored);
        co_await write_script(connection, writes, false, random, stats);
        if (!timed_out) {
            // Hold the connection, unread, until its lifetime ends.
            asio::steady_timer hold(executor, connection.lifetime.expiry());
            std::error_code ignored_wait;
            co_await hold.async_wait(asio::redirect_error(asio::use_awaitable, ignored_wait));
        }
    } else {
        auto writer = [&]() -> asio::awaitable<void> {
            co_await write_script(connection, writes, trickle, random, stats);
            if (timed_out || !connection.socket.is_open()) {
                co_return;
            }
            switch (ending) {
                case Ending::half_close: {
                    std::error_code ignored;
                    connection.socket.shutdown(tcp::socket::shutdown_send, ignored);
                    ++stats.half_closes;
                    break;  // the reader goes on to the server's end (or the lifetime's)
                }
                case Ending::reset:
                    ++stats.resets_sent;
                    reset(connection.socket);
                    break;
                case Ending::close:
                    // Valid sessions wait a little for answers (echo: for the whole echo) first;
                    // the others close at once.
                    for (int waits = 0; behaviour == Behaviour::valid_session && waits < 20 &&
                                        (waits < 4 || !connection.echo_due.empty());
                         ++waits) {
                        asio::steady_timer pause(executor, 50ms);
                        co_await pause.async_wait(asio::use_awaitable);
                    }
                    std::error_code ignored;
                    connection.socket.close(ignored);
                    break;
            }
        };
        co_await (writer() && read_all(connection, stats));
    }
    if (timed_out && !connection.writing_done) {
        ++stats.cut_short;
    }
    if (timed_out && ending == Ending::reset) {
        ++stats.resets_sent;
    }
    if (connection.server_ended) {
        ++stats.closed_by_server;
    }
    connection.lifetime.cancel();
    std::error_code ignored;
    connection.socket.close(ignored);  // after a half-close, once the server has ended its side
    co_await asio::post(executor, asio::use_awaitable);
}

// One of the -c slots: connection after connection until the end of the run.
asio::awaitable<void> slot(const Settings& settings, std::uint64_t seed, std::size_t index,
                           std::size_t slots, Stats& stats) {
    for (std::size_t round = 0; Clock::now() < settings.stop_at; ++round) {
        std::size_t number = round * slots + index;
        // A per-connection seed: the run's seed and the connection's number, mixed.
        std::uint64_t connection_seed = seed ^ (0x9e3779b97f4a7c15ULL * (number + 1));
        co_await one_connection(settings, connection_seed, number, stats);
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("tcpkit-fuzz-client: hostile traffic for a running chat-server or echo-server");
    std::string target_name;
    std::string host;
    std::uint16_t port = 0;
    std::size_t connections = 200;
    double seconds = 60;
    std::uint64_t seed = std::random_device{}();
    std::size_t max_line = 4096;
    app.add_option("target", target_name, "chat or echo")
        ->required()
        ->check(CLI::IsMember({"chat", "echo"}));
    app.add_option("host", host, "Server address (loopback)")->required();
    app.add_option("port", port, "Server port")->required();
    app.add_option("-c,--connections", connections, "Connections kept busy at once")
        ->check(CLI::Range(1, 10000));
    app.add_option("-d,--seconds", seconds, "How long to run")->check(CLI::Range(0.1, 86400.0));
    app.add_option("--seed", seed, "Seed of the PRNG (printed; default: random)");
    app.add_option("--max-line", max_line, "The server's --max-line: giant lines go above it")
        ->check(CLI::Range(16, 1 << 20));
    CLI11_PARSE(app, argc, argv);

    Settings settings;
    settings.target = target_name == "chat" ? Target::chat : Target::echo;
    settings.endpoint = tcp::endpoint(asio::ip::make_address(host), port);
    settings.max_line = max_line;
    auto start = Clock::now();
    settings.stop_at =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    fmt::print(stderr, "fuzz-client: {} {}:{}, {} connections, {:.0f} s, seed {}\n", target_name,
               host, port, connections, seconds, seed);

    asio::io_context context(1);
    Stats stats;
    for (std::size_t i = 0; i < connections; ++i) {
        asio::co_spawn(context, slot(settings, seed, i, connections, stats), asio::detached);
    }
    // Every connection ends by its lifetime; this bounds the run even if that went wrong.
    context.run_until(settings.stop_at + 10s);
    bool finished = context.stopped();
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

    std::string behaviours;
    for (std::size_t i = 0; i < behaviour_names.size(); ++i) {
        behaviours +=
            fmt::format("{}\"{}\":{}", i == 0 ? "" : ",", behaviour_names[i], stats.behaviours[i]);
    }
    fmt::print(R"({{"target":"{}","seed":{},"seconds":{:.2f},"finished":{},"connections":{},)"
               R"("connect_failures":{},"bytes_sent":{},"bytes_received":{},"resets_sent":{},)"
               R"("half_closes":{},"closed_by_server":{},"cut_short":{},"echo_checked_bytes":{},)"
               R"("echo_mismatches":{},"behaviours":{{{}}}}})"
               "\n",
               target_name, seed, elapsed, finished, stats.connections, stats.connect_failures,
               stats.bytes_sent, stats.bytes_received, stats.resets_sent, stats.half_closes,
               stats.closed_by_server, stats.cut_short, stats.echo_checked_bytes,
               stats.echo_mismatches, behaviours);
    return finished && stats.echo_mismatches == 0 ? 0 : 1;
}
