// What another node publishes to the room's channel (cluster_events.h, private to the cluster
// layer): the payload of a pub/sub message, decoded with the redis layer's RESP reader.
// Input: the payload as it came; the same bytes also give an event to encode (kind, sequence,
// then NUL-separated node and fields).
// Invariants: decoding never throws, whatever the payload; a decoded event encodes and decodes
// back to itself; an event this node encodes decodes to itself.
#include <optional>
#include <string>

#include "cluster_events.h"
#include "fuzz_support.h"

namespace {

using tcpkit::ClusterEvent;
using tcpkit::ClusterEventKind;

bool same(const ClusterEvent& a, const ClusterEvent& b) {
    return a.kind == b.kind && a.node == b.node && a.sequence == b.sequence && a.fields == b.fields;
}

void check_round_trip(const ClusterEvent& event) {
    std::optional<ClusterEvent> decoded =
        tcpkit::decode_cluster_event(tcpkit::encode_cluster_event(event));
    FUZZ_CHECK(decoded.has_value(), "an encoded event does not decode");
    FUZZ_CHECK(same(*decoded, event), "an event decodes changed");
}

// How many fields each kind carries (cluster_events.h).
std::size_t fields_of(ClusterEventKind kind) {
    switch (kind) {
        case ClusterEventKind::said:
        case ClusterEventKind::joined:
        case ClusterEventKind::gone:
            return 1;
        case ClusterEventKind::left:
        case ClusterEventKind::renamed:
        case ClusterEventKind::told:
            return 2;
        case ClusterEventKind::stopped:
            return 0;
    }
    return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view payload = tcpkit::fuzz::as_text(data, size);
    if (auto event = tcpkit::decode_cluster_event(payload)) {
        FUZZ_CHECK(event->fields.size() == fields_of(event->kind),
                   "an event decoded with the wrong number of fields");
        check_round_trip(*event);
    }

    tcpkit::fuzz::InputSplitter input(payload);
    ClusterEvent event;
    event.kind = static_cast<ClusterEventKind>(input.take_byte() % 7);
    for (int i = 0; i < 8; ++i) {
        event.sequence = (event.sequence << 8) | input.take_byte();
    }
    event.node = std::string(input.take_until('\0'));
    for (std::size_t i = 0; i < fields_of(event.kind); ++i) {
        event.fields.emplace_back(input.take_until('\0'));
    }
    check_round_trip(event);
    return 0;
}
