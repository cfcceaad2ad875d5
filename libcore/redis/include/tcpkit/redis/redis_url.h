// Where a Redis server is: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], as redis-cli -u takes it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tcpkit {

struct RedisUrl {
    std::string host;  // without the brackets of an IPv6 address
    std::uint16_t port = 6379;
    std::string user;  // empty: AUTH with the password only (Redis before 6, or "default")
    std::string password;
    int database = 0;

    // redis://HOST:PORT/DB, without the credentials: for logs and messages.
    std::string shown() const;
};

// Throws UsageError naming what is wrong. rediss:// (TLS) is refused: not supported yet.
RedisUrl parse_redis_url(std::string_view text);

}  // namespace tcpkit
