// tcpkit-soak-client: the clients of the churn soak (bench/soak.py), against a running
// chat-server.
//
//   tcpkit-soak-client HOST PORT [-c 2000] [-d 600] [--interval 5] [--stayers 0.5] [--slow 0.1]
//                      [--seed N]
//
// -c clients are in the room at any time. A share of them (--stayers) join first and stay for the
// whole run; the others churn: each joins, talks, and after 10 to 90 s leaves by /quit, by a
// half-close read to the server's end, or by a reset (SO_LINGER 0), and a new one takes its
// place. Every client sends one line every --interval seconds (a random phase each, so the room
// gets a steady rate), `#SEQ soak`, numbered per sender. A share of the stayers (--slow) read
// through a small window and stop reading now and then for a few seconds, within the server's
// queue limit.
//
// What is checked, by everyone for everyone:
// - a stayer receives every line of every other stayer, and of every churner that left
//   gracefully (or was still there at the end), in order, exactly once;
// - of a churner that reset its connection, every stayer receives the same first lines (the
//   server may drop what it had not read), in order, exactly once;
// - a churner receives each sender's lines in order, without gaps or repeats, from the first one
//   it sees (it joined in the middle);
// - the server disconnects no one (but those who leave), and every join succeeds.
// Lines stop at -d; then the run waits (at most 30 s) until no line has arrived for 2 s, checks,
// closes everything and prints one JSON object (exit status 1 when a check failed).
//
// One thread, one Asio event loop; every wait is bounded and the run ends by itself. Loopback only.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <asio.hpp>

