// tcpkit-loadgen: the load generator of the benchmarks. One thread, one Asio event loop, so
// that the CPU time it reports (user + system) shows whether it, rather than the server under
// test, was the bottleneck. Every mode stops by itself and prints one JSON object on stdout.
//
//   echo   HOST PORT -c N -s BYTES -d SECONDS     N connections, one message each in flight
//   chat   HOST PORT -c N --senders K --lines L   N named clients, K of them send L lines each
//          [--rate R] [--slow-readers S] [--padding B]
//   leaves HOST PORT -c N --expect K              N named clients; once all have joined, how long
//                                                 until each still connected has seen K leaves
//                                                 announced (a node of a cluster killed meanwhile)
//   idle   HOST PORT -c N                         N named, silent clients, held until stdin ends
//   sink   PORT                                   accept one connection, count bytes to its end
//   source PORT --bytes N                         accept one connection, send N bytes, close
//   send   HOST PORT --bytes N                    connect, send N bytes, half-close, read to
//                                                 the server's end (a client of `listen`)
//   receive HOST PORT                             connect, count bytes to the server's end,
//                                                 only then close (a client of `listen`)
//   handshake HOST PORT -c N -d SECONDS           N connectors, each in a loop: connect, full
//          [--half-open H]                        TLS handshake, close; plus H connections that
//                                                 never send a ClientHello (a handshake flood)
//
// chat, leaves and idle take PORT[,PORT...]: the nodes of one room (chat-server --cluster), each
// client on the next in turn (client i on port i mod the number of ports).
//
// --tls makes echo a TLS client (no verification, or against --ca-file), and sink and source
// TLS servers (--cert, --key). Loopback only: the benchmarks never point it anywhere else.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <asio.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/ssl.hpp>

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

// Latencies in microseconds, counted in buckets 1% wide (as HdrHistogram does, more simply):
// recording costs the same at 10 million samples as at ten, and needs no memory as it goes,
// which a vector of every sample did (80 MB, copied as it grew, at 10,000 chat clients).
class Latencies {
  public:
    void record(double microseconds, std::uint64_t times = 1) {
        double value = std::max(microseconds, 1.0);
        auto bucket = static_cast<std::size_t>(std::log(value) / std::log(growth));
        counts_[std::min(bucket, counts_.size() - 1)] += times;
        total_ += times;
    }
    // The upper edge of the bucket holding the p-th percentile: at most 1% above the truth.
    double percentile(double p) const {
        if (total_ == 0) {
            return 0;
        }
        auto wanted =
            static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total_)));
        std::uint64_t seen = 0;
        for (std::size_t bucket = 0; bucket < counts_.size(); ++bucket) {
            seen += counts_[bucket];
            if (seen >= std::max<std::uint64_t>(wanted, 1)) {
                return std::pow(growth, static_cast<double>(bucket + 1));
            }
        }
        return std::pow(growth, static_cast<double>(counts_.size()));
    }

  private:
    static constexpr double growth = 1.01;
    std::array<std::uint64_t, 2100> counts_{};  // 1.01^2100: over 10^9 us, 20 minutes
    std::uint64_t total_ = 0;
};

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

tcp::endpoint endpoint_of(const std::string& host, std::uint16_t port) {
    return {asio::ip::make_address(host), port};
}

// `receive_buffer` > 0 fixes the socket's receive buffer (and so its window), as a client on a
// slow link would have; 0 leaves the kernel's autotuning, which lets a loopback socket that
// nobody reads soak up megabytes.
asio::awaitable<tcp::socket> connect_to(tcp::endpoint endpoint, int receive_buffer = 0) {
    tcp::socket socket(co_await asio::this_coro::executor);
    if (receive_buffer > 0) {
        socket.open(endpoint.protocol());
        socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    }
    co_await socket.async_connect(endpoint, asio::use_awaitable);
    socket.set_option(tcp::no_delay(true));
    co_return socket;
}

// ---- TLS -----------------------------------------------------------------------------------

using TlsStream = asio::ssl::stream<tcp::socket>;

