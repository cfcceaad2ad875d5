// The subcommands, one file each; main() only assembles them.
#pragma once

#include <CLI/CLI.hpp>

#include "common_options.h"

namespace tcpkit::cmd {

void setup_echo_server(CLI::App& app, CommandRunner& selected);
void setup_chat_server(CLI::App& app, CommandRunner& selected);
void setup_connect(CLI::App& app, CommandRunner& selected);
void setup_send(CLI::App& app, CommandRunner& selected);

}  // namespace tcpkit::cmd
