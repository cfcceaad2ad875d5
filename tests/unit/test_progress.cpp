// TransferProgress: the --progress lines, from counters and times the test chooses.
#include "tcpkit/stream/progress.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "catch.h"

using tcpkit::format_byte_count;
using tcpkit::format_byte_rate;
using tcpkit::ProgressDisplay;
using tcpkit::TransferProgress;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t kib = 1024;
constexpr std::uint64_t mib = kib * 1024;
constexpr std::uint64_t gib = mib * 1024;

// What the progress printed, one entry per write.
struct Printed {
    std::vector<std::string> writes;
    TransferProgress::Sink sink() {
        return [this](std::string_view text) { writes.emplace_back(text); };
    }
};

const TransferProgress::Clock::time_point t0{};

}  // namespace

TEST_CASE("byte counts and rates are in binary units with one decimal", "[progress]") {
    CHECK(format_byte_count(0) == "0 B");
    CHECK(format_byte_count(12) == "12 B");
    CHECK(format_byte_count(1023) == "1023 B");
    CHECK(format_byte_count(1536) == "1.5 KiB");
    CHECK(format_byte_count(512 * mib) == "512.0 MiB");
    CHECK(format_byte_count(gib) == "1.0 GiB");
    // Just under a mebibyte rounds to "1.0 MiB", not "1024.0 KiB".
    CHECK(format_byte_count(mib - 1) == "1.0 MiB");
    CHECK(format_byte_rate(0) == "0 B/s");
    CHECK(format_byte_rate(812.3 * mib) == "812.3 MiB/s");
}

TEST_CASE("the status line of an input of known size has the percentage and the time left",
          "[progress]") {
    Printed printed;
    TransferProgress progress(gib, ProgressDisplay::line_by_line, printed.sink(), t0);
    progress.about_to_send(t0);
    progress.sent(512 * mib, 512 * mib, t0 + 900ms);
    CHECK(progress.status_line(t0 + 1s) ==
          "sent 512.0 MiB of 1.0 GiB (50%, 512.0 MiB/s, 1s left), received 0 B");
    // The rates are over the last second: 128 MiB in it, 384 MiB to go at that pace.
    progress.sent(128 * mib, 128 * mib, t0 + 1900ms);
    progress.received(12, t0 + 1900ms);
    CHECK(progress.status_line(t0 + 2s) ==
          "sent 640.0 MiB of 1.0 GiB (62%, 128.0 MiB/s, 3s left), received 12 B (12 B/s)");
}

TEST_CASE("the status line without a known size has bytes and rates only", "[progress]") {
    Printed printed;
    TransferProgress progress(std::nullopt, ProgressDisplay::line_by_line, printed.sink(), t0);
    CHECK(progress.status_line(t0 + 1s) == "sent 0 B, received 0 B");
    progress.received(3 * mib, t0 + 1500ms);
    CHECK(progress.status_line(t0 + 2s) == "sent 0 B, received 3.0 MiB (3.0 MiB/s)");
}

TEST_CASE("an input that outgrows its size loses the percentage", "[progress]") {
    Printed printed;
    TransferProgress progress(100, ProgressDisplay::line_by_line, printed.sink(), t0);
    progress.about_to_send(t0);
    progress.sent(150, 150, t0 + 500ms);
    CHECK(progress.status_line(t0 + 1s) == "sent 150 B (150 B/s), received 0 B");
}

TEST_CASE("the summary gives each direction's time and average rate", "[progress]") {
    Printed printed;
    TransferProgress progress(gib, ProgressDisplay::line_by_line, printed.sink(), t0);
    progress.about_to_send(t0 + 100ms);
    progress.sent(gib, gib, t0 + 1400ms);
    // One read: no time worth printing.
    progress.received(12, t0 + 1500ms);
    CHECK(progress.summary_line() == "sent 1.0 GiB in 1.3s (787.7 MiB/s), received 12 B");

    TransferProgress nothing(std::nullopt, ProgressDisplay::line_by_line, printed.sink(), t0);
    CHECK(nothing.summary_line() == "sent 0 B, received 0 B");
}

TEST_CASE("line by line: one line each report, the summary once, even from the destructor",
          "[progress]") {
    Printed printed;
    {
        TransferProgress progress(std::nullopt, ProgressDisplay::line_by_line, printed.sink(), t0);
        CHECK(progress.interval() == 1s);
        progress.report(t0 + 1s);
        progress.received(5, t0 + 1200ms);
        progress.report(t0 + 2s);
    }
    REQUIRE(printed.writes.size() == 3);
    CHECK(printed.writes[0] == "sent 0 B, received 0 B\n");
    CHECK(printed.writes[1] == "sent 0 B, received 5 B (5 B/s)\n");
    CHECK(printed.writes[2] == "sent 0 B, received 5 B\n");
}

TEST_CASE("on a terminal the line is redrawn in place and the summary ends it", "[progress]") {
    Printed printed;
    TransferProgress progress(std::nullopt, ProgressDisplay::redraw_in_place, printed.sink(), t0);
    CHECK(progress.interval() == 100ms);
    progress.report(t0 + 100ms);
    progress.finish();
    progress.finish();
    progress.report(t0 + 200ms);  // after the summary: nothing more
    REQUIRE(printed.writes.size() == 2);
    CHECK(printed.writes[0] == "\rsent 0 B, received 0 B\x1b[K");
    CHECK(printed.writes[1] == "\rsent 0 B, received 0 B\x1b[K\n");
}

TEST_CASE("on a terminal other text first clears the status line, once", "[progress]") {
    Printed printed;
    TransferProgress progress(std::nullopt, ProgressDisplay::redraw_in_place, printed.sink(), t0);
    progress.clear_line();  // nothing drawn yet: nothing to clear
    progress.report(t0 + 100ms);
    progress.clear_line();
    progress.clear_line();
    REQUIRE(printed.writes.size() == 2);
    CHECK(printed.writes[1] == "\r\x1b[K");

    Printed lines;
    TransferProgress by_line(std::nullopt, ProgressDisplay::line_by_line, lines.sink(), t0);
    by_line.report(t0 + 1s);
    by_line.clear_line();  // a line that ended in a newline needs no clearing
    CHECK(lines.writes.size() == 1);
}
