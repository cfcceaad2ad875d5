// `connect --crlf` (codec/crlf_translator.h): line ends turned into CRLF in the chunks the
// input arrives in. Input: [count] [count chunk sizes] payload.
// Invariants: chunked translation equals one-shot; every LF of the output follows a CR; taking
// out the CRs added gives the input back: exactly one before each LF that had none.
#include <string>

#include "fuzz_support.h"
#include "tcpkit/codec/crlf_translator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tcpkit::fuzz::InputSplitter input(tcpkit::fuzz::as_text(data, size));
    std::string sizes = input.take_chunk_sizes();
    std::string_view payload = input.rest();

    std::string whole;
    tcpkit::CrlfTranslator().translate(payload, whole);
    std::string chunked;
    tcpkit::CrlfTranslator translator;
    tcpkit::fuzz::for_each_chunk(
        payload, sizes, [&](std::string_view chunk) { translator.translate(chunk, chunked); });
    FUZZ_CHECK(chunked == whole, "the chunking changed the translation");

    std::string expected;
    for (std::size_t i = 0; i < payload.size(); ++i) {
        if (payload[i] == '\n' && (i == 0 || payload[i - 1] != '\r')) {
            expected += '\r';
        }
        expected += payload[i];
    }
    FUZZ_CHECK(whole == expected, "not the input with one CR before each bare LF");
    for (std::size_t i = 0; i < whole.size(); ++i) {
        FUZZ_CHECK(whole[i] != '\n' || (i > 0 && whole[i - 1] == '\r'), "a bare LF sent");
    }
    return 0;
}