// A client context for benchmarks: every handshake is a full one (no session cache, no
// tickets, so nothing can be resumed), and the server's certificate is only checked when a CA
// file is given. OpenSSL still checks the CertificateVerify signature either way.
std::unique_ptr<asio::ssl::context> client_tls(const std::string& ca_file) {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_session_cache_mode(context->native_handle(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(context->native_handle(), SSL_OP_NO_TICKET);
    if (ca_file.empty()) {
        context->set_verify_mode(asio::ssl::verify_none);
    } else {
        context->load_verify_file(ca_file);
        context->set_verify_mode(asio::ssl::verify_peer);
    }
    return context;
}

std::unique_ptr<asio::ssl::context> server_tls(const std::string& cert_file,
                                               const std::string& key_file) {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    context->use_certificate_chain_file(cert_file);
    context->use_private_key_file(key_file.empty() ? cert_file : key_file, asio::ssl::context::pem);
    return context;
}

// What was negotiated, for the JSON line: the figures of two runs compare only when it matches.
std::string negotiated(TlsStream& stream) {
    const SSL* ssl = stream.native_handle();
    return fmt::format(R"("protocol":"{}","cipher":"{}")", SSL_get_version(ssl),
                       SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
}

// Runs `operation`, giving up (and cancelling it) after `limit`: false when it ran out of time.
// An exception of the operation's comes out at once. (Not `operation || timer`: in Asio 1.22
// that waits for the first success, so a refused connection would take the whole limit.)
asio::awaitable<bool> within(asio::awaitable<void> operation, Clock::duration limit) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, limit);
    auto group = asio::experimental::make_parallel_group(
        asio::co_spawn(executor, std::move(operation), asio::experimental::deferred),
        timer.async_wait(asio::experimental::deferred));
    auto outcome =
        co_await group.async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    auto& [order, failure, timer_error] = outcome;
    (void)timer_error;
    if (order[0] == 0 && failure) {
        std::rethrow_exception(failure);
    }
    co_return order[0] == 0;
}

// ---- echo ----------------------------------------------------------------------------------

struct EchoStats {
    std::uint64_t messages = 0;
    std::uint64_t errors = 0;
    int finished = 0;  // connections that ended by themselves
    Latencies latencies;
};

template <typename Stream>
asio::awaitable<void> round_trips(Stream& stream, std::size_t size, Clock::time_point measure_from,
                                  Clock::time_point stop_at, EchoStats& stats) {
    std::string message(size, 'e');
    std::string reply(size, '\0');
    while (Clock::now() < stop_at) {
        auto sent = Clock::now();
        co_await asio::async_write(stream, asio::buffer(message), asio::use_awaitable);
        co_await asio::async_read(stream, asio::buffer(reply), asio::use_awaitable);
        auto done = Clock::now();
        if (sent >= measure_from && done <= stop_at) {
            ++stats.messages;
            stats.latencies.record(std::chrono::duration<double, std::micro>(done - sent).count());
        }
    }
}

// `tls`: null for plain TCP, else the client context; the handshake comes before the warm-up
// ends, so it is not in the latencies.
asio::awaitable<void> echo_connection(tcp::endpoint endpoint, std::size_t size,
                                      Clock::time_point measure_from, Clock::time_point stop_at,
                                      asio::ssl::context* tls, EchoStats& stats) {
    try {
        auto socket = co_await connect_to(endpoint);
        if (tls == nullptr) {
            co_await round_trips(socket, size, measure_from, stop_at, stats);
        } else {
            TlsStream stream(std::move(socket), *tls);
            co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
            co_await round_trips(stream, size, measure_from, stop_at, stats);
        }
    } catch (const std::exception&) {
        ++stats.errors;
    }
    ++stats.finished;
}

// A server that stops answering must not hold the run: this long after the end, it is over.
constexpr auto straggler_grace = 2s;

int run_echo(const std::string& host, std::uint16_t port, int connections, std::size_t size,
             double seconds, double warmup, asio::ssl::context* tls) {
    asio::io_context context(1);
    EchoStats stats;
    auto start = Clock::now();
    auto measure_from =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
    auto stop_at = measure_from + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(seconds));
    auto endpoint = endpoint_of(host, port);
    for (int i = 0; i < connections; ++i) {
        asio::co_spawn(context, echo_connection(endpoint, size, measure_from, stop_at, tls, stats),
                       asio::detached);
    }
    double cpu_before = cpu_seconds();
    context.run_until(stop_at + straggler_grace);
    // Connections still waiting for an echo then count as failures.
    stats.errors += static_cast<std::uint64_t>(connections - stats.finished);
    double measured = std::chrono::duration<double>(stop_at - measure_from).count();
    fmt::print(
        R"({{"mode":"echo","tls":{},"connections":{},"size":{},"seconds":{:.3f},"messages":{},)"
        R"("errors":{},"messages_per_second":{:.1f},"p50_us":{:.1f},"p99_us":{:.1f},)"
        R"("loadgen_cpu_seconds":{:.3f}}})"
        "\n",
        tls != nullptr, connections, size, measured, stats.messages, stats.errors,
        static_cast<double>(stats.messages) / measured, stats.latencies.percentile(50),
        stats.latencies.percentile(99), cpu_seconds() - cpu_before);
    return stats.errors == 0 ? 0 : 1;
}

// ---- chat ----------------------------------------------------------------------------------

struct ChatClient {
    explicit ChatClient(tcp::socket connected) : socket(std::move(connected)) {}

    tcp::socket socket;
    std::size_t node = 0;  // which of the ports it is connected to
    std::string buffer;
    std::uint64_t received = 0;
    // Benchmark lines this client must receive; known once everyone has joined.
    std::uint64_t expected = std::numeric_limits<std::uint64_t>::max();
    // leaves: members announced as left, in how many lines, and when the count reached the
    // expected one (steady clock ns, 0: not yet); gone once its own connection has ended.
    std::uint64_t leaves = 0;
    std::uint64_t leave_lines = 0;
    std::int64_t all_leaves_ns = 0;
    bool gone = false;
};

struct ChatRun {
    std::vector<std::unique_ptr<ChatClient>> clients;
    std::uint64_t delivered = 0;
    std::uint64_t expected_total = 0;
    Latencies latencies;
    Clock::time_point first_send{};
    Clock::time_point last_delivery{};
    int errors = 0;
    bool ncat = false;
    std::size_t padding = 0;  // extra bytes in each benchmark line
    std::size_t nodes = 1;    // ports: the nodes of one room
    // With several nodes, the latencies of lines from a sender on the receiver's own node and of
    // lines that came from another node (through Redis), apart.
    Latencies same_node;
    Latencies across_nodes;
    // leaves mode: count leave announcements; an ended connection is a client of a dead node.
    bool count_leaves = false;
    std::uint64_t expected_leaves = 0;
    std::int64_t first_leave_ns = 0;  // when some client saw the first leave
};

// Reads lines until `marker` appears in one (the greeting), for the join phase.
asio::awaitable<void> read_until_line_with(ChatClient& client, std::string_view marker) {
    char chunk[4096];
    for (;;) {
        if (client.buffer.find(marker) != std::string::npos) {
            client.buffer.clear();
            co_return;
        }
        std::size_t count =
            co_await client.socket.async_read_some(asio::buffer(chunk), asio::use_awaitable);
        client.buffer.append(chunk, count);
    }
}

// The stamp at the end of a benchmark line ("... T<nanoseconds>", maybe then a CR), if any.
std::optional<std::int64_t> stamp_of(std::string_view line) {
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    // The history a newcomer is shown holds an earlier run's lines, stamps and all: not
    // deliveries of this run (it may come in a read of its own after the greeting).
    if (line.substr(0, 10) == "[history] ") {
        return std::nullopt;
    }
    std::size_t digits = 0;
    while (digits < line.size() && line[line.size() - 1 - digits] >= '0' &&
           line[line.size() - 1 - digits] <= '9') {
        ++digits;
    }
    if (digits == 0 || digits + 2 > line.size() || line[line.size() - digits - 1] != 'T' ||
        line[line.size() - digits - 2] != ' ') {
        return std::nullopt;
    }
    std::int64_t value = 0;
    for (char c : line.substr(line.size() - digits)) {
        value = value * 10 + (c - '0');
    }
    return value;
}

