#!/bin/sh
# Checks the hand-written manual pages against the binary they document.
#
#   tests/man/check_man_pages.sh TCPKIT_BINARY MAN_DIR
#
# For tcpkit.1 and for the page of every subcommand that `tcpkit --help` lists
# (tcpkit-SUBCOMMAND.1), it checks that the page
#   - renders without a single warning (groff -ww -man -z, for the default device and
#     for -Tutf8 as man(1) uses it; `mandoc -T lint -W warning` when groff is missing),
#   - mentions every long option (--something) that `tcpkit [SUBCOMMAND] --help` prints,
#   - mentions every short option (-x) that it prints,
#   - lists in its EXIT STATUS section (as `.TP` tags: `.B 130`) exactly the statuses of the
#     "Exit status: 0 success, 1 ..." line that it prints, no more and no fewer,
# and that tcpkit.1 mentions every subcommand. Roff source writes `--port` as `\-\-port`,
# so `\-` is read as `-` (and `\&`, `\%` are dropped) before matching; comment lines do not count.
#
# Prints one line per check. Exit status: 0 all passed, 1 a check failed, 2 bad usage.
# TCPKIT_MAN_LINTER=groff|mandoc picks the renderer instead of looking for one.

set -u

if [ "$#" -ne 2 ]; then
    echo "usage: $0 TCPKIT_BINARY MAN_DIR" >&2
    exit 2
fi
tcpkit=$1
man_dir=$2
if [ ! -x "$tcpkit" ]; then
    echo "$0: $tcpkit is not an executable" >&2
    exit 2
fi
if [ ! -d "$man_dir" ]; then
    echo "$0: $man_dir is not a directory" >&2
    exit 2
fi

linter=${TCPKIT_MAN_LINTER:-}
if [ -z "$linter" ]; then
    if command -v groff >/dev/null 2>&1; then
        linter=groff
    elif command -v mandoc >/dev/null 2>&1; then
        linter=mandoc
    else
        echo "$0: neither groff nor mandoc is installed; cannot check the pages" >&2
        exit 2
    fi
fi
case $linter in
    groff | mandoc) ;;
    *)
        echo "$0: TCPKIT_MAN_LINTER must be groff or mandoc, not '$linter'" >&2
        exit 2
        ;;
esac

# shellcheck source=../check_report.sh
. "$(dirname "$0")/../check_report.sh"

# The roff source as plain words: no comments, `\-` as `-`, no `\&` or `\%`.
normalised_page() {
    sed -e '/^[.'"'"'][[:space:]]*\\"/d' \
        -e 's/\\".*$//' \
        -e 's/\\-/-/g' \
        -e 's/\\[&%]//g' \
        "$1"
}

# Whether the normalised page ($1) has `word` ($2) with no option character either side.
page_mentions() {
    printf '%s\n' "$1" | grep -E -q -e "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|$)"
}

# check_render PAGE_FILE PAGE_NAME
check_render() {
    if [ "$linter" = groff ]; then
        # The default device (ps) and the terminal device man(1) uses can warn differently.
        for device in "" -Tutf8; do
            command_text="groff -ww -man -z${device:+ $device}"
            # shellcheck disable=SC2086  # $device is empty or one word
            output=$(LC_ALL=C groff -ww -man -z $device "$1" 2>&1)
            status=$?
            if [ "$status" -eq 0 ] && [ -z "$output" ]; then
                pass "$2: renders without warnings ($command_text)"
            else
                fail "$2: warnings from $command_text (status $status):"
                show "$output"
            fi
        done
    else
        output=$(mandoc -T lint -W warning "$1" 2>&1)
        status=$?
        if [ "$status" -eq 0 ] && [ -z "$output" ]; then
            pass "$2: renders without warnings (mandoc -T lint -W warning)"
        else
            fail "$2: warnings from mandoc -T lint -W warning (status $status):"
            show "$output"
        fi
    fi
}

# check_options KIND PAGE_NAME PAGE_TEXT HELP_COMMAND OPTIONS
check_options() {
    missing=""
    count=0
    for option in $5; do
        count=$((count + 1))
        if ! page_mentions "$3" "$option"; then
            missing="$missing $option"
            fail "$2: $1 option $option (from '$4') is not documented"
        fi
    done
    if [ "$count" -eq 0 ]; then
        fail "$2: found no $1 options in '$4' (has its format changed?)"
    elif [ -z "$missing" ]; then
        pass "$2: documents all $count $1 options of '$4'"
    fi
}

