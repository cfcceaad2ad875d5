// `tcpkit listen` started by a test on 127.0.0.1 and a free port, with the port it reported.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "process.h"

namespace tcpkit::test {

inline std::vector<std::string> listen_args(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {tcpkit_binary(), "listen", "--host",
                                     "127.0.0.1",     "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

struct Listening {
    explicit Listening(std::vector<std::string> extra = {}, const ProcessOptions& options = {})
        : process(listen_args(std::move(extra)), options) {}
    Process process;
    std::uint16_t port = listening_port(process);
    std::string port_text() const { return std::to_string(port); }
};

}  // namespace tcpkit::test
