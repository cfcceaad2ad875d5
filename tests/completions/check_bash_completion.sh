#!/usr/bin/env bash
# Checks the bash completion for tcpkit against the binary it completes.
#
#   tests/completions/check_bash_completion.sh TCPKIT_BINARY [COMPLETION_FILE]
#
# COMPLETION_FILE defaults to completions/tcpkit.bash next to this script's tests/ directory.
# It sources the completion into this non-interactive bash (no bash-completion package needed),
# then completes command lines the way bash does on TAB: it sets COMP_WORDS, COMP_CWORD,
# COMP_LINE and COMP_POINT (splitting at `=` as COMP_WORDBREAKS does) and calls the function
# that `complete -p tcpkit` names. It checks a few lines by hand (subcommands, option values,
# files, host names), and then, for the command and every subcommand that `tcpkit --help` lists,
# that the completion offers exactly the options `tcpkit [SUBCOMMAND] --help` prints, knows
# which of them take a value, and offers exactly the allowed values of those with a fixed set
# ({text,json}), so that the two cannot drift apart.
#
# Prints one line per check. Exit status: 0 all passed, 1 a check failed, 2 bad usage.

set -u

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 TCPKIT_BINARY [COMPLETION_FILE]" >&2
    exit 2
fi
tcpkit=$1
completion=${2:-$(cd "$(dirname "$0")/../.." && pwd)/completions/tcpkit.bash}
if [[ ! -x $tcpkit ]]; then
    echo "$0: $tcpkit is not an executable" >&2
    exit 2
fi
if [[ ! -f $completion ]]; then
    echo "$0: $completion is not a file" >&2
    exit 2
fi

# shellcheck source=../check_report.sh
. "$(dirname "$0")/../check_report.sh"

# Host names come from $HOSTFILE: make them known, whatever /etc/hosts holds.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf '127.0.0.1 localhost tcpkit-test-host\n' >"$scratch/hosts"
export HOSTFILE=$scratch/hosts
mkdir "$scratch/files"
: >"$scratch/files/notes.txt"
: >"$scratch/files/numbers.csv"
: >"$scratch/files/other"

echo "checking $completion against $tcpkit (bash $BASH_VERSION)"

# shellcheck source=/dev/null
if ! source_output=$(source "$completion" 2>&1) || [[ -n $source_output ]]; then
    fail "sourcing $completion prints nothing and succeeds:"
    show "$source_output"
fi
# shellcheck source=/dev/null
source "$completion" >/dev/null 2>&1
spec=$(complete -p tcpkit 2>/dev/null)
function_name=$(printf '%s\n' "$spec" | sed -n 's/.*-F \([^ ]*\).*/\1/p')
if [[ -n $function_name ]] && declare -F "$function_name" >/dev/null; then
    pass "the completion registers a function for tcpkit ($spec)"
else
    fail "the completion registers no function for tcpkit ('complete -p tcpkit': '$spec')"
    echo "$failures of $checks checks failed"
    exit 1
fi

