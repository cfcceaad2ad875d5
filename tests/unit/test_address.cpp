// parse_port, parse_host and format_host_port: hosts and ports as users type them.
#include "tcpkit/base/address.h"

#include <string>

#include "catch.h"
#include "tcpkit/base/errors.h"

using tcpkit::format_host_port;
using tcpkit::parse_host;
using tcpkit::parse_port;
using tcpkit::UsageError;

TEST_CASE("parse_port accepts every decimal port from 0 to 65535", "[address][port]") {
    CHECK(parse_port("0") == 0);
    CHECK(parse_port("1") == 1);
    CHECK(parse_port("80") == 80);
    CHECK(parse_port("8080") == 8080);
    CHECK(parse_port("65535") == 65535);
    // Leading zeros are still a decimal number.
    CHECK(parse_port("0080") == 80);
}

TEST_CASE("parse_port refuses anything that is not a whole port number", "[address][port]") {
    SECTION("one past the largest port") {
        REQUIRE_THROWS_AS(parse_port("65536"), UsageError);
        REQUIRE_THROWS_WITH(parse_port("65536"),
                            "invalid port '65536': expected a number from 0 to 65535");
    }
    SECTION("far past the largest port, and past what an unsigned int holds") {
        REQUIRE_THROWS_AS(parse_port("100000"), UsageError);
        REQUIRE_THROWS_AS(parse_port("4294967296"), UsageError);
        REQUIRE_THROWS_AS(parse_port("99999999999999999999"), UsageError);
    }
    SECTION("negative") {
        REQUIRE_THROWS_AS(parse_port("-1"), UsageError);
        REQUIRE_THROWS_WITH(parse_port("-1"), TCPKIT_CONTAINS("'-1'"));
    }
    SECTION("empty") {
        REQUIRE_THROWS_AS(parse_port(""), UsageError);
        REQUIRE_THROWS_WITH(parse_port(""), "invalid port '': expected a number from 0 to 65535");
    }
    SECTION("trailing garbage") {
        REQUIRE_THROWS_AS(parse_port("80a"), UsageError);
        REQUIRE_THROWS_WITH(parse_port("80a"), TCPKIT_CONTAINS("'80a'"));
        REQUIRE_THROWS_AS(parse_port("80 "), UsageError);
        REQUIRE_THROWS_AS(parse_port("8.0"), UsageError);
    }
    SECTION("leading space or sign") {
        REQUIRE_THROWS_AS(parse_port(" 80"), UsageError);
        REQUIRE_THROWS_WITH(parse_port(" 80"), TCPKIT_CONTAINS("' 80'"));
        REQUIRE_THROWS_AS(parse_port("+80"), UsageError);
    }
    SECTION("not a number at all") {
        REQUIRE_THROWS_AS(parse_port("http"), UsageError);
        REQUIRE_THROWS_AS(parse_port("0x50"), UsageError);
    }
}

TEST_CASE("parse_port reads only the given view, not the bytes after it", "[address][port]") {
    std::string text = "80801";
    CHECK(parse_port(std::string_view(text).substr(0, 4)) == 8080);
}

TEST_CASE("parse_host accepts localhost, IP addresses and DNS names", "[address][host]") {
    CHECK(parse_host("localhost") == "localhost");
    CHECK(parse_host("127.0.0.1") == "127.0.0.1");
    CHECK(parse_host("0.0.0.0") == "0.0.0.0");
    CHECK(parse_host("::1") == "::1");
    CHECK(parse_host("::") == "::");
    CHECK(parse_host("fe80::1%1") == "fe80::1%1");
    CHECK(parse_host("2001:DB8::1") == "2001:DB8::1");
    CHECK(parse_host("example.org") == "example.org");
    CHECK(parse_host("Example.ORG") == "Example.ORG");
    CHECK(parse_host("example.org.") == "example.org.");  // fully qualified, trailing dot kept
    CHECK(parse_host("my-host") == "my-host");
    CHECK(parse_host("_srv.example.org") == "_srv.example.org");  // real zones have underscores
    CHECK(parse_host("a") == "a");
}

TEST_CASE("parse_host strips the brackets of an IPv6 address", "[address][host]") {
    CHECK(parse_host("[::1]") == "::1");
    CHECK(parse_host("[::]") == "::");
    CHECK(parse_host("[2001:db8::42]") == "2001:db8::42");
}

TEST_CASE("parse_host refuses brackets around anything but an IPv6 address", "[address][host]") {
    REQUIRE_THROWS_AS(parse_host("[127.0.0.1]"), UsageError);
    REQUIRE_THROWS_WITH(parse_host("[127.0.0.1]"),
                        "invalid host '[127.0.0.1]': brackets are only for IPv6 addresses");
    REQUIRE_THROWS_AS(parse_host("[localhost]"), UsageError);
    REQUIRE_THROWS_AS(parse_host("[]"), UsageError);
    REQUIRE_THROWS_AS(parse_host("[::1 ]"), UsageError);
}

