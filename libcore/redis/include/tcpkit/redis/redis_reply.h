// A reply from Redis as a plain value, so that nothing outside the redis layer sees hiredis.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tcpkit {

struct RedisReply {
    enum class Type { nil, status, error, integer, string, array };

    Type type = Type::nil;
    long long integer = 0;
    std::string text;  // status, error and string (and RESP3's doubles and big numbers)
    std::vector<RedisReply> elements;

    bool is_error() const { return type == Type::error; }
    // The element `index` of an array, or nil when there is none: the shape of a reply is the
    // server's, so reading it never goes out of bounds.
    const RedisReply& operator[](std::size_t index) const;
};

}  // namespace tcpkit
