// HexDumper (`connect --hex`): hexdump -C style lines with offsets running across chunks.
#include "tcpkit/base/hex_dump.h"

#include <string>

#include "catch.h"

using tcpkit::HexDumper;

TEST_CASE("HexDumper prints a full line of 16 bytes", "[hex_dump]") {
    HexDumper dumper('>');
    CHECK(dumper.dump("0123456789abcdef") ==
          "> 00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n");
    CHECK(dumper.offset() == 16);
}

TEST_CASE("HexDumper pads a short line so the ASCII column stays aligned", "[hex_dump]") {
    HexDumper dumper('>');
    CHECK(dumper.dump("Hello, world!\n") ==
          "> 00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a        |Hello, world!.|\n");
    HexDumper one('<');
    CHECK(one.dump("A") == "< 00000000  41                                                |A|\n");
    HexDumper eight('<');
    CHECK(eight.dump("ABCDEFGH") ==
          "< 00000000  41 42 43 44 45 46 47 48                           |ABCDEFGH|\n");
    HexDumper nine('<');
    CHECK(nine.dump("ABCDEFGHI") ==
          "< 00000000  41 42 43 44 45 46 47 48  49                       |ABCDEFGHI|\n");
    // Every line is as wide as a full one.
    CHECK(one.dump("B").size() == dumper.dump("0123456789abcdef").size() - 15);
}

TEST_CASE("HexDumper splits longer data into lines of 16 with rising offsets", "[hex_dump]") {
    HexDumper dumper('<');
    const std::string data = "The quick brown fox jumps over the lazy dog";  // 43 bytes
    CHECK(dumper.dump(data) ==
          "< 00000000  54 68 65 20 71 75 69 63  6b 20 62 72 6f 77 6e 20  |The quick brown |\n"
          "< 00000010  66 6f 78 20 6a 75 6d 70  73 20 6f 76 65 72 20 74  |fox jumps over t|\n"
          "< 00000020  68 65 20 6c 61 7a 79 20  64 6f 67                 |he lazy dog|\n");
    CHECK(dumper.offset() == 43);
}

TEST_CASE("HexDumper offsets run on across calls", "[hex_dump]") {
    HexDumper dumper('>');
    CHECK(dumper.dump("abc") ==
          "> 00000000  61 62 63                                          |abc|\n");
    CHECK(dumper.offset() == 3);
    CHECK(dumper.dump("defghijklmnopqrstuvwxyz") ==
          "> 00000003  64 65 66 67 68 69 6a 6b  6c 6d 6e 6f 70 71 72 73  |defghijklmnopqrs|\n"
          "> 00000013  74 75 76 77 78 79 7a                              |tuvwxyz|\n");
    CHECK(dumper.offset() == 26);
    CHECK(dumper.dump("").empty());
    CHECK(dumper.offset() == 26);
    CHECK(dumper.dump("!") ==
          "> 0000001a  21                                                |!|\n");
    CHECK(dumper.offset() == 27);
}

TEST_CASE("HexDumper prints offsets as 8 lowercase hex digits", "[hex_dump]") {
    HexDumper dumper('>');
    const std::string block(4096, 'x');
    for (int i = 0; i < 43; ++i) {
        dumper.dump(block);
    }
    CHECK(dumper.offset() == 43u * 4096u);
    CHECK(dumper.dump("y").substr(0, 12) == "> 0002b000  ");
}

TEST_CASE("HexDumper shows non-printable bytes as dots in the ASCII column", "[hex_dump]") {
    HexDumper dumper('<');
    const std::string data("\x00\x1f\x20\x7e\x7f\x80\xff\t\r\n", 10);
    CHECK(dumper.dump(data) ==
          "< 00000000  00 1f 20 7e 7f 80 ff 09  0d 0a                    |.. ~......|\n");
}

TEST_CASE("Each HexDumper keeps its own offset and marker", "[hex_dump]") {
    HexDumper sent('>');
    HexDumper received('<');
    sent.dump("0123456789");
    CHECK(received.dump("x") ==
          "< 00000000  78                                                |x|\n");
    CHECK(sent.dump("x") == "> 0000000a  78                                                |x|\n");
    CHECK(sent.offset() == 11);
    CHECK(received.offset() == 1);
}
