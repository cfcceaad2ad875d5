// Options and conventions shared by every subcommand: logging, address family, validators,
// exit statuses.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tcpkit/base/address.h"
#include "tcpkit/base/duration.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/net/address_filter.h"
#include "tcpkit/net/listener.h"
#include "tcpkit/net/per_address_limit.h"
#include "tcpkit/terminal/line_terminal.h"

namespace tcpkit::cmd {

// Each subcommand's callback stores what to run; main() runs it after parsing succeeded.
using CommandRunner = std::function<int()>;

struct LoggingOptions {
    bool verbose = false;
    bool quiet = false;
    std::string format = "text";
    std::string color = "auto";
};

// --line/--raw/--history-file of connect and listen, as typed.
struct LineModeOptions {
    bool line = false;
    bool raw = false;
    std::string history_file;
    // Line mode's options when it runs: with --line (a UsageError when it cannot), and unless
    // --raw or `raw_preferred` (options that draw on the same terminal) when standard input
    // and output are terminals. Nullopt: the byte-exact relay. --color always keeps the peer's
    // colour.
    std::optional<LineTerminalOptions> choose(const LoggingOptions& logging,
                                              bool raw_preferred) const;
};

struct FamilyOptions {
    bool ipv4_only = false;
    bool ipv6_only = false;
    IpFamily family() const;
};

// The --host/--port of the servers as typed, starting from libcore's defaults.
struct ListenOptions {
    std::string host{default_listen_host};
    std::string port = std::to_string(default_listen_port);
    // Parses host and port (already checked while parsing the command line).
    ListenRequest request(const FamilyOptions& family) const;
};

// --allow/--deny of the servers as typed: each item is one rule or a comma-separated list.
struct AccessOptions {
    std::vector<std::string> allow;
    std::vector<std::string> deny;
    // Parses the rules (already checked while parsing the command line).
    AddressFilter filter() const;
};

void add_logging_options(CLI::App& command, LoggingOptions& options);

// The HOST PORT positionals of the clients.
void add_destination_arguments(CLI::App& command, std::string& host, std::string& port);
// The --host/--port options of the servers; --help shows the defaults `options` starts with.
void add_listen_options(CLI::App& command, ListenOptions& options);
void add_family_options(CLI::App& command, FamilyOptions& options);
void add_access_options(CLI::App& command, AccessOptions& options);

// --max-conns-per-ip N into `limit`, whose value on entry is the default --help shows (chat's
// limits peers not on loopback only); given, N applies to every address, loopback included.
CLI::Option* add_per_address_option(CLI::App& command, PerAddressLimit& limit);
// --progress of the commands that relay data (RelayOptions::progress).
CLI::Option* add_progress_option(CLI::App& command, bool& progress);
// --recv-only of connect and listen (RelayOptions::receive_only).
CLI::Option* add_receive_only_option(CLI::App& command, bool& receive_only);
// --line and --raw (returned, to exclude what line mode cannot go with) and --history-file.
CLI::Option* add_line_mode_options(CLI::App& command, LineModeOptions& options);

// Configures the process-wide logger. Servers stamp their lines with the time; clients do not.
void apply_logging(const LoggingOptions& options, bool timestamps);

// Options that take a duration (500ms, 3s, 2m) or a port, checked while parsing so that a bad
// value is reported with the option's name and exit status 2.
// --help shows the value `target` starts with as the default, as capture_default_str() would,
// unless it is zero: zero means "never" or "no limit", which the description says in words.
CLI::Option* add_duration_option(CLI::App& command, const std::string& name, Milliseconds& target,
                                 const std::string& description);
const CLI::Validator& port_validator();

// Turns a libcore parse function into a CLI11 check: its UsageError text becomes the message.
// The validator has no description of its own: the option's type name says what it takes.
template <typename Parse>
CLI::Validator validator_from(Parse parse) {
    return CLI::Validator(
        [parse](std::string& text) -> std::string {
            try {
                parse(text);
                return {};
            } catch (const UsageError& error) {
                return error.what();
            }
        },
        "");
}

const CLI::Validator& host_validator();

// The "Exit status: ..." line of every --help, from the table next to ExitStatus: servers (a
// signal stops them gracefully, with status 0) list all but `interrupted`, clients all.
std::string exit_status_help();
std::string client_exit_status_help();

}  // namespace tcpkit::cmd
