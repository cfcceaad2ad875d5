// The parts of the loopback helpers that are the same on POSIX and on Windows (winsock2 has
// getaddrinfo and getnameinfo too); loopback.cpp and loopback_windows.cpp hold the rest.
#include <algorithm>
#include <string>
#include <vector>

#include "loopback.h"

#ifdef _WIN32
#include <tcpkit_posix_sockets.h>
#else
#include <netdb.h>
#include <sys/socket.h>
#endif

namespace tcpkit::test {

std::vector<std::string> resolve_host(const std::string& name) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* results = nullptr;
    if (::getaddrinfo(name.c_str(), nullptr, &hints, &results) != 0) {
        return {};
    }
    std::vector<std::string> addresses;
    for (addrinfo* each = results; each != nullptr; each = each->ai_next) {
        char text[NI_MAXHOST] = {};
        if (::getnameinfo(each->ai_addr, static_cast<socklen_t>(each->ai_addrlen), text,
                          sizeof text, nullptr, 0, NI_NUMERICHOST) == 0 &&
            std::find(addresses.begin(), addresses.end(), text) == addresses.end()) {
            addresses.push_back(text);
        }
    }
    ::freeaddrinfo(results);
    return addresses;
}

}  // namespace tcpkit::test
