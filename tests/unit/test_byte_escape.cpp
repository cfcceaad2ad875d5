// escape_bytes: untrusted bytes shown in one readable log line.
#include "tcpkit/base/byte_escape.h"

#include <string>

#include "catch.h"

using tcpkit::escape_bytes;

TEST_CASE("escape_bytes leaves printable ASCII as it is", "[byte_escape]") {
    CHECK(escape_bytes("hello, world") == "hello, world");
    CHECK(escape_bytes(" ~\"'{}") == " ~\"'{}");
    CHECK(escape_bytes("").empty());
    std::string printable;
    for (int c = 0x20; c < 0x7f; ++c) {
        if (c != '\\') {
            printable += static_cast<char>(c);
        }
    }
    CHECK(escape_bytes(printable) == printable);
}

TEST_CASE("escape_bytes escapes line ends, tabs and backslashes", "[byte_escape]") {
    CHECK(escape_bytes("a\nb") == "a\\nb");
    CHECK(escape_bytes("a\r\n") == "a\\r\\n");
    CHECK(escape_bytes("\t") == "\\t");
    CHECK(escape_bytes("C:\\dir") == "C:\\\\dir");
    // A backslash is escaped so that the text `\n` and a real newline look different.
    CHECK(escape_bytes("\\n") == "\\\\n");
    CHECK(escape_bytes("\\n") != escape_bytes("\n"));
}

TEST_CASE("escape_bytes shows other bytes as two lowercase hex digits", "[byte_escape]") {
    CHECK(escape_bytes(std::string("\x00", 1)) == "\\x00");
    CHECK(escape_bytes("\x01\x1b\x1f") == "\\x01\\x1b\\x1f");
    CHECK(escape_bytes("\x7f") == "\\x7f");
    CHECK(escape_bytes("\x80\xab\xff") == "\\x80\\xab\\xff");
    CHECK(escape_bytes("\x0b\x0c") == "\\x0b\\x0c");
    CHECK(escape_bytes("caf\xc3\xa9") == "caf\\xc3\\xa9");  // UTF-8 is bytes too
    // The result is one line of printable ASCII, whatever came in.
    std::string all_bytes;
    for (int c = 0; c < 256; ++c) {
        all_bytes += static_cast<char>(c);
    }
    const std::string escaped = escape_bytes(all_bytes, all_bytes.size());
    for (char c : escaped) {
        REQUIRE(c >= 0x20);
        REQUIRE(c < 0x7f);
    }
    // 256 bytes: 95 printable less the backslash, 3 short escapes and the backslash (2 each),
    // and the other 158 as \xHH (4 each).
    CHECK(escaped.size() == 94 + 4 * 2 + 158 * 4);
}

TEST_CASE("escape_bytes cuts after max_bytes input bytes and says how many it left out",
          "[byte_escape]") {
    CHECK(escape_bytes("abcdef", 4) == "abcd... (2 more bytes)");
    CHECK(escape_bytes("abcdef", 5) == "abcde... (1 more byte)");
    CHECK(escape_bytes("abc", 0) == "... (3 more bytes)");
    SECTION("exactly max_bytes: nothing is cut and there is no note") {
        CHECK(escape_bytes("abcd", 4) == "abcd");
        CHECK(escape_bytes("", 0).empty());
    }
    SECTION("fewer than max_bytes") {
        CHECK(escape_bytes("ab", 4) == "ab");
    }
    SECTION("the limit counts input bytes, not escaped characters") {
        CHECK(escape_bytes("\n\n\n", 2) == "\\n\\n... (1 more byte)");
        CHECK(escape_bytes("\xff\xfe\xfd\xfc", 3) == "\\xff\\xfe\\xfd... (1 more byte)");
    }
    SECTION("the default limit is 256 bytes") {
        const std::string long_text(300, 'a');
        CHECK(escape_bytes(long_text) == std::string(256, 'a') + "... (44 more bytes)");
        CHECK(escape_bytes(std::string(256, 'b')) == std::string(256, 'b'));
        CHECK(escape_bytes(std::string(257, 'b')) == std::string(256, 'b') + "... (1 more byte)");
    }
}