namespace {

using Clock = std::chrono::steady_clock;
using asio::ip::tcp;
using namespace std::chrono_literals;

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

Clock::duration seconds_of(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

enum class Leave { quit, half_close, reset, stayed };

// What is known of a sender once the run is over, for the receivers' checks.
struct SenderRecord {
    std::uint32_t sent = 0;  // lines fully written
    bool stayer = false;
    Leave leave = Leave::stayed;
};

struct Settings {
    tcp::endpoint endpoint;
    std::size_t clients = 2000;
    std::size_t stayers = 1000;
    std::size_t slow_stayers = 100;
    Clock::duration interval = 5s;
    Clock::duration talk_for = 600s;
    // Set once the stayers have all joined: lines are sent from then for talk_for.
    Clock::time_point talk_until = Clock::time_point::max();
    std::uint64_t seed = 0;
};

struct Run {
    Settings settings;
    std::vector<SenderRecord> senders;  // by id: stayers 0..stayers-1, then churners
    std::uint64_t lines_sent = 0;
    std::uint64_t deliveries = 0;  // lines of the soak received, by anyone
    std::uint64_t stayer_joins = 0;
    std::uint64_t churner_joins = 0;
    std::uint64_t join_failures = 0;
    std::uint64_t stayers_disconnected = 0;
    std::uint64_t churners_disconnected = 0;  // by the server, before they left
    std::uint64_t lost = 0;                   // a line skipped (a gap in a sender's sequence)
    std::uint64_t duplicated = 0;             // a line seen again, or out of order
    std::uint64_t disagreements = 0;
    std::uint64_t slow_pauses = 0;
    std::size_t paused = 0;  // slow stayers not reading right now
    std::uint64_t leave_timeouts = 0;
    std::array<std::uint64_t, 3> leaves{};  // by Leave: quit, half_close, reset
    bool closing = false;                   // the checks are done: everyone may go
    std::size_t churn_slots = 0;            // churn slots still running
    Clock::time_point last_delivery;
    std::vector<std::string> examples;  // the first few failures, said in words

    void failure(std::string what) {
        if (examples.size() < 10) {
            examples.push_back(std::move(what));
        }
    }
};

// One client in the room.
struct Member {
    Member(asio::any_io_executor executor, std::uint32_t id, bool stayer, bool slow)
        : socket(executor), id(id), stayer(stayer), slow(slow), done(executor) {}

    tcp::socket socket;
    std::uint32_t id;
    bool stayer;
    bool slow;
    std::string name() const { return fmt::format("{}{}", stayer ? 's' : 'c', id); }
    std::string pending;      // an unfinished line of the last read
    std::string last_notice;  // the last line the server said to this client alone
    bool joined = false;
    bool ended = false;  // the server's end, or an error, seen by the reader
    bool leaving = false;
    // A stayer's last sequence number seen of each sender, by id (0: none yet); a churner's in a
    // map, for the few senders it hears while it is there.
    std::vector<std::uint32_t> last_of;
    std::unordered_map<std::uint32_t, std::uint32_t> last_heard;
    asio::steady_timer done;  // cancelled when the reader has finished
    bool reader_finished = false;
};

asio::awaitable<void> pause_for(Clock::duration duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    co_await timer.async_wait(asio::use_awaitable);
}

// The sender and sequence number of a soak line as the room shows it, `s12: #5 soak` or
// `c2001: #3 soak`; nothing for the room's other lines (joins, leaves, history, welcome).
struct Heard {
    std::uint32_t sender;
    std::uint32_t sequence;
};
std::optional<Heard> parse_line(std::string_view line) {
    if (line.size() < 6 || (line[0] != 's' && line[0] != 'c')) {
        return std::nullopt;
    }
    auto number_at = [&](std::size_t& at) -> std::optional<std::uint32_t> {
        std::uint32_t value = 0;
        std::size_t start = at;
        while (at < line.size() && line[at] >= '0' && line[at] <= '9' && at - start < 9) {
            value = value * 10 + static_cast<std::uint32_t>(line[at] - '0');
            ++at;
        }
        return at > start ? std::optional<std::uint32_t>(value) : std::nullopt;
    };
    std::size_t at = 1;
    auto sender = number_at(at);
    if (!sender || line.substr(at, 3) != ": #") {
        return std::nullopt;
    }
    at += 3;
    auto sequence = number_at(at);
    if (!sequence) {
        return std::nullopt;
    }
    return Heard{*sender, *sequence};
}

void hear(Member& member, Run& run, Heard heard) {
    ++run.deliveries;
    run.last_delivery = Clock::now();
    std::uint32_t* last = nullptr;
    if (member.stayer) {
        if (member.last_of.size() <= heard.sender) {
            member.last_of.resize(std::max<std::size_t>(heard.sender + 1, run.senders.size()), 0);
        }
        last = &member.last_of[heard.sender];
    } else {
        auto [entry, first] = member.last_heard.try_emplace(heard.sender, heard.sequence - 1);
        (void)first;  // a churner joined in the middle: its first line of a sender can be any
        last = &entry->second;
    }
    if (heard.sequence == *last + 1) {
        *last = heard.sequence;
        return;
    }
    if (heard.sequence > *last + 1) {
        run.lost += heard.sequence - *last - 1;
        run.failure(fmt::format("{}{} missed lines {} to {} of sender {}",
                                member.stayer ? 's' : 'c', member.id, *last + 1, heard.sequence - 1,
                                heard.sender));
        *last = heard.sequence;
    } else {
        ++run.duplicated;
        run.failure(fmt::format("{}{} got line {} of sender {} again or late (last was {})",
                                member.stayer ? 's' : 'c', member.id, heard.sequence, heard.sender,
                                *last));
    }
}

void take_lines(Member& member, Run& run, std::string_view bytes) {
    member.pending.append(bytes);
    std::string_view rest = member.pending;
    std::size_t start = 0;
    for (;;) {
        const void* found = std::memchr(rest.data() + start, '\n', rest.size() - start);
        if (found == nullptr) {
            break;
        }
        auto end = static_cast<std::size_t>(static_cast<const char*>(found) - rest.data());
        if (member.joined) {
            std::string_view line = rest.substr(start, end - start);
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            if (auto heard = parse_line(line)) {
                hear(member, run, *heard);
            } else if (line.substr(0, 2) != "* " && line.substr(0, 10) != "[history] ") {
                // The server's own words to this client (a notice before it cuts it off).
                member.last_notice.assign(line.substr(0, 200));
            }
        }
        start = end + 1;
    }
    member.pending.erase(0, start);
}

// Reads everything the server sends, to its end; slow stayers stop now and then.
asio::awaitable<void> read_room(std::shared_ptr<Member> member, Run& run, std::mt19937_64 random) {
    std::array<char, 4096> chunk{};
    auto next_pause = Clock::now() + seconds_of(std::uniform_real_distribution(5.0, 30.0)(random));
    try {
        for (;;) {
            if (member->slow && Clock::now() >= next_pause &&
                Clock::now() < run.settings.talk_until) {
                ++run.slow_pauses;
                ++run.paused;
                // Never past the end of the talking, so the final count waits for no one.
                auto pause = std::min<Clock::duration>(
                    seconds_of(std::uniform_real_distribution(2.0, 8.0)(random)),
                    run.settings.talk_until - Clock::now());
                co_await pause_for(pause);
                --run.paused;
                next_pause =
                    Clock::now() + seconds_of(std::uniform_real_distribution(10.0, 40.0)(random));
            }
            std::size_t count =
                co_await member->socket.async_read_some(asio::buffer(chunk), asio::use_awaitable);
            take_lines(*member, run, std::string_view(chunk.data(), count));
        }
    } catch (const std::system_error& failure) {
        if (!member->stayer && !member->leaving && member->joined) {
            ++run.churners_disconnected;
            run.failure(
                fmt::format("churner c{} was disconnected ({}); the server's last words to "
                            "it: {:?}",
                            member->id, failure.code().message(), member->last_notice));
        }
        if (member->stayer && !member->leaving) {
            ++run.stayers_disconnected;
            run.failure(
                fmt::format("stayer s{} was disconnected ({}); the server's last words to "
                            "it: {:?}",
                            member->id, failure.code().message(), member->last_notice));
        }
    }
    member->ended = true;
    member->reader_finished = true;
    member->done.cancel();
}

// Connects and chooses the name; true once the welcome has come (within 20 s).
asio::awaitable<bool> join(std::shared_ptr<Member> member, Run& run) {
    asio::steady_timer deadline(co_await asio::this_coro::executor, 20s);
    deadline.async_wait([member](std::error_code error) {
        if (!error && !member->joined) {
            std::error_code ignored;
            member->socket.close(ignored);
        }
    });
    try {
        if (member->slow) {
            // A small window, so that a pause fills the server's queue rather than the kernel's.
            member->socket.open(run.settings.endpoint.protocol());
            member->socket.set_option(asio::socket_base::receive_buffer_size(8192));
        }
        co_await member->socket.async_connect(run.settings.endpoint, asio::use_awaitable);
        std::string name_line = member->name() + "\n";
        co_await asio::async_write(member->socket, asio::buffer(name_line), asio::use_awaitable);
        std::array<char, 4096> chunk{};
        while (member->pending.find("Welcome, ") == std::string::npos ||
               member->pending.find('\n', member->pending.find("Welcome, ")) == std::string::npos) {
            std::size_t count =
                co_await member->socket.async_read_some(asio::buffer(chunk), asio::use_awaitable);
            member->pending.append(chunk.data(), count);
        }
        // Whatever came after the welcome line (history, joins) is the room's, read from here on.
        member->pending.erase(0, member->pending.find('\n', member->pending.find("Welcome, ")) + 1);
        member->joined = true;
    } catch (const std::system_error& failure) {
        ++run.join_failures;
        run.failure(fmt::format("{} could not join: {}; the server said {:?}", member->name(),
                                failure.code().message(), member->pending.substr(0, 200)));
    }
    deadline.cancel();
    co_return member->joined;
}

// Sends a line every interval from `first` until `until` (and returns then), or until the
// reader has ended.
asio::awaitable<void> talk(std::shared_ptr<Member> member, Run& run, Clock::time_point first,
                           Clock::time_point until) {
    auto due = first;
    while (due < until && !member->ended) {
        asio::steady_timer timer(co_await asio::this_coro::executor, due);
        co_await timer.async_wait(asio::use_awaitable);
        std::string line = fmt::format("#{} soak\n", run.senders[member->id].sent + 1);
        std::error_code error;
        co_await asio::async_write(member->socket, asio::buffer(line),
                                   asio::redirect_error(asio::use_awaitable, error));
        if (error) {
            co_return;
        }
        // By index: a churner joining meanwhile may have moved the vector.
        ++run.senders[member->id].sent;
        ++run.lines_sent;
        due += run.settings.interval;
    }
    // Then stay, quiet, to the end of the slot: leaving early would be more churn than chosen.
    if (!member->ended && Clock::now() < until) {
        asio::steady_timer timer(co_await asio::this_coro::executor, until);
        co_await timer.async_wait(asio::use_awaitable);
    }
}

asio::awaitable<void> wait_reader(std::shared_ptr<Member> member, Clock::duration limit) {
    if (!member->reader_finished) {
        member->done.expires_after(limit);
        std::error_code ignored;
        co_await member->done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
}

void reset(tcp::socket& socket) {
    std::error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
}

// A stayer: joins, talks until the end of the run, and is closed by `soak` after the checks.
asio::awaitable<void> stayer(std::shared_ptr<Member> member, Run& run, std::mt19937_64 random) {
    // (Not `if (!co_await ...)`: GCC 12 miscompiles a co_await in a condition here.)
    bool joined = co_await join(member, run);
    if (!joined) {
        co_return;
    }
    ++run.stayer_joins;
    asio::co_spawn(member->socket.get_executor(), read_room(member, run, std::mt19937_64(random())),
                   asio::detached);
}

// One place in the room that churners take in turn, until the end of the run.
asio::awaitable<void> churn_slot(Run& run, std::mt19937_64 random, std::size_t first_wait_ms) {
    co_await pause_for(std::chrono::milliseconds(first_wait_ms));
    while (Clock::now() < run.settings.talk_until) {
        auto id = static_cast<std::uint32_t>(run.senders.size());
        run.senders.push_back(SenderRecord{});
        auto member =
            std::make_shared<Member>(co_await asio::this_coro::executor, id, false, false);
        bool joined = co_await join(member, run);
        if (!joined) {
            co_await pause_for(1s);  // the server refused: do not spin
            continue;
        }
        ++run.churner_joins;
        asio::co_spawn(member->socket.get_executor(),
                       read_room(member, run, std::mt19937_64(random())), asio::detached);
        auto now = Clock::now();
        auto leave_at = now + seconds_of(std::uniform_real_distribution(10.0, 90.0)(random));
        auto phase = seconds_of(std::uniform_real_distribution(
            0.0, std::chrono::duration<double>(run.settings.interval).count())(random));
        co_await talk(member, run, now + phase, std::min(leave_at, run.settings.talk_until));
        if (Clock::now() >= run.settings.talk_until) {
            // Still there at the end: present for every line, kept until the checks are done.
            run.senders[id].leave = Leave::stayed;
            while (!run.closing && !member->ended && Clock::now() < run.settings.talk_until + 60s) {
                co_await pause_for(50ms);
            }
            member->leaving = true;
            std::error_code ignored;
            member->socket.close(ignored);
            break;
        }
        auto leave = static_cast<Leave>(std::uniform_int_distribution(0, 2)(random));
        run.senders[id].leave = leave;
        ++run.leaves[static_cast<std::size_t>(leave)];
        member->leaving = true;
        std::error_code ignored;
        switch (leave) {
            case Leave::quit:
                co_await asio::async_write(member->socket, asio::buffer("/quit\n", 6),
                                           asio::redirect_error(asio::use_awaitable, ignored));
                break;
            case Leave::half_close:
                member->socket.shutdown(tcp::socket::shutdown_send, ignored);
                break;
            default:
                reset(member->socket);
                break;
        }
        if (leave != Leave::reset) {
            // The server has read everything once it closes its side: wait for that end.
            co_await wait_reader(member, 10s);
            if (!member->reader_finished) {
                ++run.leave_timeouts;
                run.failure(fmt::format("{} left but the server did not close within 10 s",
                                        member->name()));
                reset(member->socket);
            }
        }
        co_await wait_reader(member, 5s);
        member->socket.close(ignored);
    }
    --run.churn_slots;
}

// The checks of what the stayers received, once the room has gone quiet.
void check_stayers(const std::vector<std::shared_ptr<Member>>& stayers, Run& run) {
    for (std::uint32_t sender = 0; sender < run.senders.size(); ++sender) {
        const auto& record = run.senders[sender];
        std::optional<std::uint32_t> agreed;
        for (const auto& member : stayers) {
            if (!member->joined || member->id == sender || member->ended) {
                continue;
            }
            std::uint32_t last = sender < member->last_of.size() ? member->last_of[sender] : 0;
            if (record.leave == Leave::reset) {
                if (last > record.sent) {
                    ++run.duplicated;
                    run.failure(fmt::format("s{} got {} lines of c{}, which sent {}", member->id,
                                            last, sender, record.sent));
                }
                if (agreed && *agreed != last) {
                    ++run.disagreements;
                    run.failure(fmt::format("of c{} (reset) s{} got {} lines, another stayer {}",
                                            sender, member->id, last, *agreed));
                }
                agreed = last;
            } else if (last != record.sent) {
                run.lost += record.sent > last ? record.sent - last : 0;
                run.duplicated += last > record.sent ? last - record.sent : 0;
                run.failure(fmt::format("s{} got {} lines of {}{}, which sent {}", member->id, last,
                                        record.stayer ? 's' : 'c', sender, record.sent));
            }
        }
    }
}

asio::awaitable<void> soak(Run& run, std::mt19937_64& random, int& status) {
    auto executor = co_await asio::this_coro::executor;
    const auto& settings = run.settings;
    std::vector<std::shared_ptr<Member>> stayers;
    run.senders.resize(settings.stayers);
    for (std::uint32_t id = 0; id < settings.stayers; ++id) {
        run.senders[id].stayer = true;
        stayers.push_back(std::make_shared<Member>(executor, id, true, id < settings.slow_stayers));
    }
    // Stayers join 100 at a time, so the listen queue never overflows.
    auto join_deadline = Clock::now() + 120s;
    for (std::size_t id = 0; id < stayers.size(); ++id) {
        asio::co_spawn(executor, stayer(stayers[id], run, std::mt19937_64(random())),
                       asio::detached);
        while (id + 1 - run.stayer_joins - run.join_failures >= 100 &&
               Clock::now() < join_deadline) {
            co_await pause_for(5ms);
        }
    }
    while (run.stayer_joins + run.join_failures < stayers.size() && Clock::now() < join_deadline) {
        co_await pause_for(10ms);
    }
    if (run.stayer_joins < stayers.size()) {
        run.failure(fmt::format("only {} of {} stayers joined", run.stayer_joins, stayers.size()));
        status = 1;
        co_return;
    }
    // The churners join (staggered over a few seconds) and everyone starts talking.
    auto start = Clock::now();
    run.settings.talk_until = start + settings.talk_for;
    // bench/soak.py starts its warm-up from this line.
    fmt::print(stderr, "soak-client: {} stayers joined; talking for {:.0f} s\n", stayers.size(),
               std::chrono::duration<double>(settings.talk_for).count());
    std::size_t churners = settings.clients - settings.stayers;
    run.churn_slots = churners;
    for (std::size_t i = 0; i < churners; ++i) {
        asio::co_spawn(executor,
                       churn_slot(run, std::mt19937_64(random()),
                                  i * 5000 / std::max<std::size_t>(churners, 1)),
                       asio::detached);
    }
    for (const auto& member : stayers) {
        auto phase = seconds_of(std::uniform_real_distribution(
            0.0, std::chrono::duration<double>(settings.interval).count())(random));
        asio::co_spawn(executor, talk(member, run, start + phase, settings.talk_until),
                       asio::detached);
    }
    while (Clock::now() < settings.talk_until) {
        co_await pause_for(100ms);
    }
    // Quiet: no line for 2 s (the last writes are through by then), at most 30 s.
    auto drain_deadline = Clock::now() + 30s;
    run.last_delivery = Clock::now();
    while ((Clock::now() - run.last_delivery < 2s || run.paused > 0) &&
           Clock::now() < drain_deadline) {
        co_await pause_for(100ms);
    }
    check_stayers(stayers, run);
    run.closing = true;
    for (const auto& member : stayers) {
        member->leaving = true;
        std::error_code ignored;
        member->socket.close(ignored);
    }
    // The churners still in the room close too (a leave under way takes at most 15 s more).
    auto close_deadline = Clock::now() + 20s;
    while (run.churn_slots > 0 && Clock::now() < close_deadline) {
        co_await pause_for(20ms);
    }
    status = run.lost + run.duplicated + run.disagreements + run.stayers_disconnected +
                         run.churners_disconnected + run.join_failures + run.leave_timeouts ==
                     0
                 ? 0
                 : 1;
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            out += fmt::format("\\u{:04x}", c);
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("tcpkit-soak-client: the churning clients of the soak, for a running chat-server");
    std::string host;
    std::uint16_t port = 0;
    std::size_t clients = 2000;
    double seconds = 600;
    double interval = 5;
    double stayer_share = 0.5;
    double slow_share = 0.1;
    std::uint64_t seed = std::random_device{}();
    app.add_option("host", host, "Server address (loopback)")->required();
    app.add_option("port", port, "Server port")->required();
    app.add_option("-c,--clients", clients, "Clients in the room at once")
        ->check(CLI::Range(2, 100000));
    app.add_option("-d,--seconds", seconds, "How long the room talks")
        ->check(CLI::Range(1.0, 86400.0));
    app.add_option("--interval", interval, "Seconds between two lines of one client")
        ->check(CLI::Range(0.05, 3600.0));
    app.add_option("--stayers", stayer_share, "Share of the clients that stay the whole run")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--slow", slow_share, "Share of the stayers that stop reading now and then")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--seed", seed, "Seed of the PRNG (printed; default: random)");
    CLI11_PARSE(app, argc, argv);

    Run run;
    auto& settings = run.settings;
    settings.endpoint = tcp::endpoint(asio::ip::make_address(host), port);
    settings.clients = clients;
    settings.stayers = std::max<std::size_t>(2, static_cast<std::size_t>(clients * stayer_share));
    settings.stayers = std::min(settings.stayers, clients);
    settings.slow_stayers = static_cast<std::size_t>(settings.stayers * slow_share);
    settings.interval = seconds_of(interval);
    settings.seed = seed;
    fmt::print(stderr,
               "soak-client: {}:{}, {} clients ({} stay, {} of them slow), {:.0f} s, seed {}\n",
               host, port, clients, settings.stayers, settings.slow_stayers, seconds, seed);

    asio::io_context context(1);
    std::mt19937_64 random(seed);
    int status = 1;
    auto start = Clock::now();
    // The stayers' joining is not in -d: talking lasts -d from when they have all joined.
    settings.talk_for = seconds_of(seconds);
    asio::co_spawn(context, soak(run, random, status), [&](std::exception_ptr failure) {
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& error) {
                run.failure(fmt::format("soak client failed: {}", error.what()));
            }
            status = 1;
        }
        context.stop();
    });
    double cpu_before = cpu_seconds();
    // Joining (at most 120 s), talking, draining (at most 30 s), closing (20 s), and slack.
    context.run_until(start + seconds_of(seconds) + 200s);
    bool finished = context.stopped();
    if (!finished) {
        run.failure("the run did not end in time");
        status = 1;
    }
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::string examples;
    for (const auto& example : run.examples) {
        examples += (examples.empty() ? "" : ",") + json_string(example);
    }
    fmt::print(
        R"({{"seed":{},"clients":{},"stayers":{},"slow_stayers":{},"interval_seconds":{},)"
        R"("seconds":{:.2f},"stayer_joins":{},"churner_joins":{},"join_failures":{},)"
        R"("leaves_quit":{},"leaves_half_close":{},"leaves_reset":{},"leave_timeouts":{},)"
        R"("lines_sent":{},"deliveries":{},"lost":{},"duplicated":{},"disagreements":{},)"
        R"("stayers_disconnected":{},"churners_disconnected":{},"slow_pauses":{},"client_cpu_seconds":{:.2f},)"
        R"("failures":[{}]}})"
        "\n",
        seed, clients, settings.stayers, settings.slow_stayers, interval, elapsed, run.stayer_joins,
        run.churner_joins, run.join_failures, run.leaves[0], run.leaves[1], run.leaves[2],
        run.leave_timeouts, run.lines_sent, run.deliveries, run.lost, run.duplicated,
        run.disagreements, run.stayers_disconnected, run.churners_disconnected, run.slow_pauses,
        cpu_seconds() - cpu_before, examples);
    return status;
}
