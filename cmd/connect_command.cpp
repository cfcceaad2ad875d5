// tcpkit connect: the tutorial's `net.Socket` client as an interactive nc. Standard input goes to
// the server and what the server sends goes to standard output, both at once.
#include <string>

#include "commands.h"
#include "tcpkit/client/client.h"
#include "tls_options.h"

namespace tcpkit::cmd {
namespace {

struct ConnectCommand {
    LoggingOptions logging;
    FamilyOptions family;
    std::string host;
    std::string port;
    Milliseconds connect_timeout = default_connect_timeout;
    Milliseconds idle_timeout{0};
    bool crlf = false;
    bool hex = false;
    bool udp = false;
    bool progress = false;
    TlsClientOptions tls;
};

int run(const ConnectCommand& options) {
    apply_logging(options.logging, false);
    ClientOptions client;
    client.connect = {parse_host(options.host), parse_port(options.port), options.family.family(),
                      options.connect_timeout};
    client.udp = options.udp;
    client.tls = options.tls;
    client.relay.crlf = options.crlf;
    client.relay.hex = options.hex;
    client.relay.idle_timeout = options.idle_timeout;
    client.relay.progress = options.progress;
    // When our input ends we say so (half-close) and keep printing until the server closes.
    client.relay.half_close_at_end = true;
    return run_client(client, [](const asio::any_io_executor& executor) {
        return InputStream::standard_input(executor);
    });
}

}  // namespace

void setup_connect(CLI::App& app, CommandRunner& selected) {
    auto options = std::make_shared<ConnectCommand>();
    auto* command =
        app.add_subcommand("connect", "Connect standard input and output to a server, like nc");
    add_destination_arguments(*command, options->host, options->port);
    add_family_options(*command, options->family);
    add_duration_option(
        *command, "--connect-timeout", options->connect_timeout,
        "Give up connecting after this long, resolving the name and all addresses together "
        "(0: the OS decides)");
    add_duration_option(
        *command, "--idle-timeout", options->idle_timeout,
        "Exit with status 1 after this long without data either way (default: never; "
        "with --udp, also how long replies are awaited after the input ends, 1s if unset)");
    command->add_flag("--crlf", options->crlf, "Send line ends as CRLF (for servers that need it)");
    command->add_flag("-x,--hex", options->hex,
                      "Hex dump both directions to stderr ('>' sent, '<' received)");
    auto* udp = command->add_flag(
        "-u,--udp", options->udp,
        "Use UDP: each input chunk is one datagram, each datagram received is printed");
    add_tls_client_options(*command, options->tls)->excludes(udp);
    add_progress_option(*command, options->progress);
    add_logging_options(*command, options->logging);
    command->footer(
        std::string(
            "When standard input ends, the sending side is shut down and output continues until "
            "the server closes. When the server closes first, tcpkit exits at once. Only the "
            "server's data goes to stdout; -v reports the connection on stderr.\n") +
        client_exit_status_help());
    command->callback([options, &selected] { selected = [options] { return run(*options); }; });
}

}  // namespace tcpkit::cmd
