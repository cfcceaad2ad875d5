// tcpkit listen: the server-side twin of connect, as `nc -l`: wait for a connection and relay
// it to standard input and output; -k for every client at once, --exec/--sh-exec to give each
// connection its own program, -u for datagrams.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "tcpkit/listen/listen.h"
#include "tcpkit/net/signals.h"
#include "tls_options.h"

namespace tcpkit::cmd {
namespace {

struct ListenCommand {
    LoggingOptions logging;
    FamilyOptions family;
    ListenOptions listen;
    AccessOptions access;
    std::vector<std::string> host_and_port;  // the positionals: [HOST] PORT
    bool keep_open = false;
    bool once = false;
    std::size_t max_connections = default_listen_max_connections;
    PerAddressLimit per_address;
    Milliseconds idle_timeout{0};
    std::optional<std::string> exec_program;  // --exec [PROGRAM]
    bool exec_given = false;
    std::string shell_command;  // --sh-exec COMMAND
    std::string exec_stderr = "server";
    std::vector<std::string> program_arguments;  // after --
    bool udp = false;
    bool crlf = false;
    bool hex = false;
    bool progress = false;
    bool receive_only = false;
    LineModeOptions line_mode;
    TlsServerOptions tls;
};

// Where to listen: the positionals ([HOST] PORT) or --host/--port, not both.
ListenOptions where(const ListenCommand& command, const CLI::App& app) {
    ListenOptions listen = command.listen;
    const auto& positional = command.host_and_port;
    bool options_given = app.count("--host") > 0 || app.count("--port") > 0;
    if (!positional.empty() && options_given) {
        throw UsageError("give the address as [HOST] PORT or as --host/--port, not both");
    }
    if (positional.empty() && app.count("--port") == 0) {
        throw UsageError("a PORT to listen on is required (tcpkit listen [HOST] PORT)");
    }
    if (positional.size() == 2) {
        listen.host = positional[0];
    }
    if (!positional.empty()) {
        listen.port = positional.back();
    }
    parse_host(listen.host);
    parse_port(listen.port);
    return listen;
}

std::optional<ChildCommand> program(const ListenCommand& command) {
    if (!command.exec_given && command.shell_command.empty()) {
        if (!command.program_arguments.empty()) {
            throw UsageError("arguments after '--' are the program of --exec, which is missing");
        }
        return std::nullopt;
    }
    ChildCommand child;
    child.stderr_to_stdout = command.exec_stderr == "socket";
    if (!command.shell_command.empty()) {
        if (!command.program_arguments.empty()) {
            throw UsageError(
                "--sh-exec takes one COMMAND string; arguments after '--' are not used");
        }
        child.arguments = shell_command(command.shell_command);
        check_program(child.arguments.front());
        return child;
    }
    if (command.exec_program && !command.exec_program->empty()) {
        child.arguments.push_back(*command.exec_program);
    }
    child.arguments.insert(child.arguments.end(), command.program_arguments.begin(),
                           command.program_arguments.end());
    if (child.arguments.empty()) {
        throw UsageError("--exec needs a PROGRAM (--exec PROGRAM, or --exec -- PROGRAM ARGS...)");
    }
    check_program(child.arguments.front());
    return child;
}

int run(const ListenCommand& command, const CLI::App& app) {
    // Serving many (or programs) logs like the servers, with times; one connection like connect.
    bool serving = command.keep_open || command.exec_given || !command.shell_command.empty();
    apply_logging(command.logging, serving);
    ListenSettings settings;
    settings.program = program(command);
    if (serving) {
        raise_open_file_limit();
    }
    ListenOptions listen = where(command, app);
    settings.server.listen = listen.request(command.family);
    settings.server.max_connections = command.max_connections;
    settings.server.per_address = command.per_address;
    settings.server.idle_timeout = command.idle_timeout;
    settings.server.exit_after_last_client = command.once;
    settings.server.tls = make_tls_server(command.tls, listen);
    settings.server.access = command.access.filter();
    settings.keep_open = command.keep_open;
    settings.udp = command.udp;
    settings.relay.crlf = command.crlf;
    settings.relay.hex = command.hex;
    settings.relay.idle_timeout = command.idle_timeout;
    settings.relay.half_close_at_end = true;
    settings.relay.progress = command.progress;
    settings.relay.receive_only = command.receive_only;
    if (!serving && !command.udp) {
        // A hex dump or a progress line would be drawn across the line being typed.
        settings.line_mode =
            command.line_mode.choose(command.logging, command.hex || command.progress);
    }
    return run_listen(settings);
}

}  // namespace

std::vector<std::string> take_program_arguments(std::vector<std::string>& arguments) {
    if (arguments.size() < 2 || arguments[1] != "listen") {
        return {};
    }
    auto separator = std::find(arguments.begin() + 2, arguments.end(), "--");
    if (separator == arguments.end()) {
        return {};
    }
    std::vector<std::string> program(separator + 1, arguments.end());
    arguments.erase(separator, arguments.end());
    return program;
}

void setup_listen(CLI::App& app, CommandRunner& selected,
                  std::vector<std::string> program_arguments) {
    auto options = std::make_shared<ListenCommand>();
    options->program_arguments = std::move(program_arguments);
    auto* command = app.add_subcommand(
        "listen", "Wait for a connection and relay it to standard input and output, like nc -l");
    command->add_option("address", options->host_and_port, "[HOST] PORT: where to listen")
        ->expected(1, 2)
        ->type_name("[HOST] PORT");
    add_listen_options(*command, options->listen);
    command->get_option("--port")->default_str("");  // required here: no default to show
    add_family_options(*command, options->family);
    add_access_options(*command, options->access);
    auto* keep_open = command->add_flag(
        "-k,--keep-open", options->keep_open,
        "Keep accepting: every client hears standard input, and what each sends is printed");
    command
        ->add_flag("--once", options->once,
                   "With -k: exit when the last client has gone, once one has connected")
        ->needs(keep_open);
    command
        ->add_option("--max-conns", options->max_connections,
                     "Clients (and programs) at once with -k; one more is refused")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
        ->type_name("N")
        ->capture_default_str();
    add_per_address_option(*command, options->per_address);
    add_duration_option(*command, "--idle-timeout", options->idle_timeout,
                        "End a connection silent both ways this long, e.g. 30s (default: never; "
                        "one connection: exit 1, as connect)");
    auto* exec = command
                     ->add_option_function<std::string>(
                         "-e,--exec",
                         [options](const std::string& program) {
                             options->exec_given = true;
                             options->exec_program = program;
                         },
                         "Run PROGRAM for each connection, no shell; its arguments go after '--' "
                         "(--exec -- PROGRAM ARGS... also works)")
                     ->expected(0, 1)
                     ->type_name("[PROGRAM]");
    auto* sh_exec = command
                        ->add_option("-c,--sh-exec", options->shell_command,
                                     "Run COMMAND through /bin/sh -c for each connection")
                        ->type_name("COMMAND")
                        ->excludes(exec);
    command
        ->add_option("--exec-stderr", options->exec_stderr,
                     "Where the program's standard error goes: server (our stderr) or socket")
        ->check(CLI::IsMember({"server", "socket"}))
        ->type_name("WHERE")
        ->capture_default_str();
    auto* udp = command->add_flag(
        "-u,--udp", options->udp,
        "UDP: print each datagram; each input line goes as a datagram to the last sender");
    auto* crlf = command->add_flag("--crlf", options->crlf,
                                   "Send line ends as CRLF (for clients that need it)");
    auto* hex = command->add_flag("-x,--hex", options->hex,
                                  "Hex dump both directions to stderr ('>' sent, '<' received)");
    auto* receive_only = add_receive_only_option(*command, options->receive_only);
    // One connection's relay only: with -k or a program there is no single transfer to show.
    auto* progress = add_progress_option(*command, options->progress)->excludes(keep_open);
    for (auto* with_program : {exec, sh_exec}) {
        with_program->excludes(udp)->excludes(crlf)->excludes(hex)->excludes(progress)->excludes(
            receive_only);
    }
    progress->excludes(udp);
    receive_only->excludes(udp);
    // Line mode is one person with one client.
    auto* line = add_line_mode_options(*command, options->line_mode);
    for (auto* not_in_line_mode : {keep_open, exec, sh_exec, udp, hex, progress}) {
        line->excludes(not_in_line_mode);
    }
    add_tls_server_options(*command, options->tls)->excludes(udp);
    for (const char* tcp_only : {"-k", "--once", "--max-conns", "--max-conns-per-ip"}) {
        command->get_option(tcp_only)->excludes(udp);
    }
    add_logging_options(*command, options->logging);
    command->footer(fmt::format(
        "'listening on ADDRESS:PORT' goes to stderr for each address before anything is "
        "accepted. One connection is relayed as connect relays it: when standard input ends the "
        "sending side is shut down and output continues until the client closes; when the "
        "client closes first, tcpkit exits at once. At a terminal, one connection is in line "
        "mode, as in connect. With -k or a program, SIGINT/SIGTERM stop "
        "gracefully (programs get SIGTERM, then SIGKILL after {}).\n{}",
        format_duration(child_termination_grace), client_exit_status_help()));
    command->callback([options, command, &selected] {
        if (command->count("--exec-stderr") > 0 && !options->exec_given &&
            options->shell_command.empty()) {
            throw CLI::ValidationError("--exec-stderr", "needs --exec or --sh-exec");
        }
        selected = [options, command] { return run(*options, *command); };
    });
}

}  // namespace tcpkit::cmd
