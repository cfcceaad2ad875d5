// The subcommands, one file each; main() only assembles them.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "common_options.h"

namespace tcpkit::cmd {

void setup_echo_server(CLI::App& app, CommandRunner& selected);
void setup_chat_server(CLI::App& app, CommandRunner& selected);
void setup_connect(CLI::App& app, CommandRunner& selected);
void setup_send(CLI::App& app, CommandRunner& selected);
// `program_arguments`: what followed `--` on listen's command line, the program of --exec.
void setup_listen(CLI::App& app, CommandRunner& selected,
                  std::vector<std::string> program_arguments);

// Cuts listen's `-- PROGRAM ARGS...` off the command line and returns it: CLI11 would hand
// those to the [HOST] PORT positionals, and a program's own options must not be parsed as ours.
std::vector<std::string> take_program_arguments(std::vector<std::string>& arguments);

}  // namespace tcpkit::cmd
