// LineReader: splitting a byte stream into lines with a hard cap on line length.
#include "tcpkit/codec/line_reader.h"

#include <string>
#include <vector>

#include "catch.h"

using tcpkit::LineEvent;
using tcpkit::LineReader;

namespace {

// One event as the test sees it: "L:text" for a line, "TOO_LONG" for an overflow. The text is
// copied, since LineEvent::text is only valid during the callback.
std::string describe(const LineEvent& event) {
    switch (event.kind) {
        case LineEvent::Kind::line:
            return "L:" + std::string(event.text);
        case LineEvent::Kind::too_long:
            return "TOO_LONG";
    }
    return "?";
}

struct Collector {
    LineReader reader;
    std::vector<std::string> events;

    explicit Collector(std::size_t max_line_bytes) : reader(max_line_bytes) {}

    // Feeds one chunk and returns only the events it produced.
    std::vector<std::string> feed(std::string_view data) {
        std::vector<std::string> produced;
        reader.feed(data, [&](const LineEvent& event) { produced.push_back(describe(event)); });
        events.insert(events.end(), produced.begin(), produced.end());
        return produced;
    }
};

using Events = std::vector<std::string>;

}  // namespace

TEST_CASE("LineReader splits one chunk into its lines", "[line_reader]") {
    Collector c(100);
    CHECK(c.feed("one\ntwo\nthree\n") == Events{"L:one", "L:two", "L:three"});
    CHECK(c.reader.buffered_bytes() == 0);
    CHECK_FALSE(c.reader.take_unterminated().has_value());
}

TEST_CASE("LineReader reports empty lines", "[line_reader]") {
    Collector c(100);
    CHECK(c.feed("\n\r\n\nx\n") == Events{"L:", "L:", "L:", "L:x"});
}

TEST_CASE("LineReader with nothing fed reports nothing", "[line_reader]") {
    Collector c(100);
    CHECK(c.feed("").empty());
    CHECK(c.reader.buffered_bytes() == 0);
    CHECK(c.reader.max_line_bytes() == 100);
    CHECK_FALSE(c.reader.take_unterminated().has_value());
}

TEST_CASE("LineReader joins a line split across feeds", "[line_reader]") {
    Collector c(100);
    CHECK(c.feed("hel").empty());
    CHECK(c.reader.buffered_bytes() == 3);
    CHECK(c.feed("lo wo").empty());
    CHECK(c.reader.buffered_bytes() == 8);
    CHECK(c.feed("rld\nnext") == Events{"L:hello world"});
    CHECK(c.reader.buffered_bytes() == 4);
    CHECK(c.feed("\n") == Events{"L:next"});
    CHECK(c.reader.buffered_bytes() == 0);
}

TEST_CASE("LineReader gives the same lines whatever the chunk boundaries", "[line_reader]") {
    const std::string stream = "alpha\r\nbeta\n\ngamma delta\r\n\r\nz\n";
    const Events expected = {"L:alpha", "L:beta", "L:", "L:gamma delta", "L:", "L:z"};
    for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
        INFO("chunk size " << chunk);
        Collector c(11);
        for (std::size_t at = 0; at < stream.size(); at += chunk) {
            c.feed(std::string_view(stream).substr(at, chunk));
        }
        CHECK(c.events == expected);
        CHECK(c.reader.buffered_bytes() == 0);
    }
}

TEST_CASE("LineReader strips one CR before the LF", "[line_reader]") {
    Collector c(100);
    SECTION("CRLF in one chunk") {
        CHECK(c.feed("one\r\ntwo\r\n") == Events{"L:one", "L:two"});
    }
    SECTION("CR and LF in different feeds") {
        CHECK(c.feed("one\r").empty());
        CHECK(c.reader.buffered_bytes() == 4);
        CHECK(c.feed("\ntwo\r") == Events{"L:one"});
        CHECK(c.feed("\n") == Events{"L:two"});
        CHECK(c.events == Events{"L:one", "L:two"});
    }
    SECTION("the line split before its CR") {
        CHECK(c.feed("on").empty());
        CHECK(c.feed("e\r\n") == Events{"L:one"});
    }
    SECTION("only the last CR goes; a CR elsewhere is data") {
        CHECK(c.feed("a\rb\r\r\n\rc\n") == Events{"L:a\rb\r", "L:\rc"});
    }
}

TEST_CASE("LineReader passes a line of exactly the limit", "[line_reader]") {
    const std::string at_limit(10, 'x');
    Collector c(10);
    SECTION("in one chunk") {
        CHECK(c.feed(at_limit + "\n") == Events{"L:" + at_limit});
    }
    SECTION("in one chunk, with CRLF: the CR does not count") {
        CHECK(c.feed(at_limit + "\r\n") == Events{"L:" + at_limit});
    }
    SECTION("byte by byte, with CRLF") {
        for (char ch : at_limit + "\r") {
            CHECK(c.feed(std::string(1, ch)).empty());
        }
        CHECK(c.reader.buffered_bytes() == 11);
        CHECK(c.feed("\n") == Events{"L:" + at_limit});
    }
    SECTION("split with the CR and LF in separate feeds") {
        CHECK(c.feed(at_limit + "\r").empty());
        CHECK(c.feed("\n") == Events{"L:" + at_limit});
    }
}

