// parse_duration and format_duration: durations as users type them on the command line.
#include "tcpkit/base/duration.h"

#include <chrono>
#include <string>

#include "catch.h"
#include "tcpkit/base/errors.h"

using tcpkit::format_duration;
using tcpkit::Milliseconds;
using tcpkit::parse_duration;
using tcpkit::UsageError;

namespace {

constexpr long long week_ms = 7LL * 24 * 3600 * 1000;

long long ms(std::string_view text) {
    return parse_duration(text).count();
}

}  // namespace

TEST_CASE("parse_duration reads each unit", "[duration]") {
    CHECK(ms("500ms") == 500);
    CHECK(ms("3s") == 3'000);
    CHECK(ms("2m") == 120'000);
    CHECK(ms("1h") == 3'600'000);
    CHECK(ms("1ms") == 1);
    CHECK(ms("0ms") == 0);
}

TEST_CASE("parse_duration reads a bare number as seconds", "[duration]") {
    CHECK(ms("3") == 3'000);
    CHECK(ms("1") == 1'000);
    CHECK(ms("30") == 30'000);
    CHECK(ms("1.5") == 1'500);
}

TEST_CASE("parse_duration allows zero, which options document as off", "[duration]") {
    CHECK(ms("0") == 0);
    CHECK(ms("0s") == 0);
    CHECK(ms("0m") == 0);
    CHECK(ms("0h") == 0);
    CHECK(ms("0.0") == 0);
}

TEST_CASE("parse_duration reads fractions", "[duration]") {
    CHECK(ms("1.5s") == 1'500);
    CHECK(ms("0.5s") == 500);
    CHECK(ms(".5s") == 500);
    CHECK(ms("2.s") == 2'000);
    CHECK(ms("0.1s") == 100);
    CHECK(ms("1.005s") == 1'005);
    CHECK(ms("0.5m") == 30'000);
    CHECK(ms("1.5h") == 5'400'000);
    CHECK(ms("2.5ms") == 3);  // rounded to the nearest millisecond
    CHECK(ms("007s") == 7'000);
}

TEST_CASE("parse_duration refuses malformed text, naming it", "[duration]") {
    SECTION("empty") {
        REQUIRE_THROWS_AS(parse_duration(""), UsageError);
        REQUIRE_THROWS_WITH(parse_duration(""),
                            "invalid duration '': expected a number with an optional unit ms, s, "
                            "m or h (e.g. 500ms, 3s)");
    }
    SECTION("a unit without a number") {
        REQUIRE_THROWS_AS(parse_duration("s"), UsageError);
        REQUIRE_THROWS_WITH(parse_duration("s"), TCPKIT_CONTAINS("invalid duration 's'"));
        REQUIRE_THROWS_AS(parse_duration("ms"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("."), UsageError);
        REQUIRE_THROWS_AS(parse_duration(".s"), UsageError);
    }
    SECTION("an unknown unit") {
        REQUIRE_THROWS_AS(parse_duration("3x"), UsageError);
        REQUIRE_THROWS_WITH(parse_duration("3x"), TCPKIT_CONTAINS("invalid duration '3x'"));
        REQUIRE_THROWS_AS(parse_duration("3d"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("3S"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("3sec"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("3mss"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("3us"), UsageError);
    }
    SECTION("negative") {
        REQUIRE_THROWS_AS(parse_duration("-1s"), UsageError);
        REQUIRE_THROWS_WITH(parse_duration("-1s"), TCPKIT_CONTAINS("invalid duration '-1s'"));
        REQUIRE_THROWS_AS(parse_duration("-1"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("+1s"), UsageError);
    }
    SECTION("spaces, exponents, several points, several units") {
        REQUIRE_THROWS_AS(parse_duration(" 3s"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("3 s"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("3s "), UsageError);
        REQUIRE_THROWS_AS(parse_duration("1e3"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("1e3ms"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("1.2.3s"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("1m30s"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("inf"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("nan"), UsageError);
        REQUIRE_THROWS_AS(parse_duration("0x10"), UsageError);
    }
}

TEST_CASE("parse_duration accepts up to a week and refuses longer", "[duration]") {
    CHECK(ms("168h") == week_ms);
    CHECK(ms("10080m") == week_ms);
    CHECK(ms("604800s") == week_ms);
    CHECK(ms("604800000ms") == week_ms);
    CHECK(ms("604800") == week_ms);

    REQUIRE_THROWS_AS(parse_duration("169h"), UsageError);
    REQUIRE_THROWS_WITH(parse_duration("169h"), "invalid duration '169h': longer than a week");
    REQUIRE_THROWS_AS(parse_duration("10081m"), UsageError);
    REQUIRE_THROWS_AS(parse_duration("604801"), UsageError);
    REQUIRE_THROWS_AS(parse_duration("604800001ms"), UsageError);
    REQUIRE_THROWS_AS(parse_duration("168.001h"), UsageError);
    REQUIRE_THROWS_AS(parse_duration("99999999999999999999h"), UsageError);
    // So many digits that the number overflows a double: still an orderly UsageError.
    const std::string huge = std::string(400, '9') + "s";
    REQUIRE_THROWS_AS(parse_duration(huge), UsageError);
    REQUIRE_THROWS_WITH(parse_duration(huge), TCPKIT_CONTAINS("longer than a week"));
}

TEST_CASE("parse_duration reads only the given view, not the bytes after it", "[duration]") {
    const std::string text = "25ms";
    CHECK(parse_duration(std::string_view(text).substr(0, 2)).count() == 25'000);
    CHECK(parse_duration(std::string_view(text).substr(0, 3)).count() == 25'000 * 60);
}

TEST_CASE("format_duration prints the shortest exact form", "[duration]") {
    using std::chrono::hours;
    using std::chrono::minutes;
    using std::chrono::seconds;
    CHECK(format_duration(Milliseconds(500)) == "500ms");
    CHECK(format_duration(Milliseconds(1)) == "1ms");
    CHECK(format_duration(Milliseconds(3'000)) == "3s");
    CHECK(format_duration(Milliseconds(120'000)) == "2m");
    CHECK(format_duration(Milliseconds(3'600'000)) == "1h");
    CHECK(format_duration(Milliseconds(1'500)) == "1500ms");
    CHECK(format_duration(Milliseconds(0)) == "0s");
    CHECK(format_duration(seconds(90)) == "90s");
    CHECK(format_duration(minutes(90)) == "90m");
    CHECK(format_duration(hours(2)) == "2h");
    CHECK(format_duration(hours(168)) == "168h");
    CHECK(format_duration(Milliseconds(60'001)) == "60001ms");
    CHECK(format_duration(Milliseconds(61'000)) == "61s");
}

TEST_CASE("format_duration output parses back to the same duration", "[duration]") {
    const long long samples[] = {
        0,         1,         2,         499,        500,         999,     1'000,     1'001,
        1'500,     59'999,    60'000,    61'000,     90'000,      120'000, 3'599'999, 3'600'000,
        3'660'000, 5'400'000, 7'200'000, 86'400'000, week_ms - 1, week_ms};
    for (long long value : samples) {
        const Milliseconds duration(value);
        const std::string text = format_duration(duration);
        INFO("duration " << value << "ms printed as " << text);
        CHECK(parse_duration(text) == duration);
    }
}

TEST_CASE("canonical duration text survives parse then format unchanged", "[duration]") {
    for (const char* text :
         {"0s", "1ms", "500ms", "1500ms", "3s", "90s", "2m", "90m", "1h", "168h"}) {
        INFO(text);
        CHECK(format_duration(parse_duration(text)) == text);
    }
    CHECK(format_duration(parse_duration("1.5s")) == "1500ms");
    CHECK(format_duration(parse_duration("3")) == "3s");
    CHECK(format_duration(parse_duration("60s")) == "1m");
    CHECK(format_duration(parse_duration("3600000ms")) == "1h");
}
