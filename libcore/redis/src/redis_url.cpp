#include "tcpkit/redis/redis_url.h"

#include <fmt/format.h>

#include <charconv>

#include "tcpkit/base/errors.h"

namespace tcpkit {
namespace {

// The URL as an error message may show it: without its password, which may be in a log.
std::string without_password(std::string_view text) {
    std::size_t start = text.find("://");
    std::size_t at = text.rfind('@');
    if (start == std::string_view::npos || at == std::string_view::npos || at < start) {
        return std::string(text);
    }
    return fmt::format("{}://***{}", text.substr(0, start), text.substr(at));
}

// A part of the URL for a message: quoted, unless the URL has credentials (an '@'), where a
// password holding a raw '/' puts its rest into what the parse takes for the database
// ("redis://u:pa/ss@h": database "ss@h"), so it is named instead. (The port, after the last '@'
// when there is one, holds none of the password.)
std::string named_part(std::string_view text, std::string_view part, std::string_view name) {
    if (without_password(text) != text) {
        return std::string(name);
    }
    return fmt::format("'{}'", part);
}

[[noreturn]] void refuse(std::string_view text, std::string_view why) {
    throw UsageError(fmt::format("invalid --cluster URL '{}': {}", without_password(text), why));
}

// %XX escapes, so that a password may hold '@', ':' or '/'.
std::string percent_decoded(std::string_view part, std::string_view url) {
    std::string decoded;
    for (std::size_t i = 0; i < part.size(); ++i) {
        if (part[i] != '%') {
            decoded += part[i];
            continue;
        }
        unsigned value = 0;
        if (i + 3 > part.size() ||
            std::from_chars(part.data() + i + 1, part.data() + i + 3, value, 16).ptr !=
                part.data() + i + 3) {
            refuse(url, "a '%' must be followed by two hex digits");
        }
        decoded += static_cast<char>(value);
        i += 2;
    }
    return decoded;
}

}  // namespace

std::string RedisUrl::shown() const {
    bool ipv6 = host.find(':') != std::string::npos;
    return fmt::format("redis://{}{}{}:{}/{}", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port,
                       database);
}

RedisUrl parse_redis_url(std::string_view text) {
    constexpr std::string_view scheme = "redis://";
    if (text.substr(0, 9) == "rediss://") {
        refuse(text, "rediss:// (TLS to Redis) is not supported yet");
    }
    if (text.substr(0, scheme.size()) != scheme) {
        refuse(text, "expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]");
    }
    std::string_view rest = text.substr(scheme.size());
    RedisUrl url;
    std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) {
        std::string_view database = rest.substr(slash + 1);
        if (!database.empty()) {
            auto [end, error] =
                std::from_chars(database.data(), database.data() + database.size(), url.database);
            if (error != std::errc() || end != database.data() + database.size() ||
                url.database < 0 || url.database > 1'000'000) {
                refuse(text, fmt::format("{} is not a database number",
                                         named_part(text, database, "what follows the '/'")));
            }
        }
    }
    if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        std::string_view credentials = authority.substr(0, at);
        authority.remove_prefix(at + 1);
        std::size_t colon = credentials.find(':');
        if (colon == std::string_view::npos) {
            url.password = percent_decoded(credentials, text);  // redis://PASSWORD@HOST
        } else {
            url.user = percent_decoded(credentials.substr(0, colon), text);
            url.password = percent_decoded(credentials.substr(colon + 1), text);
        }
    }
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            refuse(text, "an IPv6 address needs its closing ']'");
        }
        url.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                refuse(text, "expected ':PORT' after ']'");
            }
            port = after.substr(1);
        }
    } else {
        std::size_t colon = authority.find(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
        }
    }
    if (url.host.empty()) {
        refuse(text, "no host");
    }
    if (url.host.find_first_of("[]") != std::string::npos) {
        // "redis://[[]" would be host "[", which no resolver takes and shown() cannot write back.
        refuse(text, "'[' and ']' only enclose an IPv6 address");
    }
    if (port.data() != nullptr) {
        unsigned value = 0;
        auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || error != std::errc() || end != port.data() + port.size() ||
            value == 0 || value > 65535) {
            refuse(text, fmt::format("'{}' is not a port (1-65535)", port));
        }
        url.port = static_cast<std::uint16_t>(value);
    }
    return url;
}

}  // namespace tcpkit