TEST_CASE("LineReader drops a line one byte over the limit up to its newline", "[line_reader]") {
    const std::string over(11, 'y');
    Collector c(10);
    SECTION("in one chunk") {
        CHECK(c.feed(over + "\nnext\n") == Events{"TOO_LONG", "L:next"});
    }
    SECTION("in one chunk, with CRLF") {
        CHECK(c.feed(over + "\r\nnext\r\n") == Events{"TOO_LONG", "L:next"});
    }
    SECTION("the extra byte in its own feed, then the newline") {
        CHECK(c.feed(std::string(10, 'y')).empty());
        CHECK(c.feed("y").empty());  // could still be the CR of a CRLF
        CHECK(c.feed("\nnext\n") == Events{"TOO_LONG", "L:next"});
    }
    SECTION("the overflow seen before the newline arrives") {
        CHECK(c.feed(over).empty());
        CHECK(c.feed("zz") == Events{"TOO_LONG"});
        CHECK(c.reader.buffered_bytes() == 0);
        // The rest of the long line, however it is split, is dropped without a second event.
        CHECK(c.feed("more of the same long line").empty());
        CHECK(c.feed("still").empty());
        CHECK(c.feed(" going\nnext\n") == Events{"L:next"});
        CHECK(c.events == Events{"TOO_LONG", "L:next"});
    }
    SECTION("the pending part and the tail together pass the limit") {
        CHECK(c.feed("abcdef").empty());
        CHECK(c.feed("ghijk\nnext\n") == Events{"TOO_LONG", "L:next"});
    }
    SECTION("a line at the limit whose last byte before LF is not a CR") {
        CHECK(c.feed(std::string(10, 'y') + "\r").empty());
        CHECK(c.feed("\r\nok\n") == Events{"TOO_LONG", "L:ok"});
    }
    SECTION("the lines around the long one are untouched") {
        CHECK(c.feed("before\n" + over + "\nafter\n") == Events{"L:before", "TOO_LONG", "L:after"});
    }
    SECTION("the dropped rest is not counted against the next line") {
        CHECK(c.feed(std::string(50, 'y')) == Events{"TOO_LONG"});
        CHECK(c.feed("y\n" + std::string(10, 'n') + "\n") == Events{"L:" + std::string(10, 'n')});
    }
}

TEST_CASE("LineReader keeps no more than the limit plus one byte of an endless line",
          "[line_reader]") {
    constexpr std::size_t max_line = 4096;
    Collector c(max_line);
    const std::string piece(1024, 'a');
    std::size_t largest_buffer = 0;
    for (std::size_t fed = 0; fed < 1024 * 1024; fed += piece.size()) {
        c.feed(piece);
        largest_buffer = std::max(largest_buffer, c.reader.buffered_bytes());
        REQUIRE(c.reader.buffered_bytes() <= max_line + 1);
    }
    CHECK(largest_buffer == max_line);  // four whole pieces fit; the fifth overflows
    CHECK(c.events == Events{"TOO_LONG"});
    CHECK(c.reader.buffered_bytes() == 0);
    CHECK(c.feed("tail of the long line\nfine\n") == Events{"L:fine"});
    CHECK(c.events == Events{"TOO_LONG", "L:fine"});
}

TEST_CASE("LineReader with a limit that is not a multiple of the feed size", "[line_reader]") {
    constexpr std::size_t max_line = 1500;
    Collector c(max_line);
    const std::string piece(1024, 'b');
    for (int i = 0; i < 1024; ++i) {
        c.feed(piece);
        REQUIRE(c.reader.buffered_bytes() <= max_line + 1);
    }
    CHECK(c.events == Events{"TOO_LONG"});
    CHECK(c.feed("\n") == Events{});
    CHECK(c.feed("ok\n") == Events{"L:ok"});
}

TEST_CASE("LineReader take_unterminated returns the last line without a newline", "[line_reader]") {
    Collector c(100);
    SECTION("after complete lines") {
        CHECK(c.feed("one\ntwo\nlast") == Events{"L:one", "L:two"});
        auto last = c.reader.take_unterminated();
        REQUIRE(last.has_value());
        CHECK(*last == "last");
        CHECK(c.reader.buffered_bytes() == 0);
        CHECK_FALSE(c.reader.take_unterminated().has_value());
    }
    SECTION("built from several feeds") {
        c.feed("la");
        c.feed("st");
        auto last = c.reader.take_unterminated();
        REQUIRE(last.has_value());
        CHECK(*last == "last");
    }
    SECTION("a trailing CR is stripped") {
        c.feed("last\r");
        auto last = c.reader.take_unterminated();
        REQUIRE(last.has_value());
        CHECK(*last == "last");
    }
    SECTION("nothing after the last newline") {
        c.feed("one\n");
        CHECK_FALSE(c.reader.take_unterminated().has_value());
    }
    SECTION("while dropping a long line, there is no last line") {
        Collector small(4);
        CHECK(small.feed("abcdefgh") == Events{"TOO_LONG"});
        CHECK_FALSE(small.reader.take_unterminated().has_value());
        CHECK(small.reader.buffered_bytes() == 0);
    }
    SECTION("a last line of exactly the limit") {
        Collector small(4);
        small.feed("abcd");
        auto last = small.reader.take_unterminated();
        REQUIRE(last.has_value());
        CHECK(*last == "abcd");
    }
}

// Regression: found by this test and fixed.
TEST_CASE("LineReader take_unterminated never returns a line over the limit", "[line_reader]") {
    Collector with_newline(4);
    CHECK(with_newline.feed("abcde\n") == Events{"TOO_LONG"});

    Collector c(4);
    CHECK(c.feed("abcde").empty());
    auto last = c.reader.take_unterminated();
    INFO("take_unterminated returned " << (last ? "\"" + *last + "\"" : std::string("nothing")));
    CHECK_FALSE((last.has_value() && last->size() > c.reader.max_line_bytes()));
    CHECK(c.reader.buffered_bytes() == 0);
}
