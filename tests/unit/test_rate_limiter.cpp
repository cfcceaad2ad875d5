#include "tcpkit/base/rate_limiter.h"

#include "catch.h"

using tcpkit::RateLimiter;
using namespace std::chrono_literals;

TEST_CASE("RateLimiter allows a burst, then the rate", "[rate_limiter]") {
    auto start = RateLimiter::Clock::now();
    RateLimiter limiter(10, 3, start);
    CHECK(limiter.allow(start));
    CHECK(limiter.allow(start));
    CHECK(limiter.allow(start));
    CHECK_FALSE(limiter.allow(start));
    CHECK_FALSE(limiter.allow(start + 50ms));  // half a token back
    CHECK(limiter.allow(start + 100ms));       // one token
    CHECK_FALSE(limiter.allow(start + 100ms));
    // A long pause refills the burst, never more.
    CHECK(limiter.allow(start + 10s));
    CHECK(limiter.allow(start + 10s));
    CHECK(limiter.allow(start + 10s));
    CHECK_FALSE(limiter.allow(start + 10s));
}

TEST_CASE("RateLimiter with rate 0 never limits", "[rate_limiter]") {
    RateLimiter limiter(0, 1);
    auto now = RateLimiter::Clock::now();
    for (int i = 0; i < 10000; ++i) {
        REQUIRE(limiter.allow(now));
    }
}
