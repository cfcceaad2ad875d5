// tcpkit echo-server: the tutorial's `net.createServer` example. Every byte a client sends comes
// straight back; each connection and disconnection is logged, and -v adds the data itself
// (the tutorial's `DATA addr: data`).
#include <string>
#include <vector>

#include "commands.h"
#include "tcpkit/byte_escape.h"
#include "tcpkit/logger.h"
#include "tcpkit/signals.h"
#include "tcpkit/tcp_server.h"
#include "tcpkit/udp_server.h"

namespace tcpkit::cmd {
namespace {

// Reads start small and double while they fill the buffer: idle clients cost 4 KiB, bulk
// transfers move 64 KiB per system call.
constexpr std::size_t first_read_bytes = std::size_t{4} * 1024;
constexpr std::size_t largest_read_bytes = std::size_t{64} * 1024;

struct EchoServerOptions {
    LoggingOptions logging;
    FamilyOptions family;
    std::string host = "localhost";
    std::string port = "8080";
    Milliseconds idle_timeout{0};
    std::size_t max_connections = 10000;
    std::size_t threads = 1;
    bool once = false;
    bool udp = false;
};

asio::awaitable<void> echo(ClientConnection& client) {
    std::vector<char> buffer(first_read_bytes);
    for (;;) {
        std::size_t count = co_await client.read_some(buffer);
        if (count == 0) {
            break;
        }
        std::string_view data(buffer.data(), count);
        if (log().enabled(LogLevel::debug)) {  // escaping costs more than echoing
            log().debug("data from {}: {}", client.peer(), escape_bytes(data));
        }
        if (!co_await client.write(data)) {
            co_return;
        }
        if (count == buffer.size() && buffer.size() < largest_read_bytes) {
            buffer.resize(buffer.size() * 2);
        }
    }
    // The client has finished sending (the tutorial's 'end' event) and everything it sent has
    // been echoed: close our side too.
    client.shutdown_send();
}

int run_echo_server(const EchoServerOptions& options) {
    apply_logging(options.logging, true);
    raise_open_file_limit();
    ListenRequest listen{parse_host(options.host), parse_port(options.port),
                         options.family.family()};

    if (options.udp) {
        UdpServer server(listen, [](std::string_view datagram, const std::string& peer) {
            if (log().enabled(LogLevel::debug)) {
                log().debug("datagram from {}: {}", peer, escape_bytes(datagram));
            }
            return std::optional<std::string_view>(datagram);
        });
        server.run();
        return 0;
    }
    ServerOptions server_options;
    server_options.listen = listen;
    server_options.threads = options.threads;
    server_options.max_connections = options.max_connections;
    server_options.idle_timeout = options.idle_timeout;
    server_options.exit_after_last_client = options.once;
    TcpServer server(server_options, echo);
    server.run();
    return 0;
}

}  // namespace

void setup_echo_server(CLI::App& app, CommandRunner& selected) {
    auto options = std::make_shared<EchoServerOptions>();
    auto* command = app.add_subcommand(
        "echo-server", "Echo every byte back to its sender (the tutorial's net.createServer)");
    add_listen_options(*command, options->host, options->port);
    add_family_options(*command, options->family);
    add_duration_option(*command, "--idle-timeout", options->idle_timeout,
                        "Close a connection silent this long, e.g. 3s (default: never)");
    command
        ->add_option("--max-conns", options->max_connections,
                     "Refuse connections beyond this many at once")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
        ->type_name("N")
        ->default_str("10000");
    command->add_option("--threads", options->threads, "I/O threads")
        ->check(CLI::Range(std::size_t{1}, std::size_t{256}))
        ->type_name("N")
        ->default_str("1");
    command->add_flag("--once", options->once,
                      "Exit when the last client has gone, once one has connected");
    auto* udp =
        command->add_flag("--udp", options->udp, "Echo UDP datagrams instead of TCP streams");
    for (const char* tcp_only : {"--once", "--idle-timeout", "--max-conns", "--threads"}) {
        command->get_option(tcp_only)->excludes(udp);
    }
    add_logging_options(*command, options->logging);
    command->footer(
        std::string(
            "Logs go to stderr; 'listening on ADDRESS:PORT' is printed for each address before "
            "the first connection is accepted. SIGINT/SIGTERM stop accepting, let open "
            "connections finish (up to 2s) and print a summary.\n") +
        exit_status_help);
    command->callback(
        [options, &selected] { selected = [options] { return run_echo_server(*options); }; });
}

}  // namespace tcpkit::cmd
