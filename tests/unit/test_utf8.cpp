#include "tcpkit/base/utf8.h"

#include <string>

#include "catch.h"

using tcpkit::decode_first_character;
using tcpkit::to_valid_utf8;

namespace {
const std::string fffd = "\xEF\xBF\xBD";
}

TEST_CASE("to_valid_utf8 keeps valid text unchanged, in every script", "[utf8]") {
    CHECK(to_valid_utf8("") == "");
    CHECK(to_valid_utf8("plain ASCII\t\n") == "plain ASCII\t\n");
    CHECK(to_valid_utf8("在线人数: 3") == "在线人数: 3");
    CHECK(to_valid_utf8("emoji \xF0\x9F\x98\x80 and U+10FFFF \xF4\x8F\xBF\xBF") ==
          "emoji \xF0\x9F\x98\x80 and U+10FFFF \xF4\x8F\xBF\xBF");
    CHECK(to_valid_utf8(std::string("nul\0byte", 8)) == std::string("nul\0byte", 8));
}

TEST_CASE("to_valid_utf8 replaces each maximal invalid subpart with one U+FFFD", "[utf8]") {
    CHECK(to_valid_utf8("\xFF") == fffd);
    CHECK(to_valid_utf8("a\x80z") == "a" + fffd + "z");          // stray continuation byte
    CHECK(to_valid_utf8("\xC3") == fffd);                        // truncated at the end
    CHECK(to_valid_utf8("\xC3(") == fffd + "(");                 // truncated before ASCII
    CHECK(to_valid_utf8("\xE4\xBD") == fffd);                    // 2 of 3 bytes: one subpart
    CHECK(to_valid_utf8("\xC0\xAF") == fffd + fffd);             // overlong '/': C0 never valid
    CHECK(to_valid_utf8("\xE0\x80\xAF") == fffd + fffd + fffd);  // overlong 3-byte form
    CHECK(to_valid_utf8("\xED\xA0\x80") == fffd + fffd + fffd);  // UTF-16 surrogate
    CHECK(to_valid_utf8("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // past U+10FFFF
    CHECK(to_valid_utf8("\xF5") == fffd);
}

TEST_CASE("decode_first_character tells a character cut short from an invalid one", "[utf8]") {
    auto first = decode_first_character("你好");
    REQUIRE(first);
    CHECK(first->code_point == U'你');
    CHECK(first->length == 3);
    first = decode_first_character("a\xff");
    REQUIRE(first);
    CHECK(first->code_point == U'a');
    CHECK(first->length == 1);
    // Cut short: the rest may come.
    CHECK(!decode_first_character("\xe4"));
    CHECK(!decode_first_character("\xe4\xbd"));
    CHECK(!decode_first_character("\xf0\x9f\x98"));
    // Invalid whatever follows: U+FFFD over the maximal invalid subpart.
    first = decode_first_character("\xbd");
    REQUIRE(first);
    CHECK(first->code_point == 0xFFFD);
    CHECK(first->length == 1);
    first = decode_first_character("\xe4(");
    REQUIRE(first);
    CHECK(first->code_point == 0xFFFD);
    CHECK(first->length == 1);
    first = decode_first_character("\xed\xa0");  // a surrogate's start
    REQUIRE(first);
    CHECK(first->code_point == 0xFFFD);
    first = decode_first_character("\xc0");  // never a lead byte
    REQUIRE(first);
    CHECK(first->length == 1);
}
