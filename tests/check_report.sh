# Sourced by the shell checks in tests/: one line per check, and a closing count.
# POSIX sh, so that both sh and bash scripts can use it.

checks=0
failures=0

pass() {
    checks=$((checks + 1))
    printf 'ok   %s\n' "$1"
}

fail() {
    checks=$((checks + 1))
    failures=$((failures + 1))
    printf 'FAIL %s\n' "$1"
}

# Indents captured output under the FAIL line it explains.
show() {
    printf '%s\n' "$1" | sed 's/^/       | /'
}

# Prints the closing line and exits 0 when every check passed, 1 otherwise.
finish_checks() {
    if [ "$failures" -eq 0 ]; then
        echo "all $checks checks passed"
        exit 0
    fi
    echo "$failures of $checks checks failed"
    exit 1
}
