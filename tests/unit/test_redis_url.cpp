#include "catch.h"
#include "tcpkit/base/errors.h"
#include "tcpkit/redis/redis_url.h"

using tcpkit::parse_redis_url;

TEST_CASE("redis url: host, port and database, with their defaults", "[redis_url]") {
    auto plain = parse_redis_url("redis://127.0.0.1");
    CHECK(plain.host == "127.0.0.1");
    CHECK(plain.port == 6379);
    CHECK(plain.database == 0);
    CHECK(plain.password.empty());
    CHECK(plain.shown() == "redis://127.0.0.1:6379/0");

    auto full = parse_redis_url("redis://app:s%40cret@redis.example:6380/3");
    CHECK(full.host == "redis.example");
    CHECK(full.port == 6380);
    CHECK(full.database == 3);
    CHECK(full.user == "app");
    CHECK(full.password == "s@cret");
    CHECK(full.shown() == "redis://redis.example:6380/3");  // never the password

    auto password_only = parse_redis_url("redis://:pw@h/");
    CHECK(password_only.user.empty());
    CHECK(password_only.password == "pw");
    CHECK(parse_redis_url("redis://pw@h").password == "pw");

    auto ipv6 = parse_redis_url("redis://[::1]:7000");
    CHECK(ipv6.host == "::1");
    CHECK(ipv6.port == 7000);
    CHECK(ipv6.shown() == "redis://[::1]:7000/0");
}

TEST_CASE("redis url: what is not a redis:// URL is a usage error naming the problem",
          "[redis_url]") {
    for (const char* bad :
         {"", "127.0.0.1:6379", "http://h", "redis://", "redis://:6379", "redis://h:0",
          "redis://h:65536", "redis://h:x", "redis://h:", "redis://h/-1", "redis://h/x",
          "redis://[::1", "redis://[::1]x", "redis://u:%zz@h", "rediss://h", "redis://[[]",
          "redis://a]b", "redis://[a[b]:1"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_redis_url(bad), tcpkit::UsageError);
    }
    CHECK_THROWS_WITH(parse_redis_url("rediss://h"),
                      Catch::Matchers::Contains("not supported yet"));
    // The message may end up in a log: never with the password.
    CHECK_THROWS_WITH(parse_redis_url("redis://app:s3cret@h:x"),
                      Catch::Matchers::Contains("'redis://***@h:x'"));
}

TEST_CASE("redis url: a password with a raw '/' does not show in the message", "[redis_url]") {
    // "/" ends the host part, so the rest of the password is taken for the database, which is
    // not quoted when the URL has credentials.
    CHECK_THROWS_WITH(parse_redis_url("redis://app:hunter/two@h"),
                      !Catch::Matchers::Contains("hunter") && !Catch::Matchers::Contains("two"));
    CHECK_THROWS_WITH(parse_redis_url("redis://app:hunter/two@h"),
                      Catch::Matchers::Contains("what follows the '/' is not a database number"));
    // Without credentials the bad part is quoted, as before; the port always is.
    CHECK_THROWS_WITH(parse_redis_url("redis://h/x"),
                      Catch::Matchers::Contains("'x' is not a database number"));
    CHECK_THROWS_WITH(parse_redis_url("redis://u:pw@h:x"),
                      Catch::Matchers::Contains("'x' is not a port"));
}

TEST_CASE("redis url: a host with a stray bracket is refused, so every URL shown parses back",
          "[redis_url]") {
    CHECK_THROWS_WITH(parse_redis_url("redis://[[]"),
                      Catch::Matchers::Contains("only enclose an IPv6 address"));
    auto ipv6 = parse_redis_url("redis://[fe80::1]:6380/2");
    auto again = parse_redis_url(ipv6.shown());
    CHECK(again.host == ipv6.host);
    CHECK(again.port == ipv6.port);
    CHECK(again.database == ipv6.database);
}
