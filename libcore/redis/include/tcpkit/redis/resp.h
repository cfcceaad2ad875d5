// RESP, the Redis protocol: commands formatted and replies parsed by hiredis, which owns no
// socket here. The same two are how the cluster encodes its own events (an array of strings).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tcpkit/redis/redis_reply.h"

namespace tcpkit {

// "hiredis 1.2.0": the library behind this, for --version.
std::string hiredis_version();

// `arguments` as one RESP array of bulk strings: the wire form of a command.
std::string format_resp_array(std::span<const std::string> arguments);

// The most array elements one reply may declare, its nested arrays' included. hiredis allocates
// an array's element pointers as soon as it reads the header ("*888888881\r\n" would be 7 GB),
// before any element has come; this bounds that at 128 MiB, far above any room's names (two per
// name in a hash) or history.
inline constexpr std::size_t max_resp_elements = std::size_t{1} << 24;

class RespReader {
  public:
    RespReader();
    ~RespReader();
    RespReader(const RespReader&) = delete;
    RespReader& operator=(const RespReader&) = delete;

    void feed(std::string_view bytes);
    // The next whole reply, or nothing until more bytes come. Throws std::runtime_error on bytes
    // that are not RESP, or a reply declaring more than max_resp_elements; the reader is then
    // unusable.
    std::optional<RedisReply> next();
    // Bytes fed and not yet taken as replies.
    std::size_t buffered_bytes() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// One RESP value decoded from a whole buffer (an event's payload): nothing when `bytes` is not
// exactly one whole value.
std::optional<RedisReply> parse_resp_value(std::string_view bytes);

}  // namespace tcpkit
