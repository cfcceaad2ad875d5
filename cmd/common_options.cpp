#include "common_options.h"

#include <fmt/format.h>

#include "tcpkit/base/errors.h"

namespace tcpkit::cmd {

namespace {

// "Exit status: 0 success, 1 network failure (...), 2 usage error." for the statuses `listed`.
template <typename Predicate>
std::string exit_status_line(Predicate listed) {
    std::string line = "Exit status:";
    const char* separator = " ";
    for (const ExitStatusMeaning& entry : exit_status_meanings) {
        if (listed(entry.status)) {
            line += fmt::format("{}{} {}", separator, to_int(entry.status), entry.meaning);
            separator = ", ";
        }
    }
    return line + ".";
}

}  // namespace

std::string exit_status_help() {
    return exit_status_line([](ExitStatus status) { return status != ExitStatus::interrupted; });
}

std::string client_exit_status_help() {
    return exit_status_line([](ExitStatus) { return true; });
}

IpFamily FamilyOptions::family() const {
    if (ipv4_only) {
        return IpFamily::v4;
    }
    if (ipv6_only) {
        return IpFamily::v6;
    }
    return IpFamily::any;
}

void add_logging_options(CLI::App& command, LoggingOptions& options) {
    auto* verbose = command.add_flag("-v,--verbose", options.verbose, "Also log data and details");
    command.add_flag("-q,--quiet", options.quiet, "Log only warnings and errors")
        ->excludes(verbose);
    command
        .add_option("--log-format", options.format,
                    "Log lines as plain text or one JSON object each")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    command
        .add_option("--color", options.color,
                    "Colour log levels: auto (on a terminal), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->type_name("WHEN")
        ->capture_default_str();
}

void add_family_options(CLI::App& command, FamilyOptions& options) {
    auto* v4 = command.add_flag("-4", options.ipv4_only, "Use IPv4 addresses only");
    command.add_flag("-6", options.ipv6_only, "Use IPv6 addresses only")->excludes(v4);
}

CLI::Option* add_progress_option(CLI::App& command, bool& progress) {
    return command.add_flag(
        "--progress", progress,
        "Show bytes sent and received and their rates on stderr while data moves (with the "
        "percentage and time left when the input is a file), and a summary line at the end");
}

CLI::Option* add_receive_only_option(CLI::App& command, bool& receive_only) {
    return command.add_flag("--recv-only", receive_only,
                            "Only receive: never read standard input, so that its end (a "
                            "script's /dev/null) does not end the connection");
}

CLI::Option* add_line_mode_options(CLI::App& command, LineModeOptions& options) {
    auto* line = command.add_flag(
        "--line", options.line,
        "Line mode even when it would not be chosen: edit each line before it is sent, with "
        "the peer's text above it, made safe (needs a terminal; the default on one)");
    command
        .add_flag("--raw", options.raw,
                  "No line mode on a terminal: relay bytes as they are typed and received")
        ->excludes(line);
    command
        .add_option("--history-file", options.history_file,
                    fmt::format("In line mode, load the history from FILE and save it there at "
                                "the end (at most {} lines; default: none on disk)",
                                line_history_entries))
        ->type_name("FILE");
    return line;
}

std::optional<LineTerminalOptions> LineModeOptions::choose(const LoggingOptions& logging,
                                                           bool raw_preferred) const {
    std::optional<std::string> unavailable = line_mode_unavailable_reason();
    if (line && unavailable) {
        throw UsageError(*unavailable);
    }
    if (raw || (!line && (raw_preferred || unavailable))) {
        return std::nullopt;
    }
    LineTerminalOptions options;
    if (!history_file.empty()) {
        options.history_file = history_file;
    }
    options.keep_colour = logging.color == "always";
    return options;
}

void apply_logging(const LoggingOptions& options, bool timestamps) {
    LoggerOptions logger;
    logger.min_level = options.verbose ? LogLevel::debug
                       : options.quiet ? LogLevel::warn
                                       : LogLevel::info;
    logger.format = options.format == "json" ? LogFormat::json : LogFormat::text;
    logger.color = options.color == "always"  ? ColorMode::always
                   : options.color == "never" ? ColorMode::never
                                              : ColorMode::automatic;
    logger.timestamps = timestamps;
    log().configure(logger);
}

void add_destination_arguments(CLI::App& command, std::string& host, std::string& port) {
    command.add_option("host", host, "Server name or address (localhost, 127.0.0.1, ::1, [::1])")
        ->required()
        ->check(host_validator())
        ->type_name("HOST");
    command.add_option("port", port, "Server port")
        ->required()
        ->check(port_validator())
        ->type_name("PORT");
}

ListenRequest ListenOptions::request(const FamilyOptions& family) const {
    return {parse_host(host), parse_port(port), family.family()};
}

void add_listen_options(CLI::App& command, ListenOptions& options) {
    command
        .add_option("-H,--host", options.host,
                    "Address or name to listen on; every address it resolves to is used")
        ->check(host_validator())
        ->type_name("HOST")
        ->capture_default_str();
    command
        .add_option("-p,--port", options.port,
                    "Port to listen on; 0 picks a free one (see the 'listening on' line)")
        ->check(port_validator())
        ->type_name("PORT")
        ->capture_default_str();
}

AddressFilter AccessOptions::filter() const {
    AddressFilter filter;
    for (const std::string& item : allow) {
        auto rules = parse_address_rules(item);
        filter.allow.insert(filter.allow.end(), rules.begin(), rules.end());
    }
    for (const std::string& item : deny) {
        auto rules = parse_address_rules(item);
        filter.deny.insert(filter.deny.end(), rules.begin(), rules.end());
    }
    return filter;
}

CLI::Option* add_per_address_option(CLI::App& command, PerAddressLimit& limit) {
    std::string defaults =
        limit.limit == 0
            ? std::string("default: no limit")
            : fmt::format("default: {} for addresses not on loopback, none for loopback",
                          limit.limit);
    return command
        .add_option_function<std::size_t>(
            "--max-conns-per-ip",
            [&limit](std::size_t count) {
                limit.limit = count;
                limit.loopback_exempt = false;  // given: for every address
            },
            fmt::format("Connections at once from one address (IPv6: one /64); {}", defaults))
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
        ->type_name("N");
}

void add_access_options(CLI::App& command, AccessOptions& options) {
    static const CLI::Validator rules_validator =
        validator_from([](const std::string& text) { parse_address_rules(text); });
    command
        .add_option("--allow", options.allow,
                    "Serve only clients from these addresses or prefixes (repeatable, or "
                    "comma-separated: 10.0.0.0/8,::1)")
        ->check(rules_validator)
        ->allow_extra_args(false)
        ->type_name("ADDR[/PREFIX]");
    command
        .add_option("--deny", options.deny,
                    "Refuse clients from these addresses or prefixes, even if --allow lists them")
        ->check(rules_validator)
        ->allow_extra_args(false)
        ->type_name("ADDR[/PREFIX]");
}

CLI::Option* add_duration_option(CLI::App& command, const std::string& name, Milliseconds& target,
                                 const std::string& description) {
    // Bound through a function (the text is parsed), so capture_default_str() cannot see it.
    auto* option =
        command
            .add_option_function<std::string>(
                name, [&target](const std::string& text) { target = parse_duration(text); },
                description)
            ->check(validator_from([](const std::string& text) { parse_duration(text); }))
            ->type_name("DURATION");
    if (target != Milliseconds::zero()) {
        option->default_str(format_duration(target));
    }
    return option;
}

const CLI::Validator& port_validator() {
    static const CLI::Validator validator =
        validator_from([](const std::string& text) { parse_port(text); });
    return validator;
}

const CLI::Validator& host_validator() {
    static const CLI::Validator validator =
        validator_from([](const std::string& text) { parse_host(text); });
    return validator;
}

}  // namespace tcpkit::cmd