// The members a room announcement says have left: 1 for `* NAME left` and `* NAME left (REASON)`,
// K for a grouped `* K left: a, b, ... +N`, 0 for any other line. Names here never hold spaces.
std::uint64_t leaves_announced(std::string_view line) {
    if (line.substr(0, 2) != "* ") {
        return 0;
    }
    line.remove_prefix(2);
    std::size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0) {
        return 0;
    }
    std::string_view first = line.substr(0, space);
    std::string_view rest = line.substr(space);
    bool number =
        std::all_of(first.begin(), first.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (number && rest.substr(0, 7) == " left: ") {
        std::uint64_t count = 0;
        for (char c : first) {
            count = count * 10 + static_cast<std::uint64_t>(c - '0');
        }
        return count;
    }
    return rest == " left" || rest.substr(0, 7) == " left (" ? 1 : 0;
}

// The sender of a benchmark line as the room shows it, `NAME: sK mI ... T<ns>`: K, if there.
std::optional<std::size_t> sender_of(std::string_view line) {
    std::size_t at = line.find(": s");
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    std::size_t sender = 0;
    std::size_t digits = 0;
    for (at += 3; at < line.size() && line[at] >= '0' && line[at] <= '9'; ++at, ++digits) {
        sender = sender * 10 + static_cast<std::size_t>(line[at] - '0');
    }
    return digits > 0 ? std::optional<std::size_t>(sender) : std::nullopt;
}

void count_leave(ChatClient& client, ChatRun& run, std::uint64_t leaves, std::int64_t now) {
    if (leaves == 0) {
        return;
    }
    if (run.first_leave_ns == 0) {
        run.first_leave_ns = now;
    }
    client.leaves += leaves;
    ++client.leave_lines;
    if (client.all_leaves_ns == 0 && client.leaves >= run.expected_leaves) {
        client.all_leaves_ns = now;
    }
}

// Counts the benchmark lines in `bytes` (after what was left of the last read), all received
// at `now_ns`, and keeps an unfinished last line for the next read.
void count_lines(ChatClient& client, ChatRun& run, std::string_view bytes, std::int64_t now) {
    std::string_view rest = bytes;
    if (!client.buffer.empty()) {
        client.buffer.append(bytes);
        rest = client.buffer;
    }
    // A flood's lines share one stamp: lines in a row with the same one are recorded at once, and
    // recognised by comparing their last digits with the previous line's rather than parsing
    // them, which made the load generator, not the server, the bottleneck of a flood.
    std::int64_t same_stamp = 0;
    std::uint64_t same_count = 0;
    std::string_view same_digits;
    Latencies* same_split = nullptr;  // same_node or across_nodes, with several nodes
    auto record = [&] {
        if (same_count > 0) {
            double microseconds = static_cast<double>(now - same_stamp) / 1000.0;
            run.latencies.record(microseconds, same_count);
            if (same_split != nullptr) {
                same_split->record(microseconds, same_count);
            }
        }
    };
    std::size_t start = 0;
    for (;;) {
        const void* found = std::memchr(rest.data() + start, '\n', rest.size() - start);
        if (found == nullptr) {
            break;
        }
        auto end = static_cast<std::size_t>(static_cast<const char*>(found) - rest.data());
        std::string_view line = rest.substr(start, end - start);
        start = end + 1;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        std::size_t width = same_digits.size();
        bool same = same_count > 0 && line.size() >= width + 2 &&
                    line.substr(line.size() - width) == same_digits &&
                    line[line.size() - width - 1] == 'T' && line[line.size() - width - 2] == ' ';
        if (!same) {
            auto sent = stamp_of(line);
            if (!sent) {
                // Not a benchmark line: a join, a leave, a greeting.
                if (run.count_leaves) {
                    count_leave(client, run, leaves_announced(line), now);
                }
                continue;
            }
            record();
            same_stamp = *sent;
            same_count = 0;
            same_digits = line.substr(line.rfind('T') + 1);
            same_split = nullptr;
            if (run.nodes > 1) {
                // Sender K is client K, on node K mod the number of nodes (a flood's lines of
                // one sender share a stamp, so this is parsed once per run of lines).
                if (auto sender = sender_of(line)) {
                    same_split =
                        *sender % run.nodes == client.node ? &run.same_node : &run.across_nodes;
                }
            }
        }
        ++same_count;
        ++client.received;
        ++run.delivered;
    }
    record();
    std::string left(rest.substr(start));
    client.buffer = std::move(left);
}

// Every client of the one thread reads into the same buffer: it waits until its socket is
// readable and then reads without waiting, so no read is ever pending into the buffer. (A 64 KiB
// buffer in each coroutine frame cost 640 MB at 10,000 clients.)
asio::awaitable<void> receive_lines(ChatClient& client, ChatRun& run) {
    static std::vector<char> chunk(std::size_t{1} << 16);
    try {
        client.socket.non_blocking(true);
        while (client.received < client.expected) {
            co_await client.socket.async_wait(tcp::socket::wait_read, asio::use_awaitable);
            std::error_code error;
            std::size_t count = client.socket.read_some(asio::buffer(chunk), error);
            if (error == asio::error::would_block) {
                continue;
            }
            if (error) {
                throw std::system_error(error);
            }
            count_lines(client, run, std::string_view(chunk.data(), count), now_ns());
            run.last_delivery = Clock::now();
        }
    } catch (const std::exception&) {
        if (run.count_leaves) {
            client.gone = true;  // its node was killed: what the leaves run waits for
        } else {
            ++run.errors;
        }
    }
}

// Each line is stamped with the time it was due, not the time it went out: the start of the
// flood, or its slot in the steady schedule. A server that reads slowly delays the senders, and
// stamping at sending would hide that wait (coordinated omission); this way it is counted.
// A flood is sent the fastest way there is, all lines in one write, as a paste would be; the
// load generator's own turns then never pace it.
asio::awaitable<void> send_lines(ChatClient& client, int sender, int lines, double lines_per_second,
                                 std::size_t padding) {
    std::int64_t start_ns = now_ns();
    // --padding: longer lines, the stamp still last ("s1 m2 ppp… T<ns>").
    std::string pad = padding > 0 ? std::string(padding, 'p') + " " : std::string();
    std::string text;
    if (lines_per_second <= 0) {
        for (int i = 0; i < lines; ++i) {
            text += fmt::format("s{} m{} {}T{}\n", sender, i, pad, start_ns);
        }
        co_await asio::async_write(client.socket, asio::buffer(text), asio::use_awaitable);
        co_return;
    }
    asio::steady_timer pace(client.socket.get_executor());
    auto start = Clock::now();
    auto gap = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(1.0 / lines_per_second));
    for (int i = 0; i < lines; ++i) {
        auto due = gap * (i + 1);
        pace.expires_at(start + due);
        co_await pace.async_wait(asio::use_awaitable);
        auto due_ns = start_ns + std::chrono::duration_cast<std::chrono::nanoseconds>(due).count();
        text = fmt::format("s{} m{} {}T{}\n", sender, i, pad, due_ns);
        co_await asio::async_write(client.socket, asio::buffer(text), asio::use_awaitable);
    }
}

