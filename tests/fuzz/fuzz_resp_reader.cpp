// RESP replies from Redis (redis/resp.h), in the pieces the socket returns them, and
// format_resp_array's commands read back.
// Input: [count] [count chunk sizes] bytes; the bytes are also cut at NULs into the arguments
// of a command.
// Invariants: the reader only ever throws std::runtime_error; the same replies, and the same
// failure, whatever the chunking; what it holds is what was fed and not yet taken; a command
// formatted by format_resp_array reads back as an array of its arguments, and so does it as a
// whole buffer (parse_resp_value).
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "tcpkit/redis/resp.h"

namespace {

using tcpkit::RedisReply;

bool same(const RedisReply& a, const RedisReply& b) {
    if (a.type != b.type || a.integer != b.integer || a.text != b.text ||
        a.elements.size() != b.elements.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.elements.size(); ++i) {
        if (!same(a.elements[i], b.elements[i])) {
            return false;
        }
    }
    return true;
}

struct Replies {
    std::vector<RedisReply> replies;
    bool failed = false;
};

Replies read_all(std::string_view bytes, std::string_view sizes) {
    tcpkit::RespReader reader;
    Replies result;
    std::size_t fed = 0;
    try {
        tcpkit::fuzz::for_each_chunk(bytes, sizes, [&](std::string_view chunk) {
            if (result.failed) {
                return;
            }
            reader.feed(chunk);
            fed += chunk.size();
            FUZZ_CHECK(reader.buffered_bytes() <= fed, "holds more than was fed");
            while (auto reply = reader.next()) {
                result.replies.push_back(std::move(*reply));
            }
        });
    } catch (const std::runtime_error&) {
        result.failed = true;
    }
    return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tcpkit::fuzz::InputSplitter input(tcpkit::fuzz::as_text(data, size));
    std::string sizes = input.take_chunk_sizes();
    std::string_view bytes = input.rest();

    Replies whole = read_all(bytes, {});
    Replies chunked = read_all(bytes, sizes);
    FUZZ_CHECK(whole.failed == chunked.failed, "the chunking changed whether the bytes are RESP");
    FUZZ_CHECK(whole.replies.size() == chunked.replies.size(),
               "the chunking changed the number of replies");
    for (std::size_t i = 0; i < whole.replies.size(); ++i) {
        FUZZ_CHECK(same(whole.replies[i], chunked.replies[i]), "the chunking changed a reply");
    }
    if (!whole.failed && whole.replies.size() == 1) {
        auto value = tcpkit::parse_resp_value(bytes);
        // One whole value and nothing after it: the same value; a partial second one: none.
        FUZZ_CHECK(!value || same(*value, whole.replies[0]), "parse_resp_value read another value");
    }

    std::vector<std::string> arguments;
    tcpkit::fuzz::InputSplitter parts(bytes);
    while (!parts.rest().empty() && arguments.size() < 8) {
        arguments.emplace_back(parts.take_until('\0'));
    }
    std::string command = tcpkit::format_resp_array(arguments);
    auto value = tcpkit::parse_resp_value(command);
    FUZZ_CHECK(value.has_value(), "a formatted command does not read back");
    FUZZ_CHECK(value->type == RedisReply::Type::array && value->elements.size() == arguments.size(),
               "a formatted command is not an array of its arguments");
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        FUZZ_CHECK(value->elements[i].type == RedisReply::Type::string &&
                       value->elements[i].text == arguments[i],
                   "a formatted argument reads back changed");
    }
    return 0;
}
