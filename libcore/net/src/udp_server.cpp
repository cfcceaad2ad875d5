#include "tcpkit/net/udp_server.h"

#include <vector>

#include <asio/buffer.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "tcpkit/base/logger.h"
#include "tcpkit/net/signals.h"
#include "tcpkit/stream/describe.h"
#include "tcpkit/stream/spawn.h"

namespace tcpkit {

UdpServer::UdpServer(const ListenRequest& request, DatagramHandler handler, AddressFilter access)
    : sockets_(bind_udp(context_, request)),
      handler_(std::move(handler)),
      access_(std::move(access)) {}

void UdpServer::run() {
    for (auto& socket : sockets_) {
        log().status("listening on {} (udp)", describe(socket.local_endpoint()));
        spawn_logged(context_.get_executor(), serve(socket), "udp server");
    }
    StopSignals signals(context_, [this](int /*count*/) {
        log().info("interrupted: stopping");
        context_.stop();
    });
    context_.run();
    log().status("served {} datagram(s) ({} refused), received {} bytes, sent {} bytes", datagrams_,
                 refused_, bytes_received_, bytes_sent_);
}

asio::awaitable<void> UdpServer::serve(asio::ip::udp::socket& socket) {
    // The largest datagram there is: nothing a client sends is ever cut.
    std::vector<char> buffer(65536);
    asio::ip::udp::endpoint sender;
    for (;;) {
        std::error_code error;
        std::size_t count = co_await socket.async_receive_from(
            asio::buffer(buffer), sender, asio::redirect_error(asio::use_awaitable, error));
        if (error == asio::error::operation_aborted) {
            co_return;
        }
        if (error) {
            // An ICMP error for an earlier reply (the client went away): not our problem.
            log().debug("receive failed: {}", describe(error));
            continue;
        }
        if (!access_.admits(sender.address())) {
            note_refused(sender);
            continue;
        }
        ++datagrams_;
        bytes_received_ += count;
        std::string peer = describe(sender);
        std::string_view datagram(buffer.data(), count);
        auto reply = handler_(datagram, peer);
        if (!reply) {
            continue;
        }
        co_await socket.async_send_to(asio::buffer(reply->data(), reply->size()), sender,
                                      asio::redirect_error(asio::use_awaitable, error));
        if (error) {
            log().debug("reply to {} failed: {}", peer, describe(error));
        } else {
            bytes_sent_ += reply->size();
        }
    }
}

void UdpServer::note_refused(const asio::ip::udp::endpoint& sender) {
    ++refused_;
    if (refused_logged_.size() >= max_refused_logged ||
        !refused_logged_.insert(sender.address()).second) {
        return;
    }
    // The address only: it is logged once, whichever of its ports comes first.
    log().debug(
        "refused datagrams from {}: not allowed by --allow/--deny{}", sender.address().to_string(),
        refused_logged_.size() == max_refused_logged ? " (further refused addresses are not logged)"
                                                     : "");
}

}  // namespace tcpkit