// Connects `count` clients, client i to endpoints[i mod their number], names them b0, b1, ...
// and starts reading for those that read.
asio::awaitable<void> join_all(std::vector<tcp::endpoint> endpoints, int count, int slow_readers,
                               ChatRun& run, double& join_seconds) {
    auto executor = co_await asio::this_coro::executor;
    auto join_start = Clock::now();
    run.nodes = endpoints.size();
    // Connect and name everyone, a batch at a time so the listen backlog is never the limit.
    constexpr int batch = 200;
    for (int first = 0; first < count; first += batch) {
        std::vector<asio::awaitable<void>> joins;
        int last = std::min(count, first + batch);
        auto pending = std::make_shared<int>(last - first);
        asio::steady_timer done(executor, Clock::time_point::max());
        for (int i = first; i < last; ++i) {
            // (co_await kept out of the initialiser: GCC 12 mishandles temporaries around it.)
            // Slow readers are the last clients and read nothing at all, on purpose, through a
            // 64 KiB window. The others read from the moment they join, as real clients do, so
            // that the room's lines to them do not pile up while the rest are still joining.
            bool reads = i < count - slow_readers;
            std::size_t node = static_cast<std::size_t>(i) % endpoints.size();
            tcp::socket socket = co_await connect_to(endpoints[node], reads ? 0 : 64 * 1024);
            run.clients.push_back(std::make_unique<ChatClient>(std::move(socket)));
            ChatClient& c = *run.clients.back();
            c.node = node;
            asio::co_spawn(
                executor,
                [&c, &run, i, reads, ncat = run.ncat]() -> asio::awaitable<void> {
                    if (ncat) {
                        // ncat names clients itself; the first announcement a client gets is
                        // its own arrival, so from then on it receives the room's lines.
                        co_await read_until_line_with(c, "is connected as");
                    } else {
                        std::string name = fmt::format("b{}\n", i);
                        co_await asio::async_write(c.socket, asio::buffer(name),
                                                   asio::use_awaitable);
                        co_await read_until_line_with(c, "Type /help");
                    }
                    if (reads) {
                        asio::co_spawn(c.socket.get_executor(), receive_lines(c, run),
                                       asio::detached);
                    }
                },
                [pending, &done](std::exception_ptr) {
                    if (--*pending == 0) {
                        done.cancel();
                    }
                });
        }
        std::error_code ignored;
        co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    join_seconds = std::chrono::duration<double>(Clock::now() - join_start).count();
}

asio::awaitable<void> chat_main(std::vector<tcp::endpoint> endpoints, int count, int senders,
                                int lines, double total_rate, int slow_readers, ChatRun& run,
                                double& join_seconds) {
    auto executor = co_await asio::this_coro::executor;
    co_await join_all(std::move(endpoints), count, slow_readers, run, join_seconds);
    // Senders are the first clients and do not receive their own lines.
    auto per_sender = static_cast<std::uint64_t>(lines);
    for (int i = 0; i < count - slow_readers; ++i) {
        auto& client = *run.clients[static_cast<std::size_t>(i)];
        client.expected =
            per_sender * static_cast<std::uint64_t>(i < senders ? senders - 1 : senders);
        run.expected_total += client.expected;
    }
    run.first_send = Clock::now();
    double per_sender_rate = total_rate > 0 ? total_rate / senders : 0;
    for (int i = 0; i < senders; ++i) {
        asio::co_spawn(executor,
                       send_lines(*run.clients[static_cast<std::size_t>(i)], i, lines,
                                  per_sender_rate, run.padding),
                       asio::detached);
    }
}

// With several nodes: per node, the fraction of its clients' lines that arrived, and the
// latencies of lines from the same node and from another, as JSON fields (empty with one node).
std::string per_node_fields(const ChatRun& run) {
    if (run.nodes < 2) {
        return "";
    }
    std::vector<std::uint64_t> delivered(run.nodes, 0);
    std::vector<std::uint64_t> expected(run.nodes, 0);
    for (const auto& client : run.clients) {
        if (client->expected != std::numeric_limits<std::uint64_t>::max()) {
            delivered[client->node] += client->received;
            expected[client->node] += client->expected;
        }
    }
    std::vector<std::string> fractions;
    for (std::size_t node = 0; node < run.nodes; ++node) {
        fractions.push_back(fmt::format("{:.4f}", expected[node] == 0
                                                      ? 0.0
                                                      : static_cast<double>(delivered[node]) /
                                                            static_cast<double>(expected[node])));
    }
    return fmt::format(
        R"(,"nodes":{},"delivered_fraction_per_node":[{}],"same_node_p50_us":{:.1f},)"
        R"("same_node_p99_us":{:.1f},"across_nodes_p50_us":{:.1f},"across_nodes_p99_us":{:.1f})",
        run.nodes, fmt::join(fractions, ","), run.same_node.percentile(50),
        run.same_node.percentile(99), run.across_nodes.percentile(50),
        run.across_nodes.percentile(99));
}

std::vector<tcp::endpoint> endpoints_of(const std::string& host,
                                        const std::vector<std::uint16_t>& ports) {
    std::vector<tcp::endpoint> endpoints;
    for (auto port : ports) {
        endpoints.push_back(endpoint_of(host, port));
    }
    return endpoints;
}

// `stall` > 0: give up once nothing has arrived for that long after the lines began to go out
// (a room that lost lines would otherwise hold the run until the timeout).
int run_chat(const std::string& host, const std::vector<std::uint16_t>& ports, int count,
             int senders, int lines, double rate, int slow_readers, double timeout, double stall,
             bool ncat, std::size_t padding) {
    asio::io_context context(1);
    ChatRun run;
    run.ncat = ncat;
    run.padding = padding;
    double join_seconds = 0;
    double cpu_before = cpu_seconds();
    asio::co_spawn(context,
                   chat_main(endpoints_of(host, ports), count, senders, lines, rate, slow_readers,
                             run, join_seconds),
                   [&](std::exception_ptr failure) {
                       if (failure) {
                           ++run.errors;
                           context.stop();
                       }
                   });
    // Stops when every line has arrived everywhere, or at the timeout, whichever is first.
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(timeout));
    while (Clock::now() < deadline && !context.stopped()) {
        context.run_for(50ms);
        bool everything = run.expected_total > 0 && run.delivered >= run.expected_total;
        if (everything) {
            break;
        }
        if (stall > 0 && run.expected_total > 0 &&
            std::chrono::duration<double>(Clock::now() -
                                          std::max(run.first_send, run.last_delivery))
                    .count() > stall) {
            break;
        }
    }
    double elapsed =
        run.delivered == 0
            ? 0
            : std::chrono::duration<double>(run.last_delivery - run.first_send).count();
    double delivered_fraction =
        run.expected_total == 0
            ? 0
            : static_cast<double>(run.delivered) / static_cast<double>(run.expected_total);
    fmt::print(
        R"({{"mode":"chat","clients":{},"senders":{},"lines":{},"rate":{},"slow_readers":{},)"
        R"("join_seconds":{:.3f},"delivered":{},"expected":{},"delivered_fraction":{:.4f},)"
        R"("delivery_seconds":{:.3f},"deliveries_per_second":{:.1f},"p50_us":{:.1f},)"
        R"("p99_us":{:.1f},"errors":{},"loadgen_cpu_seconds":{:.3f}{}}})"
        "\n",
        count, senders, lines, rate, slow_readers, join_seconds, run.delivered, run.expected_total,
        delivered_fraction, elapsed, elapsed > 0 ? static_cast<double>(run.delivered) / elapsed : 0,
        run.latencies.percentile(50), run.latencies.percentile(99), run.errors,
        cpu_seconds() - cpu_before, per_node_fields(run));
    std::fflush(stdout);
    // Close everything before exiting so the server sees clean ends.
    for (auto& client : run.clients) {
        std::error_code ignored;
        client->socket.close(ignored);
    }
    return run.errors == 0 ? 0 : 1;
}

