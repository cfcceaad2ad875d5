#include "cluster_events.h"

#include <array>
#include <charconv>

#include "tcpkit/redis/resp.h"

namespace tcpkit {
namespace {

constexpr std::string_view version = "tcpkit1";

struct KindName {
    ClusterEventKind kind;
    std::string_view name;
    std::size_t fields;
};

constexpr std::array kinds{
    KindName{ClusterEventKind::said, "said", 1}, KindName{ClusterEventKind::joined, "joined", 1},
    KindName{ClusterEventKind::left, "left", 2}, KindName{ClusterEventKind::renamed, "renamed", 2},
    KindName{ClusterEventKind::told, "told", 2}, KindName{ClusterEventKind::stopped, "stopped", 0},
    KindName{ClusterEventKind::gone, "gone", 1},
};

}  // namespace

std::string encode_cluster_event(const ClusterEvent& event) {
    std::vector<std::string> parts;
    parts.reserve(4 + event.fields.size());
    parts.emplace_back(version);
    for (const auto& kind : kinds) {
        if (kind.kind == event.kind) {
            parts.emplace_back(kind.name);
        }
    }
    parts.push_back(event.node);
    parts.push_back(std::to_string(event.sequence));
    parts.insert(parts.end(), event.fields.begin(), event.fields.end());
    return format_resp_array(parts);
}

std::optional<ClusterEvent> decode_cluster_event(std::string_view payload) {
    auto value = parse_resp_value(payload);
    if (!value || value->type != RedisReply::Type::array || value->elements.size() < 4 ||
        (*value)[0].text != version) {
        return std::nullopt;
    }
    for (const auto& element : value->elements) {
        if (element.type != RedisReply::Type::string) {
            return std::nullopt;
        }
    }
    ClusterEvent event;
    const KindName* found = nullptr;
    for (const auto& kind : kinds) {
        if (kind.name == (*value)[1].text) {
            found = &kind;
        }
    }
    const std::string& sequence = (*value)[3].text;
    if (found == nullptr || value->elements.size() != 4 + found->fields ||
        std::from_chars(sequence.data(), sequence.data() + sequence.size(), event.sequence).ptr !=
            sequence.data() + sequence.size()) {
        return std::nullopt;
    }
    event.kind = found->kind;
    event.node = (*value)[2].text;
    for (std::size_t i = 4; i < value->elements.size(); ++i) {
        event.fields.push_back(std::move(value->elements[i].text));
    }
    return event;
}

}  // namespace tcpkit
