# bash completion for tcpkit                                   -*- shell-script -*-
#
# Installed by `cmake --install` as share/bash-completion/completions/tcpkit, where the
# bash-completion package loads it on demand; or `source` it from ~/.bashrc. It needs bash 4
# and nothing else (not the bash-completion package's helpers).
#
# The option lists mirror `tcpkit SUBCOMMAND --help`; tests/completions/check_bash_completion.sh
# fails when they drift apart, so add an option here when you add one there.

_tcpkit_subcommands="echo-server chat-server connect send listen"

# The TLS options, the same for both servers and for both clients.
_tcpkit_server_tls_flags="--tls --ssl"
_tcpkit_server_tls_valued="--cert --key --save-cert --client-ca --tls-min --alpn --handshake-timeout"
_tcpkit_client_tls_flags="--tls --ssl --insecure --no-sni"
# Which clients a server serves (addresses or prefixes: nothing to complete).
_tcpkit_server_access_valued="--allow --deny --max-conns-per-ip"
_tcpkit_client_tls_valued="--ca-file --pin --sni --alpn --tls-min --cert --key"
# Line mode at a terminal, the same for connect and listen (--color is the logging one).
_tcpkit_line_mode_flags="--line --raw"
_tcpkit_line_mode_valued="--history-file"

# _tcpkit_options SUBCOMMAND: sets `flags` (options without a value) and `valued` (options
# that take one) for SUBCOMMAND, or for the command itself when SUBCOMMAND is empty.
_tcpkit_options() {
    case $1 in
        "")
            flags="-h --help -V --version"
            valued=""
            ;;
        echo-server)
            flags="-h --help -4 -6 --once --udp -v --verbose -q --quiet $_tcpkit_server_tls_flags"
            valued="-H --host -p --port --idle-timeout --max-conns --threads --log-format --color
                    $_tcpkit_server_access_valued $_tcpkit_server_tls_valued"
            ;;
        chat-server)
            flags="-h --help -4 -6 -v --verbose -q --quiet --cluster-optional $_tcpkit_server_tls_flags"
            valued="-H --host -p --port --lang --motd --history --max-line --rate --burst --max-queue
                    --max-clients --nick-timeout --idle-timeout --cluster --room --cluster-timeout
                    --log-format --color
                    $_tcpkit_server_access_valued $_tcpkit_server_tls_valued"
            ;;
        connect)
            flags="-h --help -4 -6 --crlf -x --hex -u --udp -z --zero-io -v --verbose -q --quiet
                   --progress --recv-only $_tcpkit_line_mode_flags $_tcpkit_client_tls_flags"
            valued="--connect-timeout --idle-timeout --parallel --wait --log-format --color
                    $_tcpkit_line_mode_valued $_tcpkit_client_tls_valued"
            ;;
        listen)
            flags="-h --help -4 -6 -k --keep-open --once -u --udp --crlf -x --hex -v --verbose
                   -q --quiet --recv-only --progress $_tcpkit_line_mode_flags $_tcpkit_server_tls_flags"
            # -e/--exec takes an optional PROGRAM: counted as valued, but never swallows `--`.
            valued="-H --host -p --port --max-conns --idle-timeout -e --exec -c --sh-exec
                    --exec-stderr --log-format --color $_tcpkit_server_access_valued
                    $_tcpkit_line_mode_valued $_tcpkit_server_tls_valued"
            ;;
        send)
            flags="-h --help -n --no-newline --no-shutdown --crlf -4 -6 -v --verbose -q --quiet
                   --progress $_tcpkit_client_tls_flags"
            valued="-f --file -t --timeout -l --lines --log-format --color $_tcpkit_client_tls_valued"
            ;;
        *)
            flags=""
            valued=""
            return 1
            ;;
    esac
    return 0
}

# _tcpkit_word_in WORD LIST: whether WORD is one of the whitespace-separated words of LIST.
_tcpkit_word_in() {
    local list=" ${2//[[:space:]]/ } "
    [[ $list == *" $1 "* ]]
}

# _tcpkit_reply WORDS CUR: the WORDS that start with CUR.
_tcpkit_reply() {
    local IFS=$' \t\n'
    # shellcheck disable=SC2207  # compgen prints one word a line, none with blanks
    COMPREPLY=($(compgen -W "$1" -- "$2"))
}

# _tcpkit_hosts CUR: the host names (from $HOSTFILE or /etc/hosts) that start with CUR.
_tcpkit_hosts() {
    local IFS=$'\n'
    # shellcheck disable=SC2207  # one name a line; IFS is a newline
    COMPREPLY=($(compgen -A hostname -- "$1"))
}

# _tcpkit_files CUR: the file names that start with CUR.
_tcpkit_files() {
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
    # shellcheck disable=SC2207  # one file name a line; IFS is a newline
    COMPREPLY=($(compgen -f -- "$1"))
}

# _tcpkit_commands CUR: the commands (programs on PATH, builtins, functions) that start with CUR.
_tcpkit_commands() {
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
    # shellcheck disable=SC2207  # one command a line; IFS is a newline
    COMPREPLY=($(compgen -c -- "$1"))
}