// ---- idle ----------------------------------------------------------------------------------

int run_idle(const std::string& host, const std::vector<std::uint16_t>& ports, int count,
             bool ncat) {
    asio::io_context context(1);
    ChatRun run;
    run.ncat = ncat;
    double join_seconds = 0;
    bool joined = false;
    asio::co_spawn(context,
                   chat_main(endpoints_of(host, ports), count, 0, 0, 0, 0, run, join_seconds),
                   [&](std::exception_ptr failure) { joined = !failure; });
    context.run_until(Clock::now() + 120s);  // joining never takes this long unless it is stuck
    if (!joined) {
        fmt::print(stderr, "tcpkit-loadgen: the clients did not all join\n");
        return 1;
    }
    fmt::print(R"({{"mode":"idle","clients":{},"join_seconds":{:.3f}}})"
               "\n",
               count, join_seconds);
    std::fflush(stdout);
    // Hold the connections until the benchmark runner closes our standard input.
    std::string ignored;
    std::getline(std::cin, ignored);
    return 0;
}

// ---- leaves --------------------------------------------------------------------------------

// Joins `count` clients over the nodes, prints {"ready":true,...} once all are in, then counts
// the leave announcements each client gets: the runner kills a node after the ready line, its
// clients' connections end, and the run is over once every client still connected has seen
// `expected` members leave (then half a second more, to catch any announced twice), or at the
// timeout. Times are steady-clock (CLOCK_MONOTONIC) nanoseconds, which the runner's own clock
// (Python's time.monotonic_ns) shares, so it can tell how long after its kill each came.
int run_leaves(const std::string& host, const std::vector<std::uint16_t>& ports, int count,
               std::uint64_t expected, double timeout) {
    asio::io_context context(1);
    ChatRun run;
    run.count_leaves = true;
    run.expected_leaves = expected;
    double join_seconds = 0;
    bool joined = false;
    bool join_failed = false;
    double cpu_before = cpu_seconds();
    asio::co_spawn(context, join_all(endpoints_of(host, ports), count, 0, run, join_seconds),
                   [&](std::exception_ptr failure) {
                       joined = !failure;
                       join_failed = static_cast<bool>(failure);
                   });
    auto limit =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout));
    auto join_deadline = Clock::now() + limit;
    while (!joined && !join_failed && Clock::now() < join_deadline) {
        context.run_for(20ms);
    }
    if (!joined) {
        fmt::print(stderr, "tcpkit-loadgen: the clients did not all join\n");
        return 1;
    }
    fmt::print(R"({{"ready":true,"clients":{},"join_seconds":{:.3f}}})"
               "\n",
               count, join_seconds);
    std::fflush(stdout);
    auto everyone_told = [&] {
        return std::all_of(run.clients.begin(), run.clients.end(), [&](const auto& client) {
            return client->gone || client->leaves >= expected;
        });
    };
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline && !everyone_told()) {
        context.run_for(20ms);
    }
    context.run_for(500ms);
    std::uint64_t gone = 0;
    std::uint64_t watching = 0;
    std::uint64_t told = 0;
    std::uint64_t told_twice = 0;  // clients that counted more leaves than expected
    std::uint64_t most_lines = 0;
    std::int64_t first_told_ns = 0;
    std::int64_t last_told_ns = 0;
    for (const auto& client : run.clients) {
        if (client->gone) {
            ++gone;
            continue;
        }
        ++watching;
        most_lines = std::max(most_lines, client->leave_lines);
        told_twice += client->leaves > expected ? 1 : 0;
        if (client->all_leaves_ns != 0) {
            ++told;
            first_told_ns = first_told_ns == 0 ? client->all_leaves_ns
                                               : std::min(first_told_ns, client->all_leaves_ns);
            last_told_ns = std::max(last_told_ns, client->all_leaves_ns);
        }
    }
    fmt::print(R"({{"mode":"leaves","clients":{},"nodes":{},"join_seconds":{:.3f},)"
               R"("expected_leaves":{},"gone":{},"watching":{},"told":{},"told_twice":{},)"
               R"("most_leave_lines":{},"first_leave_ns":{},"first_told_ns":{},)"
               R"("last_told_ns":{},"loadgen_cpu_seconds":{:.3f}}})"
               "\n",
               count, run.nodes, join_seconds, expected, gone, watching, told, told_twice,
               most_lines, run.first_leave_ns, first_told_ns, last_told_ns,
               cpu_seconds() - cpu_before);
    std::fflush(stdout);
    for (auto& client : run.clients) {
        std::error_code ignored;
        client->socket.close(ignored);
    }
    return watching > 0 && told == watching ? 0 : 1;
}

