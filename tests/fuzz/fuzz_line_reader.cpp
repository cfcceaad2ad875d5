// LineReader: a peer's byte stream cut into lines under a length limit.
// Input: [limit] [mode] [count] [count chunk sizes] payload.
// Invariants: no line over the limit and none holding '\n'; at most limit + 1 bytes buffered,
// whatever the peer sends; the same events whatever the chunking, and whether or not the
// callback stops the feed (the caller feeding the rest again); and the events account for every
// byte: each line is its segment without one '\r', each overflow a segment over the limit.
#include <optional>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "tcpkit/codec/line_reader.h"

namespace {

using tcpkit::LineEvent;
using tcpkit::LineReader;

// A line's text, or nothing for an overflow.
using Event = std::optional<std::string>;

struct Run {
    std::vector<Event> events;
    std::optional<std::string> unterminated;
};

// Feeds `payload` in the chunks `sizes` gives. With `stop_every` > 0 the callback stops the
// feed after that many events, and the caller feeds what was not taken again, as the chat
// session does when it must wait before reading on.
Run feed_in_chunks(std::size_t limit, std::string_view payload, std::string_view sizes,
                   unsigned stop_every) {
    LineReader reader(limit);
    Run run;
    unsigned since_stop = 0;
    tcpkit::fuzz::for_each_chunk(payload, sizes, [&](std::string_view chunk) {
        while (true) {
            std::size_t taken = reader.feed(chunk, [&](const LineEvent& event) {
                if (event.kind == LineEvent::Kind::line) {
                    FUZZ_CHECK(event.text.size() <= limit, "a line longer than the limit");
                    FUZZ_CHECK(event.text.find('\n') == std::string_view::npos,
                               "a line holding its line end");
                    run.events.emplace_back(std::string(event.text));
                } else {
                    run.events.emplace_back(std::nullopt);
                }
                if (stop_every == 0) {
                    return true;
                }
                return ++since_stop % stop_every != 0;
            });
            FUZZ_CHECK(taken <= chunk.size(), "took more bytes than were fed");
            FUZZ_CHECK(reader.buffered_bytes() <= limit + 1, "buffered past the limit");
            if (taken == chunk.size()) {
                break;
            }
            FUZZ_CHECK(stop_every != 0, "stopped although the callback never said so");
            chunk.remove_prefix(taken);
        }
    });
    run.unterminated = reader.take_unterminated();
    FUZZ_CHECK(reader.buffered_bytes() == 0, "bytes left after take_unterminated");
    return run;
}

// Every byte of `payload` accounted for by the events, segment by segment.
void check_accounting(std::size_t limit, std::string_view payload, const Run& run) {
    std::size_t next_event = 0;
    while (true) {
        std::size_t newline = payload.find('\n');
        std::string_view segment = payload.substr(0, newline);
        std::string_view without_cr = segment;
        if (!without_cr.empty() && without_cr.back() == '\r') {
            without_cr.remove_suffix(1);
        }
        if (newline == std::string_view::npos) {
            // The tail without a line end: an overflow as soon as it cannot fit (a CR may still
            // come, hence + 1), else take_unterminated's line, if it is not empty.
            if (segment.size() > limit + 1) {
                FUZZ_CHECK(next_event + 1 == run.events.size() && !run.events[next_event],
                           "a long unterminated tail is not reported as too long");
                FUZZ_CHECK(!run.unterminated, "an overlong tail returned as a line");
            } else {
                FUZZ_CHECK(next_event == run.events.size(), "events past the last line end");
                bool expected = !without_cr.empty() && without_cr.size() <= limit;
                FUZZ_CHECK(run.unterminated.has_value() == expected,
                           "take_unterminated disagrees on the tail");
                FUZZ_CHECK(!expected || *run.unterminated == without_cr,
                           "take_unterminated changed the tail");
            }
            return;
        }
        FUZZ_CHECK(next_event < run.events.size(), "a line end without an event");
        const Event& event = run.events[next_event++];
        if (without_cr.size() > limit) {
            FUZZ_CHECK(!event, "a line over the limit delivered");
        } else {
            FUZZ_CHECK(event && *event == without_cr, "a line that is not its segment");
        }
        payload.remove_prefix(newline + 1);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tcpkit::fuzz::InputSplitter input(tcpkit::fuzz::as_text(data, size));
    std::size_t limit = 1 + input.take_byte() % 64;
    unsigned stop_every = input.take_byte() % 4;
    std::string sizes = input.take_chunk_sizes();
    std::string_view payload = input.rest();

    Run whole = feed_in_chunks(limit, payload, {}, 0);
    check_accounting(limit, payload, whole);
    Run chunked = feed_in_chunks(limit, payload, sizes, stop_every);
    FUZZ_CHECK(chunked.events == whole.events, "the chunking changed the lines");
    FUZZ_CHECK(chunked.unterminated == whole.unterminated, "the chunking changed the tail");
    return 0;
}
