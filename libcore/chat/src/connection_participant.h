// An accepted connection as a member of the chat room. It lives here rather than in net, which
// may not know about chat.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "tcpkit/chat/chat_participant.h"
#include "tcpkit/net/accepted_connection.h"

namespace tcpkit {

class ConnectionParticipant final : public ChatParticipant {
  public:
    using OnRenamed = std::function<void(const std::string&)>;

    // Holds the connection for as long as the room holds the participant; `on_renamed` is the
    // session's, which calls forget_session() before it goes.
    ConnectionParticipant(std::shared_ptr<AcceptedConnection> connection, OnRenamed on_renamed)
        : connection_(std::move(connection)), on_renamed_(std::move(on_renamed)) {}

    // A message over the connection's output limit closes it as too slow (see enqueue()); its
    // session then leaves the room with that reason.
    void deliver(const SharedBytes& message) override { connection_->enqueue(message); }
    std::string peer() const override { return connection_->peer(); }
    bool backed_up() const override { return connection_->backed_up(); }
    void report_backlog(std::function<void(bool)> report) override {
        connection_->on_backlog_change(std::move(report));
    }
    void cut_off() override {
        connection_->close(EndKind::too_slow,
                           "too slow: its queue stayed backed up while the room waited for it");
    }
    void renamed_by_room(const std::string& new_name) override {
        if (on_renamed_) {
            on_renamed_(new_name);
        }
    }
    void forget_session() { on_renamed_ = nullptr; }

  private:
    std::shared_ptr<AcceptedConnection> connection_;
    OnRenamed on_renamed_;
};

}  // namespace tcpkit
