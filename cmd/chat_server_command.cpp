// tcpkit chat-server: the tutorial's TCP chat room. A newcomer sees how many are online and
// picks a nickname; then every line goes to everyone else as "NAME: text", and joins and leaves
// are announced. Commands, limits and the Chinese wording of the tutorial come on top.
#include <fmt/format.h>

#include <string>

#include "commands.h"
#include "tcpkit/chat/chat_server.h"
#include "tcpkit/cluster/cluster.h"
#include "tcpkit/net/signals.h"
#include "tls_options.h"

namespace tcpkit::cmd {
namespace {

struct ChatServerCommand {
    LoggingOptions logging;
    FamilyOptions family;
    ListenOptions listen;
    AccessOptions access;
    ChatOptions chat;
    TlsServerOptions tls;
    std::string language{language_code(chat.language)};  // parsed into chat.language
    std::string cluster_url;                             // parsed into cluster.redis
    ClusterSettings cluster;
};

// Checked before anything listens: a malformed URL is a usage error (2), whatever Redis does.
RoomLinkFactory make_cluster_link(const ChatServerCommand& command) {
    if (command.cluster_url.empty()) {
        return {};
    }
    if (!cluster_available()) {
        throw UsageError("--cluster is not available in this build");
    }
    ClusterSettings settings = command.cluster;
    settings.redis = parse_redis_url(command.cluster_url);
    settings.history_lines = command.chat.history;
    return cluster_link_factory(settings);
}

int run(const ChatServerCommand& command) {
    apply_logging(command.logging, true);
    raise_open_file_limit();
    ChatOptions options = command.chat;
    options.server.listen = command.listen.request(command.family);
    options.server.access = command.access.filter();
    options.language = parse_language(command.language);
    TlsServerOptions tls = command.tls;
    tls.release_idle_buffers = true;  // a room is mostly idle clients: memory comes first
    options.server.tls = make_tls_server(tls, command.listen);
    run_chat_server(options, make_cluster_link(command));
    return 0;
}

void add_cluster_options(CLI::App& sub, ChatServerCommand& command) {
    sub.add_option("--cluster", command.cluster_url,
                   "Form one room with every chat-server using this Redis and --room: "
                   "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]")
        ->check(validator_from([](const std::string& text) { parse_redis_url(text); }))
        ->type_name("URL");
    sub.add_option("--room", command.cluster.room,
                   "The room's name in Redis, so that one Redis can carry several rooms")
        ->check(validator_from([](const std::string& text) { check_room_name(text); }))
        ->type_name("NAME")
        ->capture_default_str();
    add_duration_option(sub, "--cluster-timeout", command.cluster.node_timeout,
                        "A server of the room silent this long is gone: its members are "
                        "announced as left (1s to 60s)")
        ->check(validator_from([](const std::string& text) {
            if (auto timeout = parse_duration(text);
                timeout < Milliseconds{1000} || timeout > Milliseconds{60'000}) {
                throw UsageError("--cluster-timeout is 1s to 60s");
            }
        }));
    sub.add_flag("--cluster-optional", command.cluster.optional,
                 "Start as a local room when Redis cannot be reached, and keep trying");
}

}  // namespace

void setup_chat_server(CLI::App& app, CommandRunner& selected) {
    auto command = std::make_shared<ChatServerCommand>();
    auto& chat = command->chat;
    auto* sub = app.add_subcommand("chat-server",
                                   "Run the tutorial's chat room: nicknames, a room, commands");
    add_listen_options(*sub, command->listen);
    add_family_options(*sub, command->family);
    add_access_options(*sub, command->access);
    sub->add_option("--lang", command->language,
                    "Language of every server text: en, or zh as in the tutorial")
        ->check(CLI::IsMember({"en", "zh"}))
        ->type_name("LANG")
        ->capture_default_str();
    sub->add_option("--motd", chat.motd, "A message of the day, shown in the banner")
        ->type_name("TEXT");
    sub->add_option("--history", chat.history, "Room lines replayed to a newcomer")
        ->check(CLI::Range(std::size_t{0}, std::size_t{10'000}))
        ->type_name("N")
        ->capture_default_str();
    sub->add_option("--max-line", chat.max_line_bytes,
                    "Longest line in bytes; longer ones are dropped with a notice")
        ->check(CLI::Range(std::size_t{16}, std::size_t{1 << 20}))
        ->type_name("BYTES")
        ->capture_default_str();
    sub->add_option("--rate", chat.rate_per_second,
                    "Lines per second a client may send on average (0: no limit)")
        ->check(CLI::Range(0.0, 1e6))
        ->type_name("N")
        ->capture_default_str();
    sub->add_option("--burst", chat.burst,
                    "Lines a client may send at once (a paste); a client that goes on at more than "
                    "twice --rate is disconnected after this many more lines dropped")
        ->check(CLI::Range(1.0, 1e6))
        ->type_name("N")
        ->capture_default_str();
    sub->add_option("--max-queue", chat.max_queue_bytes,
                    "Bytes waiting for one client before it is disconnected as too slow")
        ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 30))
        ->type_name("BYTES")
        ->capture_default_str();
    sub->add_option("--max-clients", chat.server.max_connections,
                    "Clients at once; one more is told 'server full'")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
        ->type_name("N")
        ->capture_default_str();
    add_per_address_option(*sub, chat.server.per_address);
    add_duration_option(
        *sub, "--nick-timeout", chat.nickname_timeout,
        "Close a connection that has not chosen a nickname in this long (0: never)");
    add_duration_option(*sub, "--idle-timeout", chat.server.idle_timeout,
                        "Close a connection silent in both directions this long (default: never)");
    add_cluster_options(*sub, *command);
    add_tls_server_options(*sub, command->tls);
    add_logging_options(*sub, command->logging);
    sub->footer(fmt::format(
        "Clients connect with 'tcpkit connect HOST PORT', nc or telnet. Joins, leaves with their "
        "reasons, renames and limits are logged to stderr; message contents only with -v. "
        "SIGINT/SIGTERM tell everyone, let queues drain (up to {}), print a summary.\n{}",
        format_duration(default_drain_timeout), exit_status_help()));
    sub->callback([command, &selected] { selected = [command] { return run(*command); }; });
}

}  // namespace tcpkit::cmd
