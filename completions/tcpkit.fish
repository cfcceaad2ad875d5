# fish completion for tcpkit.
#
# Installed by `cmake --install` as share/fish/vendor_completions.d/tcpkit.fish, where fish
# finds it on its own; or copy it to ~/.config/fish/completions/.
#
# The options and their descriptions are those of `tcpkit SUBCOMMAND --help`; keep them in step
# with it (tests/completions/check_bash_completion.sh does so for the bash completion).

set -l subcommands echo-server chat-server connect send listen
set -l servers echo-server chat-server listen
set -l clients connect send

# Whether the word being completed is the HOST of `tcpkit connect`, `tcpkit send` or `tcpkit
# listen` (its [HOST] PORT): the first word after the subcommand that is neither an option nor an
# option's value.
function __tcpkit_wants_host
    set -l words (commandline -opc)
    set -e words[1]
    set -l subcommand ''
    set -l skip 0
    set -l options_ended 0
    for word in $words
        if test -z "$subcommand"
            switch $word
                case connect send listen
                    set subcommand $word
                case '-*'
                case '*'
                    return 1
            end
        else if test $skip = 1
            set skip 0
        else if test $skip = 2
            set skip 0
            if test "$word" = --
                set options_ended 1
            end
        else if test $options_ended = 1
            return 1
        else
            switch $word
                case --
                    set options_ended 1
                case --connect-timeout --idle-timeout --parallel --wait --log-format --color -f --file -t --timeout -l --lines \
                    --ca-file --pin --sni --alpn --tls-min --cert --key \
                    -H --host -p --port --max-conns --max-conns-per-ip -c --sh-exec --exec-stderr --save-cert --client-ca \
                    --handshake-timeout --history-file
                    set skip 1
                case -e --exec
                    # An optional PROGRAM: the next word is it, unless it is `--`.
                    set skip 2
                case '-*'
                case '*'
                    return 1
            end
        end
    end
    # After listen's `--` come the program and its arguments, not the address.
    if test "$subcommand" = listen; and test $options_ended = 1
        return 1
    end
    test -n "$subcommand"; and test $skip = 0
end

# __tcpkit_listen_after_separator WHAT: whether the word being completed follows the `--` of
# `tcpkit listen`, and is WHAT: `program` (the first word after `--`, unless --exec named the
# program already), `argument` (the program's arguments) or `any`.
function __tcpkit_listen_after_separator -a what
    set -l words (commandline -opc)
    set -l separator (contains -i -- -- $words); or return 1
    contains -- listen $words[1..$separator]; or return 1
    set -l named 0
    set -l previous ''
    for word in $words[1..(math $separator - 1)]
        if contains -- $previous -e --exec
            set named 1
        else if string match -q -- '--exec=*' $word
            set named 1
        end
        set previous $word
    end
    set -l found argument
    if test $named = 0; and test (count $words) -eq $separator
        set found program
    end
    test "$what" = any; or test "$what" = $found
end

# File names only where a file is wanted (send --file, the TLS certificate, key and CA files).
complete -c tcpkit -f

# The command itself.
set -l none "not __fish_seen_subcommand_from $subcommands"
complete -c tcpkit -n $none -s h -l help -d 'Print this help message and exit'
complete -c tcpkit -n $none -s V -l version -d 'Display program version information and exit'
complete -c tcpkit -n $none -a echo-server -d "Echo every byte back to its sender (the tutorial's net.createServer)"
complete -c tcpkit -n $none -a chat-server -d "Run the tutorial's chat room: nicknames, a room, commands"
complete -c tcpkit -n $none -a connect -d 'Connect standard input and output to a server, like nc'
complete -c tcpkit -n $none -a send -d 'Send a message, print the reply, and exit'

# Options of every subcommand.
set -l any "__fish_seen_subcommand_from $subcommands"
complete -c tcpkit -n $any -s h -l help -d 'Print this help message and exit'
complete -c tcpkit -n $any -s 4 -d 'Use IPv4 addresses only'
complete -c tcpkit -n $any -s 6 -d 'Use IPv6 addresses only'
complete -c tcpkit -n $any -s v -l verbose -d 'Also log data and details'
complete -c tcpkit -n $any -s q -l quiet -d 'Log only warnings and errors'
complete -c tcpkit -n $any -l log-format -x -a 'text json' -d 'Log lines as plain text or one JSON object each'
complete -c tcpkit -n $any -l color -x -a 'auto always never' -d 'Colour log levels: auto (on a terminal), always, never'

