// epoll-echo: the smallest fast echo server we could write, one thread and raw epoll, as the
// "limit" line in the echo benchmark: what tcpkit echo-server is measured against besides the
// peers. Loopback only; prints "listening on 127.0.0.1:PORT" like tcpkit; SIGTERM stops it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>

namespace {

volatile std::sig_atomic_t stopping = 0;

struct Connection {
    std::string pending;  // bytes read but not yet written back
};

}  // namespace

int main(int argc, char** argv) {
    int port = argc > 1 ? std::atoi(argv[1]) : 0;
    std::signal(SIGTERM, [](int) { stopping = 1; });
    std::signal(SIGINT, [](int) { stopping = 1; });
    std::signal(SIGPIPE, SIG_IGN);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(listener, 4096) != 0) {
        std::perror("epoll-echo: listen");
        return 1;
    }
    getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    std::fprintf(stderr, "listening on 127.0.0.1:%d\n", ntohs(address.sin_port));

    int poller = epoll_create1(EPOLL_CLOEXEC);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = listener;
    epoll_ctl(poller, EPOLL_CTL_ADD, listener, &event);

    std::unordered_map<int, Connection> connections;
    static char buffer[64 * 1024];
    epoll_event ready[256];
    while (!stopping) {
        int count = epoll_wait(poller, ready, 256, 200);
        for (int i = 0; i < count; ++i) {
            int fd = ready[i].data.fd;
            if (fd == listener) {
                for (;;) {
                    int client = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (client < 0) {
                        break;
                    }
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    epoll_event add{};
                    add.events = EPOLLIN;
                    add.data.fd = client;
                    epoll_ctl(poller, EPOLL_CTL_ADD, client, &add);
                    connections[client];
                }
                continue;
            }
            auto& connection = connections[fd];
            bool closed = false;
            if (ready[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t got = read(fd, buffer, sizeof buffer);
                if (got <= 0) {
                    closed = true;
                } else {
                    connection.pending.append(buffer, static_cast<std::size_t>(got));
                }
            }
            if (!closed && !connection.pending.empty()) {
                ssize_t sent = write(fd, connection.pending.data(), connection.pending.size());
                if (sent > 0) {
                    connection.pending.erase(0, static_cast<std::size_t>(sent));
                } else if (sent < 0) {
                    closed = true;
                }
                // Stop reading while a client is not taking its echo back: memory stays bounded.
                epoll_event change{};
                change.events = connection.pending.empty() ? EPOLLIN : EPOLLOUT;
                change.data.fd = fd;
                epoll_ctl(poller, EPOLL_CTL_MOD, fd, &change);
            } else if (!closed && (ready[i].events & EPOLLOUT)) {
                epoll_event change{};
                change.events = EPOLLIN;
                change.data.fd = fd;
                epoll_ctl(poller, EPOLL_CTL_MOD, fd, &change);
            }
            if (closed) {
                epoll_ctl(poller, EPOLL_CTL_DEL, fd, nullptr);
                close(fd);
                connections.erase(fd);
            }
        }
    }
    return 0;
}