# The statuses of the "Exit status: 0 success, 1 network failure (...), 2 usage error." line
# of a --help ($1), one a line, sorted: the numbers that start the line's comma-separated items.
help_statuses() {
    printf '%s\n' "$1" | grep -E -e '^Exit status:' |
        grep -E -o -e '(:|,) [0-9]+ ' | tr -d ':, ' | sort -n -u
}

# The statuses the EXIT STATUS section of a roff page ($1) lists as `.TP` tags, sorted.
page_statuses() {
    awk '/^\.SH/ { in_section = ($0 ~ /^\.SH[[:space:]]+"?EXIT STATUS"?[[:space:]]*$/); next }
         in_section && tag { tag = 0; if ($1 ~ /^\.[BI]R?$/ && $2 ~ /^[0-9]+$/) print $2; next }
         in_section && /^\.TP/ { tag = 1 }' "$1" | sort -n -u
}

# check_exit_statuses PAGE_NAME PAGE_FILE HELP_COMMAND HELP_TEXT
check_exit_statuses() {
    from_help=$(help_statuses "$4")
    from_page=$(page_statuses "$2")
    if [ -z "$from_help" ]; then
        fail "$1: found no exit statuses in '$3' (has its format changed?)"
        return
    fi
    wrong=""
    for status in $from_help; do
        if ! printf '%s\n' "$from_page" | grep -q -x -e "$status"; then
            wrong="$wrong $status"
            fail "$1: exit status $status (from '$3') is not in its EXIT STATUS section"
        fi
    done
    for status in $from_page; do
        if ! printf '%s\n' "$from_help" | grep -q -x -e "$status"; then
            wrong="$wrong $status"
            fail "$1: EXIT STATUS lists $status, which '$3' does not"
        fi
    done
    if [ -z "$wrong" ]; then
        pass "$1: EXIT STATUS lists the statuses of '$3' ($(printf '%s\n' "$from_help" | paste -s -d ' ' -))"
    fi
}

# check_page SUBCOMMAND (empty for the top-level page)
check_page() {
    if [ -n "$1" ]; then
        name="tcpkit-$1.1"
        help_command="tcpkit $1 --help"
    else
        name="tcpkit.1"
        help_command="tcpkit --help"
    fi
    file="$man_dir/$name"
    if [ ! -f "$file" ]; then
        fail "$name: missing (no $file for '$help_command')"
        return
    fi
    pass "$name: exists"

    check_render "$file" "$name"

    # shellcheck disable=SC2086  # $1 is empty for the top-level help, one word otherwise
    if ! help=$("$tcpkit" $1 --help 2>&1); then
        fail "$name: '$help_command' failed:"
        show "$help"
        return
    fi
    text=$(normalised_page "$file")

    long_options=$(printf '%s\n' "$help" | grep -E -o -e '--[A-Za-z0-9][A-Za-z0-9-]*' | sort -u)
    check_options long "$name" "$text" "$help_command" "$long_options"

    # Short options stand alone between spaces or commas: `-p,--port`, `-4 Excludes: -6`.
    short_options=$(printf '%s\n' "$help" |
        awk '{ n = split($0, words, /[ ,]/)
               for (i = 1; i <= n; i++) if (words[i] ~ /^-[A-Za-z0-9]$/) print words[i] }' | sort -u)
    check_options short "$name" "$text" "$help_command" "$short_options"

    check_exit_statuses "$name" "$file" "$help_command" "$help"

    if [ -z "$1" ]; then
        missing=""
        for subcommand in $subcommands; do
            if ! page_mentions "$text" "$subcommand"; then
                missing="$missing $subcommand"
                fail "$name: subcommand $subcommand (from '$help_command') is not described"
            fi
        done
        if [ -z "$missing" ]; then
            pass "$name: describes every subcommand of '$help_command' ($subcommand_list)"
        fi
    fi
}

# The subcommands, as `tcpkit --help` lists them under "Subcommands:".
if ! top_help=$("$tcpkit" --help 2>&1); then
    echo "$0: '$tcpkit --help' failed:" >&2
    printf '%s\n' "$top_help" >&2
    exit 1
fi
subcommands=$(printf '%s\n' "$top_help" |
    awk '/^Subcommands:/ { listing = 1; next }
         listing && /^[^ ]/ { listing = 0 }
         listing && /^  [a-z]/ { print $1 }')
subcommand_list=$(printf '%s\n' "$subcommands" | paste -s -d ' ' -)
if [ -z "$subcommands" ]; then
    fail "tcpkit --help: lists no subcommands (has its format changed?)"
fi

echo "checking the manual pages in $man_dir against $tcpkit (renderer: $linter)"
check_page ""
for subcommand in $subcommands; do
    check_page "$subcommand"
done

finish_checks