// ---- sink and source -----------------------------------------------------------------------

// Reads `stream` to its end (a TLS stream: to close_notify, or to a close without one, which
// some clients do), counting bytes.
template <typename Stream>
std::uint64_t drain(Stream& stream) {
    std::vector<char> buffer(1 << 20);
    std::uint64_t total = 0;
    std::error_code error;
    for (;;) {
        std::size_t count = stream.read_some(asio::buffer(buffer), error);
        total += count;
        if (error) {
            return total;
        }
    }
}

template <typename Stream>
void send_bytes(Stream& stream, std::uint64_t bytes) {
    std::vector<char> buffer(1 << 20, 's');
    std::uint64_t left = bytes;
    while (left > 0) {
        std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
        asio::write(stream, asio::buffer(buffer.data(), chunk));
        left -= chunk;
    }
}

// `tls`: null for plain TCP, else the server context.
int run_sink(std::uint16_t port, asio::ssl::context* tls) {
    asio::io_context context(1);
    tcp::acceptor acceptor(context, {asio::ip::address_v4::loopback(), port});
    fmt::print("{{\"listening\":{}}}\n", acceptor.local_endpoint().port());
    std::fflush(stdout);
    tcp::socket socket = acceptor.accept();
    auto start = Clock::now();
    std::uint64_t total = 0;
    std::string tls_fields;
    if (tls == nullptr) {
        total = drain(socket);
    } else {
        TlsStream stream(std::move(socket), *tls);
        stream.handshake(asio::ssl::stream_base::server);
        tls_fields = "," + negotiated(stream);
        total = drain(stream);
        // Answer the client's close_notify, so that a client waiting for ours sees a clean end.
        std::error_code ignored;
        stream.shutdown(ignored);
    }
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    fmt::print("{{\"mode\":\"sink\",\"bytes\":{},\"seconds\":{:.3f}{}}}\n", total, seconds,
               tls_fields);
    return 0;
}

int run_source(std::uint16_t port, std::uint64_t bytes, asio::ssl::context* tls) {
    asio::io_context context(1);
    tcp::acceptor acceptor(context, {asio::ip::address_v4::loopback(), port});
    fmt::print("{{\"listening\":{}}}\n", acceptor.local_endpoint().port());
    std::fflush(stdout);
    tcp::socket socket = acceptor.accept();
    auto start = Clock::now();
    std::string tls_fields;
    std::error_code error;
    char byte;
    if (tls == nullptr) {
        send_bytes(socket, bytes);
        socket.shutdown(tcp::socket::shutdown_send);
        // Wait for the client to close, so the timing covers delivery.
        socket.read_some(asio::buffer(&byte, 1), error);
    } else {
        TlsStream stream(std::move(socket), *tls);
        stream.handshake(asio::ssl::stream_base::server);
        tls_fields = "," + negotiated(stream);
        send_bytes(stream, bytes);
        // close_notify, then wait for the client's (or its close): delivery is covered too.
        stream.shutdown(error);
        stream.next_layer().shutdown(tcp::socket::shutdown_send, error);
        stream.next_layer().read_some(asio::buffer(&byte, 1), error);
    }
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    fmt::print("{{\"mode\":\"source\",\"bytes\":{},\"seconds\":{:.3f}{}}}\n", bytes, seconds,
               tls_fields);
    return 0;
}

// ---- send and receive: the clients of a listener ------------------------------------------

// Reads `socket` to its end: the byte count, and whether the end was the peer's FIN (a clean
// end) rather than a reset, which a listener that quits with unread data sends.
struct Drained {
    std::uint64_t bytes = 0;
    bool clean = false;
};

Drained drain_to_end(tcp::socket& socket) {
    std::vector<char> buffer(1 << 20);
    Drained drained;
    std::error_code error;
    for (;;) {
        drained.bytes += socket.read_some(asio::buffer(buffer), error);
        if (error) {
            drained.clean = error == asio::error::eof;
            return drained;
        }
    }
}

int run_send(const std::string& host, std::uint16_t port, std::uint64_t bytes) {
    asio::io_context context(1);
    tcp::socket socket(context);
    socket.connect(endpoint_of(host, port));
    auto start = Clock::now();
    send_bytes(socket, bytes);
    socket.shutdown(tcp::socket::shutdown_send);
    // Some listeners end their side as soon as their standard input ends, others only after
    // our end: either way this returns once the listener has closed (it may have more to do,
    // so the runner waits for its exit too).
    Drained answer = drain_to_end(socket);
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    fmt::print(R"({{"mode":"send","bytes":{},"received":{},"clean":{},"seconds":{:.3f}}})"
               "\n",
               bytes, answer.bytes, answer.clean, seconds);
    return answer.clean ? 0 : 1;
}

int run_receive(const std::string& host, std::uint16_t port) {
    asio::io_context context(1);
    tcp::socket socket(context);
    socket.connect(endpoint_of(host, port));
    auto start = Clock::now();
    // No half-close first: a listener may take our end for the end of the session and stop
    // sending (tcpkit listen does, as nc does), so we close only once it has sent everything.
    Drained received = drain_to_end(socket);
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    fmt::print(R"({{"mode":"receive","bytes":{},"clean":{},"seconds":{:.3f}}})"
               "\n",
               received.bytes, received.clean, seconds);
    return received.clean ? 0 : 1;
}

// ---- handshakes ----------------------------------------------------------------------------

struct HandshakeRun {
    // Set once the half-open connections are in (at once without them).
    Clock::time_point measure_from = Clock::time_point::max();
    Clock::time_point stop_at = Clock::time_point::max();
    std::uint64_t most = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t handshakes = 0;      // completed within the measured window
    std::uint64_t all_handshakes = 0;  // warm-up and stragglers too: for the server's CPU
    std::uint64_t failures = 0;        // refused, reset, or out of time
    // Connectors still in a handshake (or its close) when the run ended: "unfinished".
    std::uint64_t half_open_closed = 0;  // half-open connections the server closed
    int connectors_done = 0;
    Latencies latencies;     // connect + handshake, per handshake
    std::string negotiated;  // of the first handshake
};

