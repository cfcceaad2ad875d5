// tcpkit echo-server: the tutorial's `net.createServer` example. Every byte a client sends comes
// straight back; each connection and disconnection is logged, and -v adds the data itself
// (the tutorial's `DATA addr: data`).
#include <string>

#include "commands.h"
#include "tcpkit/echo/echo_server.h"
#include "tcpkit/net/signals.h"

namespace tcpkit::cmd {
namespace {

struct EchoServerCommand {
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

int run(const EchoServerCommand& command) {
    apply_logging(command.logging, true);
    raise_open_file_limit();
    EchoOptions options;
    options.server.listen = {parse_host(command.host), parse_port(command.port),
                             command.family.family()};
    options.server.threads = command.threads;
    options.server.max_connections = command.max_connections;
    options.server.idle_timeout = command.idle_timeout;
    options.server.exit_after_last_client = command.once;
    options.udp = command.udp;
    run_echo_server(options);
    return 0;
}

}  // namespace

void setup_echo_server(CLI::App& app, CommandRunner& selected) {
    auto options = std::make_shared<EchoServerCommand>();
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
    command->callback([options, &selected] { selected = [options] { return run(*options); }; });
}

}  // namespace tcpkit::cmd