# Called by bash as `_tcpkit COMMAND CUR PREV` with COMP_WORDS and COMP_CWORD set. bash splits
# `--color=al` into `--color`, `=`, `al` (COMP_WORDBREAKS), and passes as CUR only what is
# before the cursor.
_tcpkit() {
    local cword=$COMP_CWORD
    local cur=${2-${COMP_WORDS[cword]}}
    local word=${COMP_WORDS[cword]} before=${COMP_WORDS[cword - 1]:-}
    COMPREPLY=()

    # The option whose value is being completed, if any: `--opt VALUE`, `--opt=VALUE`, `--opt=`.
    local option=""
    if [[ $word == "=" && $before == -* ]]; then
        option=$before
        cur=""
    elif [[ $before == "=" && $cword -ge 2 && ${COMP_WORDS[cword - 2]} == -* ]]; then
        option=${COMP_WORDS[cword - 2]}
    elif [[ $before == -* ]]; then
        option=$before
    fi

    # The subcommand: the first word after `tcpkit` that is not an option.
    local subcommand="" i
    for ((i = 1; i < cword; i++)); do
        if [[ ${COMP_WORDS[i]} != -* ]]; then
            subcommand=${COMP_WORDS[i]}
            break
        fi
    done
    local flags valued
    _tcpkit_options "$subcommand" || return 0

    if [[ -z $subcommand ]]; then
        if [[ $cur == -* ]]; then
            _tcpkit_reply "$flags" "$cur"
        else
            _tcpkit_reply "$_tcpkit_subcommands" "$cur"
        fi
        return 0
    fi

    # --exec's PROGRAM is optional (`--exec -- PROGRAM`): an option there is an option.
    if [[ ($option == -e || $option == --exec) && $cur == -* ]]; then
        option=""
    fi
    if [[ -n $option ]] && _tcpkit_word_in "$option" "$valued"; then
        case $option in
            --log-format) _tcpkit_reply "text json" "$cur" ;;
            --color) _tcpkit_reply "auto always never" "$cur" ;;
            --lang) _tcpkit_reply "en zh" "$cur" ;;
            --tls-min) _tcpkit_reply "1.2 1.3" "$cur" ;;
            --exec-stderr) _tcpkit_reply "server socket" "$cur" ;;
            -e | --exec) _tcpkit_commands "$cur" ;;
            -H | --host | --sni) _tcpkit_hosts "$cur" ;;
            -f | --file | --ca-file | --cert | --key | --client-ca | --history-file) _tcpkit_files "$cur" ;;
            --save-cert)
                compopt -o filenames 2>/dev/null
                local IFS=$'\n'
                # shellcheck disable=SC2207  # one directory name a line; IFS is a newline
                COMPREPLY=($(compgen -d -- "$cur"))
                ;;
        esac
        # Any other value (a port, a duration, a number, a text) has nothing to offer.
        return 0
    fi

    # Count the positional arguments before the cursor, skipping option values. For listen,
    # the words after `--` are the --exec program and its arguments (`after_separator`), and
    # whether --exec named its PROGRAM itself decides what the first of them is.
    local positionals=0 options_ended=0 after_separator=0 exec_named=0 w
    for ((i = i + 1; i < cword; i++)); do
        w=${COMP_WORDS[i]}
        if ((options_ended)); then
            ((positionals++))
            ((after_separator++))
        elif [[ $w == -- ]]; then
            options_ended=1
        elif [[ $w == "=" ]]; then
            [[ ${COMP_WORDS[i - 1]} == --exec ]] && exec_named=1
            ((i++)) # the value of `--opt=value`
        elif [[ $w == -* ]]; then
            if [[ $w == -e || $w == --exec ]] && [[ ${COMP_WORDS[i + 1]:-} == -- ]]; then
                continue # --exec -- PROGRAM ARGS...: no value of its own
            fi
            if _tcpkit_word_in "$w" "$valued" && [[ ${COMP_WORDS[i + 1]:-} != "=" ]]; then
                [[ $w == -e || $w == --exec ]] && exec_named=1
                ((i++)) # the value of `--opt value`
            fi
        else
            ((positionals++))
        fi
    done

    if [[ $subcommand == listen ]] && ((options_ended)); then
        # After `--`: the program to run (unless --exec named it), then its arguments, files.
        if ((after_separator == 0 && !exec_named)); then
            _tcpkit_commands "$cur"
        else
            _tcpkit_files "$cur"
        fi
        return 0
    fi

    if [[ $cur == -* ]] && ! ((options_ended)); then
        _tcpkit_reply "$flags $valued" "$cur"
        return 0
    fi

    case $subcommand in
        connect | send | listen)
            # HOST, then PORT, then (send) the TEXT to send: only HOST has candidates. listen's
            # first positional may be the PORT alone ([HOST] PORT); hosts are offered all the same.
            if ((positionals == 0)); then
                _tcpkit_hosts "$cur"
            fi
            ;;
        *)
            # The servers take no positional arguments: offer their options.
            ((options_ended)) || _tcpkit_reply "$flags $valued" "$cur"
            ;;
    esac
    return 0
}

complete -F _tcpkit tcpkit