// A handshake, or a close, that takes this long has failed: the loop goes on with a new one.
constexpr auto handshake_limit = 5s;

// (Named coroutines rather than lambdas: GCC 12 mishandles a lambda's captures around co_await.)
asio::awaitable<void> connect_and_handshake(TlsStream& stream, tcp::endpoint endpoint) {
    co_await stream.next_layer().async_connect(endpoint, asio::use_awaitable);
    stream.next_layer().set_option(tcp::no_delay(true));
    co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
}

asio::awaitable<void> close_tls(TlsStream& stream) {
    std::error_code ignored;
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ignored));
}

// One connector: connect, full handshake, close_notify, and wait for the server to close (so
// that the server has done all its work for this one before the next starts), until the end.
asio::awaitable<void> handshake_loop(tcp::endpoint endpoint, asio::ssl::context& tls,
                                     HandshakeRun& run) {
    auto executor = co_await asio::this_coro::executor;
    while (Clock::now() < run.stop_at && run.handshakes < run.most) {
        auto started = Clock::now();
        TlsStream stream(executor, tls);
        bool done = false;
        try {
            done = co_await within(connect_and_handshake(stream, endpoint), handshake_limit);
        } catch (const std::exception&) {
            done = false;
        }
        if (!done) {
            ++run.failures;
            asio::steady_timer pause(executor, 10ms);  // no busy loop against a refusing port
            co_await pause.async_wait(asio::use_awaitable);
            continue;
        }
        auto finished = Clock::now();
        ++run.all_handshakes;
        if (run.negotiated.empty()) {
            run.negotiated = negotiated(stream);
        }
        if (started >= run.measure_from && finished <= run.stop_at) {
            ++run.handshakes;
            run.latencies.record(
                std::chrono::duration<double, std::micro>(finished - started).count());
        }
        // The server may close at once or answer with its own close_notify: either ends it.
        try {
            co_await within(close_tls(stream), handshake_limit);
        } catch (const std::exception&) {
        }
    }
    ++run.connectors_done;
}

// One connection that never sends a ClientHello: the server has to hold it until its handshake
// timeout. When the server closes it, another takes its place, until the end of the run.
// `all_connected` is shared: it may outlive the coroutine that waits on it (30 s at most).
asio::awaitable<void> half_open(tcp::endpoint endpoint, std::shared_ptr<int> connecting,
                                std::shared_ptr<asio::steady_timer> all_connected,
                                HandshakeRun& run) {
    bool first = true;
    while (Clock::now() < run.stop_at) {
        tcp::socket socket(co_await asio::this_coro::executor);
        std::error_code error;
        co_await socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, error));
        if (first) {
            first = false;
            if (--*connecting == 0) {
                all_connected->cancel();
            }
        }
        if (error) {
            ++run.failures;
            asio::steady_timer pause(socket.get_executor(), 10ms);  // no busy loop when refused
            co_await pause.async_wait(asio::use_awaitable);
            continue;
        }
        char byte;
        co_await socket.async_read_some(asio::buffer(&byte, 1),
                                        asio::redirect_error(asio::use_awaitable, error));
        ++run.half_open_closed;
    }
}

asio::awaitable<void> handshakes_main(tcp::endpoint endpoint, int connectors, double seconds,
                                      double warmup, int half_open_count, asio::ssl::context& tls,
                                      HandshakeRun& run) {
    auto executor = co_await asio::this_coro::executor;
    if (half_open_count > 0) {
        // Bounded: a server that takes none of them does not hold the run.
        auto all_connected = std::make_shared<asio::steady_timer>(executor, 30s);
        auto connecting = std::make_shared<int>(half_open_count);
        for (int i = 0; i < half_open_count; ++i) {
            asio::co_spawn(executor, half_open(endpoint, connecting, all_connected, run),
                           asio::detached);
        }
        std::error_code ignored;
        co_await all_connected->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        fmt::print(R"({{"ready":true,"half_open":{},"still_connecting":{}}})"
                   "\n",
                   half_open_count, std::max(*connecting, 0));
        std::fflush(stdout);
    }
    auto now = Clock::now();
    run.measure_from =
        now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
    run.stop_at = run.measure_from + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(seconds));
    for (int i = 0; i < connectors; ++i) {
        asio::co_spawn(executor, handshake_loop(endpoint, tls, run), asio::detached);
    }
}

