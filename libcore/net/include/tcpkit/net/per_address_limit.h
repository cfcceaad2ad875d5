// --max-conns-per-ip: how many connections one address may hold at once, so that one host
// cannot take every slot of --max-clients or --max-conns by itself. A connection counts from
// its accept to its close: a TLS handshake in progress, and a chat client choosing its name,
// count against it.
#pragma once

#include <asio/ip/address.hpp>

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tcpkit {

struct PerAddressLimit {
    std::size_t limit = 0;  // connections at once from one address; 0: no limit
    // Peers on loopback (127.0.0.0/8, ::1) are not limited: chat-server's default, for the
    // tests, benchmarks and learners on the machine itself. Off once the limit is given.
    bool loopback_exempt = false;

    // The limit for a peer at `address`: 0 when it has none.
    std::size_t limit_for(const asio::ip::address& address) const;
};

// Who is limited together: an IPv4 address (also when a dual-stack socket reports it as
// ::ffff:a.b.c.d) counts alone; an IPv6 address counts with its /64, which one host usually
// holds whole and can pick addresses from at will. As text, for logs: "192.0.2.7",
// "2001:db8:1:2::/64".
std::string address_group(const asio::ip::address& address);

// The open connections of each address group, from every I/O thread.
class AddressCounts {
  public:
    // Counts one more connection of `group` unless `limit` (0: none) are open already; returns
    // whether it was counted, and sets `open` to how many there were before.
    bool try_add(const std::string& group, std::size_t limit, std::size_t& open);
    void remove(const std::string& group);
    std::size_t open(const std::string& group);

  private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> open_;
};

}  // namespace tcpkit
