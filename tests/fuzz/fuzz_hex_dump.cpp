// `connect --hex` (base/hex_dump.h): a peer's bytes dumped in the chunks they arrive in.
// Input: [count] [count chunk sizes] payload.
// Invariants: the dump is printable ASCII lines; each line's offset is where its bytes are in
// the stream, and its hex digits read back to exactly those bytes, whatever the chunking; the
// ASCII column shows the printable bytes and '.' for the rest.
#include <string>

#include "fuzz_support.h"
#include "tcpkit/base/hex_dump.h"

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

// Reads one dumped line back: checks it against the stream and returns how many bytes it held.
std::size_t check_line(std::string_view line, std::string_view stream, std::uint64_t offset) {
    // "> 0000abcd  00 01 ... 07  08 ... 0f  |........|"
    FUZZ_CHECK(line.size() > 12 && line[0] == '>' && line[1] == ' ', "a line without its marker");
    std::uint64_t shown_offset = 0;
    for (std::size_t i = 2; i < 10; ++i) {
        int digit = hex_value(line[i]);
        FUZZ_CHECK(digit >= 0, "an offset that is not hex");
        shown_offset = shown_offset * 16 + static_cast<unsigned>(digit);
    }
    FUZZ_CHECK(shown_offset == offset, "a line's offset is not where its bytes are");
    std::size_t bar = line.find('|');
    FUZZ_CHECK(bar != std::string_view::npos && line.back() == '|', "no ASCII column");
    std::string_view hex = line.substr(10, bar - 10);
    std::string_view ascii = line.substr(bar + 1, line.size() - bar - 2);
    std::string bytes;
    for (std::size_t i = 0; i < hex.size(); ++i) {
        if (hex[i] == ' ') {
            continue;
        }
        FUZZ_CHECK(i + 1 < hex.size(), "half a hex byte");
        int high = hex_value(hex[i]);
        int low = hex_value(hex[i + 1]);
        FUZZ_CHECK(high >= 0 && low >= 0, "a byte that is not hex");
        bytes += static_cast<char>(high * 16 + low);
        ++i;
    }
    FUZZ_CHECK(!bytes.empty() && bytes.size() <= 16, "a line of more than 16 bytes, or none");
    FUZZ_CHECK(offset + bytes.size() <= stream.size() &&
                   stream.substr(static_cast<std::size_t>(offset), bytes.size()) == bytes,
               "a line's bytes are not the stream's");
    FUZZ_CHECK(ascii.size() == bytes.size(), "the ASCII column is not one character a byte");
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto c = static_cast<unsigned char>(bytes[i]);
        bool printable = c >= 0x20 && c < 0x7F;
        FUZZ_CHECK(ascii[i] == (printable ? bytes[i] : '.'), "a wrong ASCII column");
    }
    return bytes.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tcpkit::fuzz::InputSplitter input(tcpkit::fuzz::as_text(data, size));
    std::string sizes = input.take_chunk_sizes();
    std::string_view stream = input.rest();

    tcpkit::HexDumper dumper('>');
    std::uint64_t offset = 0;
    tcpkit::fuzz::for_each_chunk(stream, sizes, [&](std::string_view chunk) {
        std::string dump = dumper.dump(chunk);
        FUZZ_CHECK(dump.empty() == chunk.empty(), "a dump of nothing, or nothing of a chunk");
        std::string_view rest = dump;
        std::size_t dumped = 0;
        while (!rest.empty()) {
            std::size_t newline = rest.find('\n');
            FUZZ_CHECK(newline != std::string_view::npos, "a dump not ending in a line end");
            std::string_view line = rest.substr(0, newline);
            for (char c : line) {
                FUZZ_CHECK(c >= 0x20 && c < 0x7F, "an unprintable character in the dump");
            }
            dumped += check_line(line, stream, offset + dumped);
            rest.remove_prefix(newline + 1);
        }
        FUZZ_CHECK(dumped == chunk.size(), "the dump does not hold the whole chunk");
        offset += chunk.size();
        FUZZ_CHECK(dumper.offset() == offset, "the offset does not run across chunks");
    });
    return 0;
}