// The handshake loop (`connectors` at once), beside `half_open_count` silent connections when
// asked: a handshake flood. Ends after `seconds` past the warm-up, or after `most` handshakes.
int run_handshakes(const std::string& host, std::uint16_t port, int connectors, double seconds,
                   double warmup, std::uint64_t most, int half_open_count,
                   asio::ssl::context& tls) {
    asio::io_context context(1);
    HandshakeRun run;
    run.most = most;
    double cpu_before = cpu_seconds();
    bool started = false;
    asio::co_spawn(context,
                   handshakes_main(endpoint_of(host, port), connectors, seconds, warmup,
                                   half_open_count, tls, run),
                   [&](std::exception_ptr) { started = true; });
    // Joining is bounded above (30 s), the run by its end plus the time a straggler may take.
    auto hard_deadline = Clock::now() + 30s +
                         std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(warmup + seconds + 1)) +
                         handshake_limit * 2;
    while (Clock::now() < hard_deadline) {
        context.run_for(20ms);
        bool over = started && Clock::now() >= run.stop_at + straggler_grace;
        bool counted = started && run.handshakes >= run.most;
        // Half-open connections are only there for the connectors: they end with them.
        bool all_done = started && run.connectors_done == connectors &&
                        (half_open_count == 0 || Clock::now() >= run.stop_at);
        if (over || counted || all_done) {
            break;
        }
    }
    auto ended = std::min(Clock::now(), run.stop_at);
    double measured = started && ended > run.measure_from
                          ? std::chrono::duration<double>(ended - run.measure_from).count()
                          : 0;
    fmt::print(R"({{"mode":"handshake","connectors":{},"half_open":{},"seconds":{:.3f},)"
               R"("handshakes":{},"all_handshakes":{},"failures":{},"unfinished":{},)"
               R"("half_open_closed":{},)"
               R"("handshakes_per_second":{:.1f},)"
               R"("p50_us":{:.1f},"p99_us":{:.1f},"loadgen_cpu_seconds":{:.3f}{}{}}})"
               "\n",
               connectors, half_open_count, measured, run.handshakes, run.all_handshakes,
               run.failures, connectors - run.connectors_done, run.half_open_closed,
               measured > 0 ? static_cast<double>(run.handshakes) / measured : 0,
               run.latencies.percentile(50), run.latencies.percentile(99),
               cpu_seconds() - cpu_before, run.negotiated.empty() ? "" : ",", run.negotiated);
    std::fflush(stdout);
    return run.handshakes > 0 || connectors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Load generator for the tcpkit benchmarks (loopback only)", "tcpkit-loadgen"};
    app.require_subcommand(1);
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    int connections = 1;
    std::size_t size = 64;
    double seconds = 3;
    double warmup = 0.5;
    int senders = 10;
    int lines = 100;
    std::size_t padding = 0;
    double rate = 0;
    int slow_readers = 0;
    double timeout = 60;
    bool ncat = false;
    std::uint64_t bytes = 0;
    bool tls = false;
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
    int half_open_count = 0;
    std::uint64_t most = std::numeric_limits<std::uint64_t>::max();

    auto* echo = app.add_subcommand("echo", "Echo round trips");
    echo->add_option("host", host)->required();
    echo->add_option("port", port)->required();
    echo->add_option("-c,--connections", connections);
    echo->add_option("-s,--size", size);
    echo->add_option("-d,--duration", seconds);
    echo->add_option("--warmup", warmup);
    echo->add_flag("--tls", tls, "Speak TLS (no verification without --ca-file)");
    echo->add_option("--ca-file", ca_file, "Verify the server's certificate against these CAs");

    std::vector<std::uint16_t> ports;
    std::uint64_t expected_leaves = 0;
    auto* chat = app.add_subcommand("chat", "Chat fan-out");
    chat->add_option("host", host)->required();
    chat->add_option("port", ports, "PORT[,PORT...]: the nodes of one room, clients in turn")
        ->required()
        ->delimiter(',');
    chat->add_option("-c,--clients", connections);
    chat->add_option("--senders", senders);
    chat->add_option("--lines", lines);
    chat->add_option("--rate", rate, "Total lines per second, 0: as fast as possible");
    chat->add_option("--slow-readers", slow_readers);
    chat->add_option("--padding", padding, "Extra bytes in each line");
    chat->add_option("--timeout", timeout);
    double stall = 0;
    chat->add_option("--stall", stall, "Give up after this long with nothing arriving (0: never)");
    chat->add_flag("--ncat", ncat, "The server is ncat --chat: no nickname phase");

    auto* idle = app.add_subcommand("idle", "Idle named clients");
    idle->add_option("host", host)->required();
    idle->add_option("port", ports, "PORT[,PORT...]")->required()->delimiter(',');
    idle->add_option("-c,--clients", connections);
    idle->add_flag("--ncat", ncat);

    auto* leaves = app.add_subcommand("leaves", "Time until a dead node's members are announced");
    leaves->add_option("host", host)->required();
    leaves->add_option("port", ports, "PORT[,PORT...]: the nodes of one room, clients in turn")
        ->required()
        ->delimiter(',');
    leaves->add_option("-c,--clients", connections);
    leaves->add_option("--expect", expected_leaves, "Leaves each remaining client must see")
        ->required();
    leaves->add_option("--timeout", timeout, "For joining, and again for the leaves");

    auto* sink = app.add_subcommand("sink", "Count bytes of one connection");
    sink->add_option("port", port);
    auto* source = app.add_subcommand("source", "Send bytes on one connection");
    source->add_option("port", port);
    source->add_option("--bytes", bytes)->required();
    for (auto* server : {sink, source}) {
        server->add_flag("--tls", tls, "Serve TLS with --cert and --key");
        server->add_option("--cert", cert_file, "Certificate chain (PEM)");
        server->add_option("--key", key_file, "Private key (PEM), default: the --cert file");
    }

    auto* send = app.add_subcommand("send", "Connect and send bytes (to a listener)");
    send->add_option("host", host)->required();
    send->add_option("port", port)->required();
    send->add_option("--bytes", bytes)->required();
    auto* receive = app.add_subcommand("receive", "Connect and count bytes to the end");
    receive->add_option("host", host)->required();
    receive->add_option("port", port)->required();

    auto* handshake = app.add_subcommand("handshake", "Full TLS handshakes in a loop");
    handshake->add_option("host", host)->required();
    handshake->add_option("port", port)->required();
    handshake->add_option("-c,--connectors", connections, "Handshakes at once (0: flood only)");
    handshake->add_option("-d,--duration", seconds);
    handshake->add_option("--warmup", warmup);
    handshake->add_option("--max", most, "Stop after this many handshakes");
    handshake->add_option("--half-open", half_open_count,
                          "Also hold this many connections that never send a ClientHello");
    handshake->add_option("--ca-file", ca_file,
                          "Verify the server's certificate against these CAs");

    CLI11_PARSE(app, argc, argv);
    try {
        if (*echo) {
            auto context = tls ? client_tls(ca_file) : nullptr;
            return run_echo(host, port, connections, size, seconds, warmup, context.get());
        }
        if (*handshake) {
            auto context = client_tls(ca_file);
            return run_handshakes(host, port, connections, seconds, warmup, most, half_open_count,
                                  *context);
        }
        if (*chat) {
            return run_chat(host, ports, connections, senders, lines, rate, slow_readers, timeout,
                            stall, ncat, padding);
        }
        if (*idle) {
            return run_idle(host, ports, connections, ncat);
        }
        if (*leaves) {
            return run_leaves(host, ports, connections, expected_leaves, timeout);
        }
        if (*send) {
            return run_send(host, port, bytes);
        }
        if (*receive) {
            return run_receive(host, port);
        }
        if ((*sink || *source) && tls && cert_file.empty()) {
            fmt::print(stderr, "tcpkit-loadgen: --tls needs --cert\n");
            return 2;
        }
        auto context = tls ? server_tls(cert_file, key_file) : nullptr;
        if (*sink) {
            return run_sink(port, context.get());
        }
        return run_source(port, bytes, context.get());
    } catch (const std::exception& error) {
        fmt::print(stderr, "tcpkit-loadgen: {}\n", error.what());
        return 1;
    }
}
