// tcpkit connect: the tutorial's `net.Socket` client as an interactive nc. Standard input goes to
// the server and what the server sends goes to standard output, both at once.
#include <string>
#include <vector>

#include "commands.h"
#include "tcpkit/base/port_list.h"
#include "tcpkit/client/client.h"
#include "tcpkit/client/port_check.h"
#include "tls_options.h"

namespace tcpkit::cmd {
namespace {

struct ConnectCommand {
    LoggingOptions logging;
    FamilyOptions family;
    std::string host;
    std::vector<std::string> ports;  // one, or with -z any number of ports and ranges
    Milliseconds connect_timeout = default_connect_timeout;
    Milliseconds idle_timeout{0};
    bool crlf = false;
    bool hex = false;
    bool udp = false;
    bool progress = false;
    bool receive_only = false;
    LineModeOptions line_mode;
    TlsClientOptions tls;
    bool zero_io = false;
    std::size_t parallel = default_port_check_parallel;
    Milliseconds wait{0};
    std::vector<std::uint16_t> ports_to_check;  // -z: `ports` expanded
};

// What PORT may be depends on -z, so it is checked once every option is known.
void check_ports(ConnectCommand& options) {
    if (options.zero_io) {
        try {
            options.ports_to_check = parse_port_list(options.ports);
        } catch (const UsageError& error) {
            throw CLI::ValidationError("port", error.what());
        }
        return;
    }
    if (options.ports.size() != 1) {
        throw CLI::ValidationError("port", "give one PORT, or -z to check several");
    }
    if (!parse_port_range(options.ports.front()).is_single()) {
        throw CLI::ValidationError("port", "a port range needs -z");
    }
}

int run_zero_io(const ConnectCommand& options) {
    PortCheckOptions check;
    check.host = parse_host(options.host);
    check.display_host = options.host;
    check.ports = options.ports_to_check;
    check.family = options.family.family();
    check.connect_timeout = options.connect_timeout;
    check.parallel = options.parallel;
    check.wait = options.wait;
    check.verbose = options.logging.verbose;
    return run_port_check(check);
}

int run(const ConnectCommand& options) {
    apply_logging(options.logging, false);
    if (options.zero_io) {
        return run_zero_io(options);
    }
    ClientOptions client;
    client.connect = {parse_host(options.host), parse_port(options.ports.front()),
                      options.family.family(), options.connect_timeout};
    client.udp = options.udp;
    client.tls = options.tls;
    client.relay.crlf = options.crlf;
    client.relay.hex = options.hex;
    client.relay.idle_timeout = options.idle_timeout;
    client.relay.progress = options.progress;
    client.relay.receive_only = options.receive_only;
    // A hex dump or a progress line would be drawn across the line being typed.
    client.line_mode = options.line_mode.choose(options.logging, options.hex || options.progress);
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
    command
        ->add_option("host", options->host,
                     "Server name or address (localhost, 127.0.0.1, ::1, [::1])")
        ->required()
        ->check(host_validator())
        ->type_name("HOST");
    command
        ->add_option("port", options->ports,
                     "Server port; with -z, any number of ports and ranges (8000-8010)")
        ->required()
        ->check(validator_from(parse_port_range))
        ->type_name("PORT");
    add_family_options(*command, options->family);
    add_duration_option(
        *command, "--connect-timeout", options->connect_timeout,
        "Give up connecting after this long, resolving the name and all addresses together "
        "(0: the OS decides; with -z, for each port)");
    auto* idle = add_duration_option(
        *command, "--idle-timeout", options->idle_timeout,
        "Exit with status 1 after this long without data either way (default: never; "
        "with --udp, also how long replies are awaited after the input ends, 1s if unset)");
    auto* crlf = command->add_flag("--crlf", options->crlf,
                                   "Send line ends as CRLF (for servers that need it)");
    auto* hex = command->add_flag("-x,--hex", options->hex,
                                  "Hex dump both directions to stderr ('>' sent, '<' received)");
    auto* udp = command->add_flag(
        "-u,--udp", options->udp,
        "Use UDP: each input chunk is one datagram, each datagram received is printed");
    auto* tls = add_tls_client_options(*command, options->tls)->excludes(udp);
    auto* zero_io = command->add_flag(
        "-z,--zero-io", options->zero_io,
        "Only check which PORTs accept a connection, sending nothing, like nc -z: prints "
        "'HOST PORT open' for each (-v: every port); exit 0 when all are open");
    zero_io->excludes(udp)->excludes(tls)->excludes(crlf)->excludes(hex)->excludes(idle);
    command->add_option("--parallel", options->parallel, "With -z, check at most N ports at once")
        ->check(CLI::Range(std::size_t{1}, max_port_check_parallel))
        ->needs(zero_io)
        ->type_name("N")
        ->capture_default_str();
    add_duration_option(*command, "--wait", options->wait,
                        "With -z, try the ports not open yet again until all are open or this "
                        "long has passed")
        ->needs(zero_io);
    auto* progress = add_progress_option(*command, options->progress)->excludes(zero_io);
    add_line_mode_options(*command, options->line_mode)->excludes(hex)->excludes(progress);
    for (const char* not_with_zero_io : {"--line", "--raw", "--history-file"}) {
        command->get_option(not_with_zero_io)->excludes(zero_io);
    }
    add_receive_only_option(*command, options->receive_only)->excludes(zero_io)->excludes(udp);
    add_logging_options(*command, options->logging);
    command->footer(
        std::string(
            "When standard input ends, the sending side is shut down and output continues until "
            "the server closes. When the server closes first, tcpkit exits at once. Only the "
            "server's data goes to stdout; -v reports the connection on stderr. At a terminal "
            "(standard input and output both), connect is a line-editing client: the server's "
            "text, made safe, is printed above the line being typed; in pipes and files bytes "
            "are relayed exactly. With -z, exit status 1 means a port was not open.\n") +
        client_exit_status_help());
    command->callback([options, &selected] {
        check_ports(*options);
        selected = [options] { return run(*options); };
    });
}

}  // namespace tcpkit::cmd
