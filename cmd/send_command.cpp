// tcpkit send: the tutorial's client that connects, writes a message, prints the reply and closes.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
#include <vector>

#include "commands.h"
#include "tcpkit/client/client.h"
#include "tls_options.h"

namespace tcpkit::cmd {
namespace {

struct SendCommand {
    LoggingOptions logging;
    FamilyOptions family;
    std::string host;
    std::string port;
    std::vector<std::string> text;
    std::string file;
    bool no_newline = false;
    Milliseconds timeout = default_send_timeout;
    std::size_t lines = 0;
    bool no_shutdown = false;
    bool crlf = false;
    bool progress = false;
    TlsClientOptions tls;
};

int run(const SendCommand& options) {
    apply_logging(options.logging, false);
    ClientOptions client;
    // One deadline covers everything: connecting, sending and waiting for the reply.
    client.connect = {parse_host(options.host), parse_port(options.port), options.family.family(),
                      options.timeout};
    client.relay.overall_timeout = options.timeout;
    client.relay.crlf = options.crlf;
    client.relay.progress = options.progress;
    client.tls = options.tls;
    client.relay.half_close_at_end = !options.no_shutdown;
    if (options.lines > 0) {
        client.relay.max_reply_lines = options.lines;
    }
    std::string text;
    if (!options.text.empty()) {
        text = fmt::format("{}", fmt::join(options.text, " "));
        if (!options.no_newline) {
            text += '\n';
        }
    }
    return run_client(client, [&](const asio::any_io_executor& executor) {
        if (!options.text.empty()) {
            return InputStream::from_string(text);
        }
        if (!options.file.empty()) {
            return InputStream::open_file(executor, options.file);
        }
        return InputStream::standard_input(executor);
    });
}

}  // namespace

void setup_send(CLI::App& app, CommandRunner& selected) {
    auto options = std::make_shared<SendCommand>();
    auto* command = app.add_subcommand("send", "Send a message, print the reply, and exit");
    add_destination_arguments(*command, options->host, options->port);
    auto* text =
        command->add_option("text", options->text,
                            "Text to send, arguments joined by spaces, plus a newline (default: "
                            "standard input)");
    command->add_option("-f,--file", options->file, "Send the contents of FILE instead")
        ->excludes(text)
        ->type_name("FILE");
    command->add_flag("-n,--no-newline", options->no_newline, "Do not add a newline after TEXT")
        ->needs(text);
    add_duration_option(
        *command, "-t,--timeout", options->timeout,
        "Give up after this long in all, resolving and connecting included; exit status 1");
    command->add_option("-l,--lines", options->lines, "Exit after N lines of reply")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000'000}))
        ->type_name("N");
    command->add_flag(
        "--no-shutdown", options->no_shutdown,
        "Keep the sending side open after the message (for servers that close on EOF)");
    command->add_flag("--crlf", options->crlf, "Send line ends as CRLF");
    add_progress_option(*command, options->progress);
    add_family_options(*command, options->family);
    add_tls_client_options(*command, options->tls);
    add_logging_options(*command, options->logging);
    command->footer(
        std::string(
            "tcpkit send stops waiting when the first of these happens: the server closes the "
            "connection (exit 0); --lines N reply lines have arrived (exit 0); --timeout "
            "expires (exit 1, with a message). By default the sending side is shut down "
            "after the message, so servers that answer and close (like echo-server) end "
            "it at once.\n") +
        client_exit_status_help());
    command->callback([options, &selected] { selected = [options] { return run(*options); }; });
}

}  // namespace tcpkit::cmd