# echo-server and chat-server
set -l server "__fish_seen_subcommand_from $servers"
complete -c tcpkit -n $server -s H -l host -x -a '(__fish_print_hostnames)' -d 'Address or name to listen on; every address it resolves to is used'
complete -c tcpkit -n $server -s p -l port -x -d "Port to listen on; 0 picks a free one (see the 'listening on' line)"
complete -c tcpkit -n $server -l allow -x -d 'Serve only clients from these addresses or prefixes (repeatable, or comma-separated: 10.0.0.0/8,::1)'
complete -c tcpkit -n $server -l deny -x -d 'Refuse clients from these addresses or prefixes, even if --allow lists them'
complete -c tcpkit -n $server -l tls -d 'Serve TLS (default certificate: a self-signed one made at start)'
complete -c tcpkit -n $server -l ssl -d 'Serve TLS (the same as --tls)'
complete -c tcpkit -n $server -l cert -r -F -d 'Certificate chain (PEM)'
complete -c tcpkit -n $server -l key -r -F -d 'Private key (PEM; default: the --cert file)'
complete -c tcpkit -n $server -l save-cert -x -a '(__fish_complete_directories (commandline -ct))' -d 'Write the self-signed certificate and key to DIR/cert.pem and DIR/key.pem'
complete -c tcpkit -n $server -l client-ca -r -F -d 'Require client certificates signed by these CAs (mutual TLS)'
complete -c tcpkit -n $server -l tls-min -x -a '1.2 1.3' -d 'Lowest TLS version accepted (default 1.2)'
complete -c tcpkit -n $server -l alpn -x -d 'Application protocols accepted, comma-separated (h2,http/1.1)'
complete -c tcpkit -n $server -l handshake-timeout -x -d 'Close a connection whose TLS handshake is not done in this long (default 10s)'

# echo-server
set -l echo '__fish_seen_subcommand_from echo-server'
complete -c tcpkit -n $echo -l idle-timeout -x -d 'Close a connection silent this long, e.g. 3s (default: never)'
complete -c tcpkit -n $echo -l max-conns -x -d 'Refuse connections beyond this many at once'
complete -c tcpkit -n $echo -l max-conns-per-ip -x -d 'Connections at once from one address (IPv6: one /64; default: no limit)'
complete -c tcpkit -n $echo -l threads -x -d 'I/O threads'
complete -c tcpkit -n $echo -l once -d 'Exit when the last client has gone, once one has connected'
complete -c tcpkit -n $echo -l udp -d 'Echo UDP datagrams instead of TCP streams'

# chat-server
set -l chat '__fish_seen_subcommand_from chat-server'
complete -c tcpkit -n $chat -l lang -x -a 'en\tEnglish zh\tChinese' -d 'Language of every server text: en, or zh as in the tutorial'
complete -c tcpkit -n $chat -l motd -x -d 'A message of the day, shown in the banner'
complete -c tcpkit -n $chat -l history -x -d 'Room lines replayed to a newcomer'
complete -c tcpkit -n $chat -l max-line -x -d 'Longest line in bytes; longer ones are dropped with a notice'
complete -c tcpkit -n $chat -l rate -x -d 'Lines per second a client may send on average (0: no limit)'
complete -c tcpkit -n $chat -l burst -x -d 'Lines a client may send at once (a paste)'
complete -c tcpkit -n $chat -l max-queue -x -d 'Bytes waiting for one client before it is disconnected as too slow'
complete -c tcpkit -n $chat -l max-clients -x -d "Clients at once; one more is told 'server full'"
complete -c tcpkit -n $chat -l max-conns-per-ip -x -d 'Connections at once from one address (IPv6: one /64; default: 16, none for loopback)'
complete -c tcpkit -n $chat -l nick-timeout -x -d 'Close a connection that has not chosen a nickname in this long (0: never)'
complete -c tcpkit -n $chat -l idle-timeout -x -d 'Close a connection silent in both directions this long (default: never)'
complete -c tcpkit -n $chat -l cluster -x -d 'Form one room with every chat-server using this Redis and --room'
complete -c tcpkit -n $chat -l room -x -d "The room's name in Redis, so that one Redis can carry several rooms"
complete -c tcpkit -n $chat -l cluster-timeout -x -d 'A server of the room silent this long is gone: its members are announced as left (1s to 60s)'
complete -c tcpkit -n $chat -l cluster-optional -d 'Start as a local room when Redis cannot be reached, and keep trying'

# listen (it shares -H/-p and the TLS options of the servers above)
set -l listen '__fish_seen_subcommand_from listen; and not __tcpkit_listen_after_separator any'
complete -c tcpkit -n $listen -s k -l keep-open -d 'Keep accepting: every client hears standard input, and what each sends is printed'
complete -c tcpkit -n $listen -l once -d 'With -k: exit when the last client has gone, once one has connected'
complete -c tcpkit -n $listen -l max-conns -x -d 'Clients (and programs) at once with -k; one more is refused (default 100)'
complete -c tcpkit -n $listen -l max-conns-per-ip -x -d 'Clients at once from one address with -k (IPv6: one /64; default: no limit)'
complete -c tcpkit -n $listen -l idle-timeout -x -d 'End a connection silent both ways this long (default: never; one connection: exit 1)'
complete -c tcpkit -n $listen -s e -l exec -x -a '(__fish_complete_command)' -d "Run PROGRAM for each connection, no shell; its arguments go after '--'"
complete -c tcpkit -n $listen -s c -l sh-exec -x -d 'Run COMMAND through /bin/sh -c for each connection'
complete -c tcpkit -n $listen -l exec-stderr -x -a 'server socket' -d "Where the program's standard error goes"
complete -c tcpkit -n $listen -s u -l udp -d 'UDP: print each datagram; each input line goes as a datagram to the last sender'
complete -c tcpkit -n $listen -l crlf -d 'Send line ends as CRLF (for clients that need it)'
complete -c tcpkit -n $listen -s x -l hex -d "Hex dump both directions to stderr ('>' sent, '<' received)"
complete -c tcpkit -n "__fish_seen_subcommand_from listen; and __tcpkit_wants_host" -a '(__fish_print_hostnames)'
# After `--`: the program to run, then its arguments (files).
complete -c tcpkit -n '__tcpkit_listen_after_separator program' -a '(__fish_complete_command)'
complete -c tcpkit -n '__tcpkit_listen_after_separator argument' -F

