// An accepted connection as a member of the chat room. It lives here rather than in net, which
// may not know about chat.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "tcpkit/chat/chat_participant.h"
#include "tcpkit/net/accepted_connection.h"

namespace tcpkit {

class ConnectionParticipant final : public ChatParticipant {
  public:
    // Holds the connection for as long as the room holds the participant.
    explicit ConnectionParticipant(std::shared_ptr<AcceptedConnection> connection)
        : connection_(std::move(connection)) {}

    // A message over the connection's output limit closes it as too slow (see enqueue()); its
    // session then leaves the room with that reason.
    void deliver(const SharedBytes& message) override { connection_->enqueue(message); }
    std::string peer() const override { return connection_->peer(); }

  private:
    std::shared_ptr<AcceptedConnection> connection_;
};

}  // namespace tcpkit
