// --cluster's URL (redis/redis_url.h): redis://[[USER]:PASSWORD@]HOST[:PORT][/DB].
// Input: USER NUL PASSWORD NUL REST, tried as "redis://USER:PASSWORD@REST", and the whole input
// as a URL of its own.
// Invariants: only UsageError is thrown; a parsed URL's shown() form parses back to the same
// host, port and database; and the password never shows: the URL parsed again with the
// password's letters changed gives the same error message, or the same shown() form. (Only the
// letters g-z change, among themselves, so that the change moves no separator, digit or hex
// digit of a %XX escape, and the parse takes the same path.)
#include <optional>
#include <string>

#include "fuzz_support.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/redis/redis_url.h"

namespace {

struct Outcome {
    std::optional<tcpkit::RedisUrl> url;
    std::string error;
};

Outcome parse(std::string_view text) {
    try {
        return {tcpkit::parse_redis_url(text), {}};
    } catch (const tcpkit::UsageError& error) {
        return {std::nullopt, error.what()};
    }
}

void check_round_trip(const tcpkit::RedisUrl& url) {
    FUZZ_CHECK(!url.host.empty() && url.port != 0, "a URL accepted without a host or port");
    Outcome again = parse(url.shown());
    FUZZ_CHECK(again.url.has_value(), "a shown URL does not parse");
    FUZZ_CHECK(again.url->host == url.host && again.url->port == url.port &&
                   again.url->database == url.database,
               "a shown URL parses to another server");
    FUZZ_CHECK(again.url->password.empty() && again.url->user.empty(),
               "shown() carries credentials");
}

char other_letter(char c) {
    if (c >= 'g' && c <= 'z') {
        return c == 'z' ? 'g' : static_cast<char>(c + 1);
    }
    if (c >= 'G' && c <= 'Z') {
        return c == 'Z' ? 'G' : static_cast<char>(c + 1);
    }
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view whole = tcpkit::fuzz::as_text(data, size);
    Outcome as_is = parse(whole);
    if (as_is.url) {
        check_round_trip(*as_is.url);
    }

    tcpkit::fuzz::InputSplitter input(whole);
    std::string_view user = input.take_until('\0');
    std::string password(input.take_until('\0'));
    std::string_view rest = input.rest();
    std::string changed = password;
    for (char& c : changed) {
        c = other_letter(c);
    }
    auto url_with = [&](std::string_view secret) {
        return "redis://" + std::string(user) + ":" + std::string(secret) + "@" + std::string(rest);
    };
    Outcome with_password = parse(url_with(password));
    Outcome with_changed = parse(url_with(changed));
    FUZZ_CHECK(with_password.url.has_value() == with_changed.url.has_value(),
               "the password's letters changed whether the URL parses");
    if (with_password.url) {
        check_round_trip(*with_password.url);
        FUZZ_CHECK(with_password.url->shown() == with_changed.url->shown(),
                   "the password shows in the URL shown");
    } else {
        FUZZ_CHECK(with_password.error == with_changed.error,
                   "the password shows in the error message");
    }
    return 0;
}
