// `tcpkit listen -k PORT`: every connected client hears standard input, and whatever any of
// them sends goes to standard output a whole read at a time, as with `ncat -l -k`.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "input_gate.h"
#include "listen_modes.h"
#include "output_turns.h"
#include "tcpkit/base/hex_dump.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/codec/crlf_translator.h"
#include "tcpkit/stream/describe.h"
#include "tcpkit/stream/spawn.h"

namespace tcpkit {
namespace {

// Standard input goes at the pace of the slowest client: no more is read while a client has
// this much still to receive. Nothing is dropped and memory stays bounded (this, plus one
// chunk, per client); a client that never reads holds everyone up until --idle-timeout or
// its disconnection, as with nc and ncat, rather than being cut off.
constexpr std::size_t input_high_water_bytes = std::size_t{256} * 1024;

// -x: unprefixed, unbuffered, like the relay's dumps.
void dump_to_stderr(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

class EveryClient {
  public:
    EveryClient(const ListenSettings& settings, TcpServer& server)
        : settings_(settings),
          server_(server),
          output_(server.main_context().get_executor()),
          client_joined_(server.main_context(), std::chrono::steady_clock::time_point::max()) {}

    asio::awaitable<void> serve(AcceptedConnection& client) {
        auto member = client.shared_from_this();
        members_.push_back(member);
        client_joined_.cancel();
        if (input_ended_) {
            co_await client.shutdown_send();
        }
        std::vector<char> buffer(relay_receive_chunk_bytes);
        HexDumper dump('<');
        for (;;) {
            std::size_t count = co_await client.read_some(buffer);
            if (count == 0) {
                break;
            }
            std::string_view data(buffer.data(), count);
            if (settings_.relay.hex) {
                dump_to_stderr(dump.dump(data));
            }
            try {
                co_await output_.write_all(data);
            } catch (const std::system_error& failure) {
                log().warn("standard output closed ({}): stopping", describe(failure.code()));
                server_.stop();
                break;
            }
        }
        std::erase(members_, member);
    }

    asio::awaitable<void> pump_input() {
        auto input = InputStream::standard_input(co_await asio::this_coro::executor);
        std::vector<char> buffer(relay_input_chunk_bytes);
        CrlfTranslator crlf;
        HexDumper dump('>');
        for (;;) {
            std::size_t count = co_await read_for_recipients(*input, buffer, client_joined_,
                                                             [this] { return !members_.empty(); });
            if (count == 0) {
                break;
            }
            std::string data(buffer.data(), count);
            if (settings_.relay.crlf) {
                std::string translated;
                crlf.translate(data, translated);
                data = std::move(translated);
            }
            if (settings_.relay.hex) {
                dump_to_stderr(dump.dump(data));
            }
            SharedBytes message = make_shared_bytes(std::move(data));
            auto recipients = members_;  // a flush below may let members come and go
            for (const auto& member : recipients) {
                member->enqueue(message);
            }
            for (const auto& member : recipients) {
                if (member->queued_bytes() > input_high_water_bytes) {
                    co_await member->flush();
                }
            }
        }
        // The end of input half-closes every client, once what it was sent has gone; later
        // clients are half-closed as they arrive.
        input_ended_ = true;
        auto recipients = members_;
        for (const auto& member : recipients) {
            if (co_await member->flush()) {
                co_await member->shutdown_send();
            }
        }
    }

  private:
    const ListenSettings& settings_;
    TcpServer& server_;
    OutputTurns output_;
    std::vector<std::shared_ptr<AcceptedConnection>> members_;
    asio::steady_timer client_joined_;  // never expires; cancelled when a client joins
    bool input_ended_ = false;
};

}  // namespace

int relay_every_client(const ListenSettings& settings) {
    ServerOptions options = settings.server;
    options.threads = 1;
    EveryClient* clients = nullptr;
    TcpServer server(options,
                     [&clients](AcceptedConnection& client) { return clients->serve(client); });
    // Destroyed before the server, whose event loop its pending reads belong to.
    EveryClient every_client(settings, server);
    clients = &every_client;
    if (!settings.relay.receive_only) {
        spawn_logged(server.main_context().get_executor(), every_client.pump_input(), "input");
    }
    server.run();
    return 0;
}

}  // namespace tcpkit