# connect and send: HOST first (then PORT, and for send the TEXT, with nothing to offer).
complete -c tcpkit -n "__fish_seen_subcommand_from $clients; and __tcpkit_wants_host" -a '(__fish_print_hostnames)'
complete -c tcpkit -n "__fish_seen_subcommand_from $clients" -l crlf -d 'Send line ends as CRLF (for servers that need it)'
complete -c tcpkit -n "__fish_seen_subcommand_from $clients" -l progress -d 'Show bytes sent and received, rates, percentage and time left on stderr, and a summary at the end'
set -l client "__fish_seen_subcommand_from $clients"
complete -c tcpkit -n $client -l tls -d 'Speak TLS; the certificate is verified'
complete -c tcpkit -n $client -l ssl -d 'Speak TLS (the same as --tls)'
complete -c tcpkit -n $client -l ca-file -r -F -d 'Trust these CAs (PEM) instead of the system store'
complete -c tcpkit -n $client -l pin -x -d 'Accept exactly the certificate with this fingerprint (sha256:HEX)'
complete -c tcpkit -n $client -l insecure -d "Do not verify the server's certificate"
complete -c tcpkit -n $client -l sni -x -a '(__fish_print_hostnames)' -d 'Send NAME as SNI and verify the certificate against it'
complete -c tcpkit -n $client -l no-sni -d 'Send no SNI'
complete -c tcpkit -n $client -l alpn -x -d 'Application protocols offered, comma-separated (h2,http/1.1)'
complete -c tcpkit -n $client -l tls-min -x -a '1.2 1.3' -d 'Lowest TLS version accepted (default 1.2)'
complete -c tcpkit -n $client -l cert -r -F -d 'Client certificate (PEM)'
complete -c tcpkit -n $client -l key -r -F -d 'Private key of --cert (PEM; default: the --cert file)'

# connect
set -l connect '__fish_seen_subcommand_from connect'
complete -c tcpkit -n $connect -l connect-timeout -x -d 'Give up connecting after this long, resolving the name and all addresses together (0: the OS decides)'
complete -c tcpkit -n $connect -l idle-timeout -x -d 'Exit with status 1 after this long without data either way (default: never)'
complete -c tcpkit -n $connect -s x -l hex -d "Hex dump both directions to stderr ('>' sent, '<' received)"
complete -c tcpkit -n $connect -s u -l udp -d 'Use UDP: each input chunk is one datagram, each datagram received is printed'
complete -c tcpkit -n $connect -s z -l zero-io -d 'Only check which ports accept a connection, sending nothing, like nc -z'
complete -c tcpkit -n $connect -l parallel -x -d 'With -z, check at most N ports at once (default 64)'
complete -c tcpkit -n $connect -l wait -x -d 'With -z, retry the ports not open yet until all are or this long has passed'

# send
set -l send '__fish_seen_subcommand_from send'
complete -c tcpkit -n $send -s f -l file -r -F -d 'Send the contents of FILE instead'
complete -c tcpkit -n $send -s n -l no-newline -d 'Do not add a newline after TEXT'
complete -c tcpkit -n $send -s t -l timeout -x -d 'Give up after this long in all, resolving and connecting included; exit status 1'
complete -c tcpkit -n $send -s l -l lines -x -d 'Exit after N lines of reply'
complete -c tcpkit -n $send -l no-shutdown -d 'Keep the sending side open after the message (for servers that close on EOF)'
complete -c tcpkit -n "__fish_seen_subcommand_from connect listen" -l recv-only -d 'Only receive: never read standard input, so that its end does not end the connection'
complete -c tcpkit -n "__fish_seen_subcommand_from listen" -l progress -d 'Show the transfer'"'"'s bytes, rates and a summary on stderr (one connection)'
# Line mode at a terminal (--color, the logging option above, also keeps the peer's colours).
set -l line_mode "__fish_seen_subcommand_from connect listen; and not __tcpkit_listen_after_separator any"
complete -c tcpkit -n $line_mode -l line -d 'Line mode: the typed line stays intact while the peer'"'"'s text prints above it (default at a terminal)'
complete -c tcpkit -n $line_mode -l raw -d 'Relay bytes as they are, even at a terminal'
complete -c tcpkit -n $line_mode -l history-file -r -F -d 'Load the line history from FILE and save it there at exit'
