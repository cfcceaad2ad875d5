// tcpkit echo-server: the tutorial's `net.createServer` example. Every byte a client sends comes
// straight back; each connection and disconnection is logged, and -v adds the data itself
// (the tutorial's `DATA addr: data`).
#include <fmt/format.h>

#include <string>

#include "commands.h"
#include "tcpkit/echo/echo_server.h"
#include "tcpkit/net/signals.h"
#include "tls_options.h"

namespace tcpkit::cmd {
namespace {

struct EchoServerCommand {
    LoggingOptions logging;
    FamilyOptions family;
    ListenOptions listen;
    AccessOptions access;
    EchoOptions echo;  // --threads, --max-conns, --idle-timeout, --once, --udp
    TlsServerOptions tls;
};

int run(const EchoServerCommand& command) {
    apply_logging(command.logging, true);
    raise_open_file_limit();
    EchoOptions options = command.echo;
    options.server.listen = command.listen.request(command.family);
    options.server.access = command.access.filter();
    options.server.tls = make_tls_server(command.tls, command.listen);
    run_echo_server(options);
    return 0;
}

}  // namespace

void setup_echo_server(CLI::App& app, CommandRunner& selected) {
    auto options = std::make_shared<EchoServerCommand>();
    auto& server = options->echo.server;
    auto* command = app.add_subcommand(
        "echo-server", "Echo every byte back to its sender (the tutorial's net.createServer)");
    add_listen_options(*command, options->listen);
    add_family_options(*command, options->family);
    add_access_options(*command, options->access);
    add_duration_option(*command, "--idle-timeout", server.idle_timeout,
                        "Close a connection silent this long, e.g. 3s (default: never)");
    command
        ->add_option("--max-conns", server.max_connections,
                     "Refuse connections beyond this many at once")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
        ->type_name("N")
        ->capture_default_str();
    add_per_address_option(*command, server.per_address);
    command->add_option("--threads", server.threads, "I/O threads")
        ->check(CLI::Range(std::size_t{1}, std::size_t{256}))
        ->type_name("N")
        ->capture_default_str();
    command->add_flag("--once", server.exit_after_last_client,
                      "Exit when the last client has gone, once one has connected");
    auto* udp =
        command->add_flag("--udp", options->echo.udp, "Echo UDP datagrams instead of TCP streams");
    add_tls_server_options(*command, options->tls)->excludes(udp);
    for (const char* tcp_only :
         {"--once", "--idle-timeout", "--max-conns", "--max-conns-per-ip", "--threads"}) {
        command->get_option(tcp_only)->excludes(udp);
    }
    add_logging_options(*command, options->logging);
    command->footer(fmt::format(
        "Logs go to stderr; 'listening on ADDRESS:PORT' is printed for each address before the "
        "first connection is accepted. SIGINT/SIGTERM stop accepting, let open connections "
        "finish (up to {}) and print a summary.\n{}",
        format_duration(default_drain_timeout), exit_status_help()));
    command->callback([options, &selected] { selected = [options] { return run(*options); }; });
}

}  // namespace tcpkit::cmd
