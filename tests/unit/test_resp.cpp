// Only in builds with hiredis (TCPKIT_CLUSTER).
#include "catch.h"
#include "tcpkit/redis/resp.h"

using tcpkit::RedisReply;

TEST_CASE("resp: an array of strings formats as RESP and parses back, bytes and all", "[resp]") {
    std::vector<std::string> parts{"PUBLISH", "room", std::string("a\r\n\0b", 5), ""};
    std::string wire = tcpkit::format_resp_array(parts);
    CHECK(wire.substr(0, 4) == "*4\r\n");
    auto value = tcpkit::parse_resp_value(wire);
    REQUIRE(value);
    REQUIRE(value->type == RedisReply::Type::array);
    REQUIRE(value->elements.size() == 4);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        CHECK((*value)[i].text == parts[i]);
    }
    CHECK((*value)[7].type == RedisReply::Type::nil);  // out of range reads as nil
}

TEST_CASE("resp: a value cut short, followed by more, or not RESP is no value", "[resp]") {
    std::string wire = tcpkit::format_resp_array(std::vector<std::string>{"a", "b"});
    CHECK_FALSE(tcpkit::parse_resp_value(wire.substr(0, wire.size() - 1)));
    CHECK_FALSE(tcpkit::parse_resp_value(wire + "+OK\r\n"));
    CHECK_FALSE(tcpkit::parse_resp_value("?what\r\n"));
}

TEST_CASE("resp: the reader takes replies as they come, in any chunks", "[resp]") {
    std::string wire = "+OK\r\n:42\r\n-ERR no\r\n$-1\r\n*2\r\n$1\r\nx\r\n:7\r\n";
    tcpkit::RespReader reader;
    std::vector<RedisReply> replies;
    for (char byte : wire) {
        reader.feed(std::string_view(&byte, 1));
        while (auto reply = reader.next()) {
            replies.push_back(*reply);
        }
    }
    REQUIRE(replies.size() == 5);
    CHECK(replies[0].type == RedisReply::Type::status);
    CHECK(replies[0].text == "OK");
    CHECK(replies[1].integer == 42);
    CHECK(replies[2].is_error());
    CHECK(replies[2].text == "ERR no");
    CHECK(replies[3].type == RedisReply::Type::nil);
    CHECK(replies[4][0].text == "x");
    CHECK(replies[4][1].integer == 7);
    CHECK(reader.buffered_bytes() == 0);
}

TEST_CASE("resp: a reply declaring more elements than max_resp_elements fails the reader",
          "[resp]") {
    // hiredis would allocate the pointers of 888,888,881 elements (7 GB) on reading the header.
    tcpkit::RespReader huge;
    huge.feed("*888888881\r\n");
    CHECK_THROWS_WITH(huge.next(), Catch::Matchers::Contains("more than 16777216 elements"));

    // Nested arrays count together.
    std::string half = "*" + std::to_string(tcpkit::max_resp_elements / 2 + 1) + "\r\n";
    tcpkit::RespReader nested;
    nested.feed("*2\r\n" + half + half);
    CHECK_THROWS(nested.next());

    // Each reply has the whole allowance: many replies of arrays are fine.
    tcpkit::RespReader many;
    std::string wire;
    for (int i = 0; i < 1000; ++i) {
        wire += "*2\r\n:1\r\n:2\r\n";
    }
    many.feed(wire);
    int replies = 0;
    while (auto reply = many.next()) {
        CHECK(reply->elements.size() == 2);
        ++replies;
    }
    CHECK(replies == 1000);
}
