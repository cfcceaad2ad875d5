// tcpkit: one executable, one subcommand per example of the Node.js `net` tutorial.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX 1
#endif
#include <shellapi.h>
#include <windows.h>
#endif

#include "commands.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/net/signals.h"
#include "version.h"

namespace {

// The command line as UTF-8. Windows hands main() its arguments in the ANSI code page, where a
// nickname or MOTD such as 小明 becomes "??": read the UTF-16 command line there instead.
std::vector<std::string> utf8_arguments(int argc, char** argv) {
    std::vector<std::string> arguments(argv, argv + argc);
#ifdef _WIN32
    int count = 0;
    LPWSTR* wide = CommandLineToArgvW(GetCommandLineW(), &count);
    if (wide != nullptr) {
        arguments.clear();
        for (int i = 0; i < count; ++i) {
            int size = WideCharToMultiByte(CP_UTF8, 0, wide[i], -1, nullptr, 0, nullptr, nullptr);
            std::string argument(size > 0 ? static_cast<std::size_t>(size - 1) : 0, '\0');
            WideCharToMultiByte(CP_UTF8, 0, wide[i], -1, argument.data(), size, nullptr, nullptr);
            arguments.push_back(std::move(argument));
        }
        LocalFree(wide);
    }
#endif
    return arguments;
}

// CLI11 would print its own exit codes (100+) and several lines; tcpkit promises one line and 2.
int report_usage_error(const CLI::App& app, const CLI::ParseError& error) {
    std::string command = "tcpkit";
    for (const CLI::App* sub : app.get_subcommands()) {
        command += " " + sub->get_name();
    }
    std::string problem = error.what();
    // `tcpkit frobnicate` would otherwise read "A subcommand is required".
    if (app.get_subcommands().empty() && !app.remaining().empty()) {
        problem = fmt::format("unknown command '{}'", app.remaining().front());
    }
    fmt::print(stderr, "{}: {} (see '{} --help')\n", command, problem, command);
    return tcpkit::to_int(tcpkit::ExitStatus::usage_error);
}

}  // namespace

int main(int argc, char** argv) {
    tcpkit::ignore_broken_pipes();

    CLI::App app{
        "A netcat-style TCP toolkit: echo and chat servers, an interactive client, a one-shot "
        "sender, a listener and port checks.",
        "tcpkit"};
    app.set_version_flag("-V,--version", tcpkit::version_text());
    app.require_subcommand(1);
    app.footer(tcpkit::cmd::exit_status_help());

    std::vector<std::string> arguments = utf8_arguments(argc, argv);
    std::vector<std::string> program_arguments = tcpkit::cmd::take_program_arguments(arguments);

    tcpkit::cmd::CommandRunner selected;
    tcpkit::cmd::setup_echo_server(app, selected);
    tcpkit::cmd::setup_chat_server(app, selected);
    tcpkit::cmd::setup_connect(app, selected);
    tcpkit::cmd::setup_send(app, selected);
    tcpkit::cmd::setup_listen(app, selected, std::move(program_arguments));

    std::vector<char*> pointers;
    pointers.reserve(arguments.size());
    for (auto& argument : arguments) {
        pointers.push_back(argument.data());
    }
    try {
        app.parse(static_cast<int>(pointers.size()), pointers.data());
    } catch (const CLI::CallForHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForAllHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForVersion& version) {
        std::fputs(tcpkit::version_text().c_str(), stdout);
        return 0;
    } catch (const CLI::ParseError& error) {
        return report_usage_error(app, error);
    }

    try {
        return selected ? selected() : 0;
    } catch (const tcpkit::UsageError& error) {
        tcpkit::log().error("{}", error.what());
        return tcpkit::to_int(tcpkit::ExitStatus::usage_error);
    } catch (const tcpkit::NetworkError& error) {
        tcpkit::log().error("{}", error.what());
        return tcpkit::to_int(tcpkit::ExitStatus::network_failure);
    } catch (const std::exception& error) {
        tcpkit::log().error("{}", error.what());
        return tcpkit::to_int(tcpkit::ExitStatus::network_failure);
    }
}
