// `tcpkit chat-server` started by a test on 127.0.0.1 and a free port, with the port it reported.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "process.h"

namespace tcpkit::test {

struct ChatServer {
    explicit ChatServer(std::vector<std::string> extra = {}) : process(args(std::move(extra))) {}

    static std::vector<std::string> args(std::vector<std::string> extra) {
        std::vector<std::string> all = {tcpkit_binary(), "chat-server", "--port", "0",
                                        "--host",        "127.0.0.1"};
        all.insert(all.end(), extra.begin(), extra.end());
        return all;
    }

    Process process;
    std::uint16_t port = listening_port(process);
};

}  // namespace tcpkit::test