TEST_CASE("parse_host tells a user who typed HOST:PORT to give the port separately",
          "[address][host]") {
    REQUIRE_THROWS_AS(parse_host("host:80"), UsageError);
    REQUIRE_THROWS_WITH(parse_host("host:80"), TCPKIT_CONTAINS("HOST:PORT"));
    REQUIRE_THROWS_WITH(parse_host("host:80"),
                        "invalid host 'host:80': give the port as its own argument, not HOST:PORT");
    REQUIRE_THROWS_WITH(parse_host("example.org:443"), TCPKIT_CONTAINS("HOST:PORT"));
    REQUIRE_THROWS_WITH(parse_host("localhost:8080"), TCPKIT_CONTAINS("HOST:PORT"));
    REQUIRE_THROWS_WITH(parse_host("[::1]:8080"), TCPKIT_CONTAINS("HOST:PORT"));
}

// Regression: found by this test and fixed.
TEST_CASE("parse_host refuses HOST:PORT even when the host is an IPv4 address or hex-only name",
          "[address][host]") {
    REQUIRE_THROWS_AS(parse_host("127.0.0.1:8080"), UsageError);
    REQUIRE_THROWS_WITH(parse_host("127.0.0.1:8080"), TCPKIT_CONTAINS("HOST:PORT"));
    REQUIRE_THROWS_AS(parse_host(format_host_port("10.0.0.1", 22)), UsageError);
    REQUIRE_THROWS_AS(parse_host("cafe:80"), UsageError);
}

TEST_CASE("parse_host refuses text that is not an IP address or host name", "[address][host]") {
    SECTION("a space inside") {
        REQUIRE_THROWS_AS(parse_host("exa mple"), UsageError);
        REQUIRE_THROWS_WITH(parse_host("exa mple"),
                            "invalid host 'exa mple': not an IP address or host name");
    }
    SECTION("a label starting or ending with a hyphen") {
        REQUIRE_THROWS_AS(parse_host("-bad.com"), UsageError);
        REQUIRE_THROWS_WITH(parse_host("-bad.com"), TCPKIT_CONTAINS("'-bad.com'"));
        REQUIRE_THROWS_AS(parse_host("bad-.com"), UsageError);
        REQUIRE_THROWS_AS(parse_host("good.-bad"), UsageError);
    }
    SECTION("empty names and empty labels") {
        REQUIRE_THROWS_AS(parse_host(""), UsageError);
        REQUIRE_THROWS_AS(parse_host("."), UsageError);
        REQUIRE_THROWS_AS(parse_host("a..b"), UsageError);
        REQUIRE_THROWS_AS(parse_host(".example.org"), UsageError);
        REQUIRE_THROWS_AS(parse_host("example.org.."), UsageError);
    }
    SECTION("characters no host name has") {
        REQUIRE_THROWS_AS(parse_host("exam!ple.org"), UsageError);
        REQUIRE_THROWS_AS(parse_host("example.org/path"), UsageError);
        REQUIRE_THROWS_AS(parse_host("user@example.org"), UsageError);
        REQUIRE_THROWS_AS(parse_host(" localhost"), UsageError);
        REQUIRE_THROWS_AS(parse_host("localhost "), UsageError);
    }
}

TEST_CASE("parse_host enforces the DNS length limits", "[address][host]") {
    const std::string label63(63, 'a');
    SECTION("a label of 63 characters is fine, 64 is not") {
        CHECK(parse_host(label63 + ".com") == label63 + ".com");
        REQUIRE_THROWS_AS(parse_host(std::string(64, 'a') + ".com"), UsageError);
    }
    SECTION("a name of 253 characters is fine, 254 is not") {
        const std::string name253 =
            label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
        REQUIRE(name253.size() == 253);
        CHECK(parse_host(name253) == name253);

        const std::string name254 =
            label63 + "." + label63 + "." + label63 + "." + std::string(62, 'b');
        REQUIRE(name254.size() == 254);
        REQUIRE_THROWS_AS(parse_host(name254), UsageError);
        REQUIRE_THROWS_WITH(parse_host(name254), TCPKIT_CONTAINS("not an IP address or host name"));
    }
}

TEST_CASE("format_host_port prints the form users paste back into commands", "[address]") {
    CHECK(format_host_port("127.0.0.1", 8080) == "127.0.0.1:8080");
    CHECK(format_host_port("::1", 8080) == "[::1]:8080");
    CHECK(format_host_port("2001:db8::1", 443) == "[2001:db8::1]:443");
    CHECK(format_host_port("example.org", 80) == "example.org:80");
    CHECK(format_host_port("localhost", 0) == "localhost:0");
    CHECK(format_host_port("localhost", 65535) == "localhost:65535");
}

TEST_CASE("an IPv6 host printed by format_host_port parses back without its brackets",
          "[address]") {
    const std::string printed = format_host_port("::1", 9000);
    const std::string host_part = printed.substr(0, printed.rfind(':'));
    CHECK(host_part == "[::1]");
    CHECK(parse_host(host_part) == "::1");
    CHECK(parse_port(printed.substr(printed.rfind(':') + 1)) == 9000);
}