# complete LINE: the candidates bash would offer for LINE with the cursor at its end, sorted,
# one a line. bash splits words at blanks, and also makes `=` a word of its own; when the
# cursor is right after `=`, the word being completed is `=` and the text to complete is empty.
complete_line() {
    local line=$1 spaced
    spaced=${line//=/ = }
    local -a words
    read -r -a words <<<"$spaced"
    if [[ $line == *[[:blank:]] ]]; then
        words+=("")
    fi
    COMP_WORDS=("${words[@]}")
    COMP_CWORD=$((${#words[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    local cur=${words[COMP_CWORD]} prev=${words[COMP_CWORD - 1]}
    if [[ $cur == "=" ]]; then
        cur=""
    fi
    COMPREPLY=()
    "$function_name" tcpkit "$cur" "$prev"
    if ((${#COMPREPLY[@]})); then
        printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort -u
    fi
}

# words LIST: LIST (whitespace-separated) sorted, one a line.
words() {
    if [[ -n ${1//[[:space:]]/} ]]; then
        # shellcheck disable=SC2086  # split LIST into its words
        printf '%s\n' $1 | LC_ALL=C sort -u
    fi
}

# one_line TEXT: TEXT's lines joined by spaces.
one_line() {
    printf '%s' "$1" | paste -s -d ' ' -
}

# expect_exactly LINE EXPECTED...: LINE completes to exactly the EXPECTED words.
expect_exactly() {
    local line=$1 got expected
    shift
    got=$(complete_line "$line")
    expected=$(words "$*")
    if [[ $got == "$expected" ]]; then
        pass "'$line' completes to exactly: ${*:-(nothing)}"
    else
        fail "'$line' should complete to exactly '${*:-(nothing)}', not '$(one_line "$got")'"
    fi
}

# expect_including LINE EXPECTED...: LINE offers at least the EXPECTED words.
expect_including() {
    local line=$1 got word missing=""
    shift
    got=$(complete_line "$line")
    for word in "$@"; do
        if ! grep -F -x -q -e "$word" <<<"$got"; then
            missing="$missing $word"
        fi
    done
    if [[ -z $missing ]]; then
        pass "'$line' offers $*"
    else
        fail "'$line' does not offer$missing (offers '$(one_line "$got")')"
    fi
}

# --- By hand: what the completion is for. ---------------------------------------------------

expect_exactly "tcpkit ch" chat-server
expect_exactly "tcpkit e" echo-server
expect_exactly "tcpkit se" send
expect_exactly "tcpkit -" -h --help -V --version
expect_exactly "tcpkit nonsense --" # an unknown subcommand has no options
expect_including "tcpkit connect --" --connect-timeout --idle-timeout --crlf --hex --udp \
    --help --verbose --quiet --log-format --color
expect_including "tcpkit connect -" -4 -6 -x -u -v -q -h --hex
expect_exactly "tcpkit connect --c" --ca-file --cert --color --connect-timeout --crlf
expect_exactly "tcpkit connect --tls --tls-min " 1.2 1.3
expect_exactly "tcpkit echo-server --tls --tls-min=1" 1.2 1.3
expect_exactly "tcpkit connect --tls --sni tcpkit-te" tcpkit-test-host
expect_exactly "tcpkit connect --tls --pin sha256:00 tcpkit-te" tcpkit-test-host
expect_exactly "tcpkit echo-server --log-format " json text
expect_exactly "tcpkit echo-server --log-format j" json
expect_exactly "tcpkit echo-server --log-format=" json text
expect_exactly "tcpkit echo-server --log-format=t" text
expect_exactly "tcpkit chat-server --lang " en zh
expect_exactly "tcpkit chat-server --lang=z" zh
expect_exactly "tcpkit send --color " always auto never
expect_exactly "tcpkit connect -v --color=n" never
expect_exactly "tcpkit echo-server --port " # a port: nothing to offer
expect_exactly "tcpkit echo-server -p 8080 --idle-timeout " # a duration: nothing to offer
expect_including "tcpkit echo-server --port 8080 " --help --once --udp --threads
expect_exactly "tcpkit echo-server --host tcpkit-te" tcpkit-test-host
expect_exactly "tcpkit chat-server -H=tcpkit-te" tcpkit-test-host

# Hosts for the first positional argument of connect and send, and nothing for the others.
expect_exactly "tcpkit connect tcpkit-te" tcpkit-test-host
expect_exactly "tcpkit connect tcpkit-test-host " # PORT
expect_exactly "tcpkit connect tcpkit-test-host 8080 "
expect_exactly "tcpkit connect --connect-timeout 5s -x tcpkit-te" tcpkit-test-host
expect_exactly "tcpkit connect --log-format=json tcpkit-te" tcpkit-test-host
expect_exactly "tcpkit send tcpkit-te" tcpkit-test-host
expect_exactly "tcpkit send -t 5s -l 1 tcpkit-test-host 80 " # TEXT
expect_exactly "tcpkit send tcpkit-test-host 80 hello " # TEXT
expect_exactly "tcpkit send -- tcpkit-te" tcpkit-test-host
expect_exactly "tcpkit send -- -x 80 --" # after --, no options

# listen: [HOST] PORT, the --exec program and, after `--`, its arguments.
expect_exactly "tcpkit li" listen
expect_exactly "tcpkit listen tcpkit-te" tcpkit-test-host
expect_exactly "tcpkit listen -k tcpkit-test-host 9000 "
expect_exactly "tcpkit listen -p 9000 --exec-stderr " server socket
expect_exactly "tcpkit listen --exec-stderr=s" server socket
expect_including "tcpkit listen -k 9000 --exec ech" echo
expect_including "tcpkit listen -k 9000 --exec=ech" echo
expect_including "tcpkit listen -k 9000 -e --" --exec-stderr --keep-open
expect_including "tcpkit listen -k 9000 --exec -- ech" echo
expect_exactly "tcpkit listen --exec -- tcpkit-te" # a command, not a host
expect_exactly "tcpkit listen 9000 --exec -- echo --" # the program's arguments: no options

# Files for send -f/--file.
cd "$scratch/files" || exit 2
expect_exactly "tcpkit send -f n" notes.txt numbers.csv
expect_exactly "tcpkit send --file no" notes.txt
expect_exactly "tcpkit send --file=nu" numbers.csv
expect_exactly "tcpkit send localhost 80 -f o" other
expect_exactly "tcpkit connect --tls --ca-file n" notes.txt numbers.csv
expect_exactly "tcpkit send --tls --cert=no" notes.txt
expect_exactly "tcpkit send --tls --cert notes.txt --key nu" numbers.csv
expect_exactly "tcpkit echo-server --tls --cert o" other
expect_exactly "tcpkit chat-server --tls --client-ca nu" numbers.csv
mkdir "$scratch/files/certs"
expect_exactly "tcpkit echo-server --tls --save-cert " certs
expect_exactly "tcpkit chat-server --tls --save-cert=c" certs
expect_exactly "tcpkit listen 9000 --exec grep -- n" notes.txt numbers.csv
expect_exactly "tcpkit listen 9000 --exec -- grep n" notes.txt numbers.csv
expect_exactly "tcpkit listen --tls --cert o" other
cd - >/dev/null || exit 2

# --- Against --help: every option, whether it takes a value, and its allowed values. --------

# The subcommands, as `tcpkit --help` lists them under "Subcommands:".
if ! top_help=$("$tcpkit" --help 2>&1); then
    fail "'$tcpkit --help' failed:"
    show "$top_help"
    echo "$failures of $checks checks failed"
    exit 1
fi
subcommands=$(printf '%s\n' "$top_help" |
    awk '/^Subcommands:/ { listing = 1; next }
         listing && /^[^ ]/ { listing = 0 }
         listing && /^  [a-z]/ { print $1 }')
if [[ -z $subcommands ]]; then
    fail "'tcpkit --help' lists no subcommands (has its format changed?)"
fi
# shellcheck disable=SC2086  # one subcommand a word
expect_exactly "tcpkit " $subcommands

# check_against_help SUBCOMMAND (empty for the command itself)
check_against_help() {
    local sub=$1 help_command="tcpkit${1:+ $1} --help" help prefix="tcpkit${1:+ $1}"
    # shellcheck disable=SC2086  # $sub is empty or one word
    if ! help=$("$tcpkit" $sub --help 2>&1); then
        fail "'$help_command' failed:"
        show "$help"
        return
    fi

    # The option lines of the "Options:" section and of the groups after it ("TLS:"):
    # `  -p,--port PORT=8080  Port to ...`. The first word holds the names; a second word that
    # is a METAVAR, upper-case (`PORT=8080`, `N:UINT`, `FORMAT:{text,json}=text`, with an optional
    # part in brackets: `ADDR[/PREFIX]`), a lower-case prefix before one (`sha256:HEX`) or an
    # optional one (`[PROGRAM]`), means the option takes a value.
    local table
    table=$(printf '%s\n' "$help" |
        awk '/^[A-Za-z][A-Za-z0-9 ]*:$/ { listing = ($0 != "Positionals:" && $0 != "Subcommands:"); next }
             listing && /^[^ ]/ { listing = 0 }
             listing && /^  -/ {
                 value = ($2 ~ /^[A-Z][A-Z_]*(\[[\/A-Z_]*\])?([=:]|$)/ || $2 ~ /^[a-z][a-z0-9]*:[A-Z][A-Z_]*(=|$)/ ||
                          $2 ~ /^\[[A-Z][A-Z_]*\]$/) ? $2 : "-"
                 n = split($1, names, ",")
                 for (i = 1; i <= n; i++) print names[i], value
             }')
    if [[ -z $table ]]; then
        fail "'$help_command': found no options (has its format changed?)"
        return
    fi
    local has_positionals=0
    if grep -q '^Positionals:' <<<"$help"; then
        has_positionals=1
    fi

    # Exactly the same options, both ways.
    local help_options offered missing extra
    help_options=$(awk '{ print $1 }' <<<"$table" | LC_ALL=C sort -u)
    offered=$(complete_line "$prefix -")
    missing=$(LC_ALL=C comm -23 <(printf '%s\n' "$help_options") <(printf '%s\n' "$offered"))
    extra=$(LC_ALL=C comm -13 <(printf '%s\n' "$help_options") <(printf '%s\n' "$offered"))
    if [[ -z $missing ]]; then
        pass "'$prefix -' offers all $(wc -l <<<"$help_options") options of '$help_command'"
    else
        fail "'$prefix -' does not offer these options of '$help_command': $(one_line "$missing")"
    fi
    if [[ -z $extra ]]; then
        pass "'$prefix -' offers no option that '$help_command' does not list"
    else
        fail "'$prefix -' offers options that '$help_command' does not list: $(one_line "$extra")"
    fi
    if [[ -z $sub ]]; then
        return # the command itself has no options with values
    fi

    # Whether each option takes a value, and the allowed values.
    local option metavar choices got wrong_kind=""
    while read -r option metavar; do
        if [[ $metavar == *"{"*"}"* ]]; then
            choices=${metavar#*\{}
            choices=${choices%%\}*}
            choices=${choices//,/ }
            # shellcheck disable=SC2086  # the allowed values, one a word
            expect_exactly "$prefix $option " $choices
        elif [[ $metavar != - ]]; then
            if ((has_positionals)); then
                # A value is skipped: the word after it is the first positional, a host.
                got=$(complete_line "$prefix $option x tcpkit-te")
            else
                got=$(complete_line "$prefix $option ")
                grep -q -e '^-' <<<"$got" && got="" || got="tcpkit-test-host"
            fi
            [[ $got == tcpkit-test-host ]] || wrong_kind="$wrong_kind $option(takes $metavar)"
        else
            if ((has_positionals)); then
                # A flag is no value: the word after it is the first positional, a host.
                got=$(complete_line "$prefix $option tcpkit-te")
            else
                got=$(complete_line "$prefix $option ")
                grep -q -e '^--help$' <<<"$got" && got="tcpkit-test-host"
            fi
            [[ $got == tcpkit-test-host ]] || wrong_kind="$wrong_kind $option(a flag)"
        fi
    done <<<"$table"
    if [[ -z $wrong_kind ]]; then
        pass "'$prefix': knows which options take a value, as '$help_command' shows"
    else
        fail "'$prefix': mistakes whether these take a value:$wrong_kind"
    fi
}

check_against_help ""
for subcommand in $subcommands; do
    check_against_help "$subcommand"
done

finish_checks
