// Someone in the chat room, as the room sees them: a place to deliver shared bytes to, and a
// description for logs. The room knows nothing else about them, so it can be tested with fake
// participants and later hold participants that are not sockets on this machine.
#pragma once

#include <functional>
#include <string>

#include "tcpkit/codec/bounded_write_queue.h"

namespace tcpkit {

class ChatParticipant {
  public:
    virtual ~ChatParticipant() = default;

    // Takes `message` for this participant without waiting. The same bytes go to many
    // participants, so they are shared, never copied. A participant that cannot keep up may end
    // its own connection here, but must not leave the room from inside this call: its session
    // leaves later, on its own turn, so the room's members never change while it walks them.
    virtual void deliver(const SharedBytes& message) = 0;

    // Who this is, for logs: the peer's address, such as "127.0.0.1:50312".
    virtual std::string peer() const = 0;

    // Whether this participant's queue is backed up: past its high mark, and not yet drained to
    // its low one (see ChatRoom::congested()). A participant that has none never is.
    virtual bool backed_up() const { return false; }
    // `report` hears every change of backed_up() from now on; null: no more.
    // By value: an override keeps it. NOLINTNEXTLINE(performance-unnecessary-value-param)
    virtual void report_backlog(std::function<void(bool backed_up)> /*report*/) {}
    // Ends this participant's connection as too slow; like deliver(), it must not leave the room
    // from inside this call.
    virtual void cut_off() {}

    // The room gave this member another name (theirs was taken on another server while the
    // room was split): from now on they are `new_name`.
    virtual void renamed_by_room(const std::string& new_name) = 0;
};

}  // namespace tcpkit
