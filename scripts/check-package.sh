#!/usr/bin/env bash
# Builds the Debian package and checks it the way a user meets it:
#   - `make package` (build/package/tcpkit_<version>_<arch>.deb) and its Depends (dpkg-shlibdeps),
#   - lintian: errors (E:) fail the check, warnings are printed,
#   - apt-get install of the .deb, then the installed /usr/bin/tcpkit: --version, `man -w`, the
#     shell completions, and an echo round trip on loopback (echo-server --port 0, then send),
#     and one over TLS (echo-server --tls with its own certificate, then send --tls --pin),
#   - apt-get remove, after which none of its files is left,
#   - `make dist` (the tarball and its checksum) and `ruby -c` of the Homebrew formula.
#
# Needs root or sudo: it installs the package system-wide and removes it again (also when a check
# fails), and installs with apt-get what it needs and is missing: dpkg-dev and file (through
# `make package`), lintian, man-db, ruby. It refuses to run when tcpkit is already installed.
# Loopback only; every step is bounded in time. Exit status 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
start_seconds=$SECONDS
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/tcpkit-check-package.XXXXXX")
server_pid=""
installed_by_us=false

say() { printf 'check-package: %s\n' "$*"; }
fail() {
    printf 'check-package: FAIL: %s\n' "$*" >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo DEBIAN_FRONTEND=noninteractive "$@"
    else
        fail "need root (or sudo) to run: $*"
    fi
}

cleanup() {
    local status=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$installed_by_us" = true ]; then
        say "removing the tcpkit package installed by this check"
        as_root timeout 300 apt-get remove -y -qq tcpkit </dev/null >/dev/null 2>&1 ||
            as_root dpkg -r tcpkit >/dev/null 2>&1 || true
    fi
    rm -rf "$work_dir"
    say "took $((SECONDS - start_seconds))s"
    exit "$status"
}
trap cleanup EXIT

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Installs the packages given that are missing; `apt-get update` first only when one is not found.
apt_install() {
    local missing=() package
    for package in "$@"; do
        is_installed "$package" || missing+=("$package")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    say "installing ${missing[*]}"
    if ! as_root timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        </dev/null >"$work_dir/apt.log" 2>&1; then
        as_root timeout 600 apt-get update -qq </dev/null >"$work_dir/apt.log" 2>&1 ||
            { cat "$work_dir/apt.log" >&2; fail "apt-get update failed"; }
        as_root timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" \
            </dev/null >"$work_dir/apt.log" 2>&1 ||
            { cat "$work_dir/apt.log" >&2; fail "could not install ${missing[*]}"; }
    fi
}

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    fail "this check is for Debian and Ubuntu (apt and dpkg)"
fi
if is_installed tcpkit; then
    fail "tcpkit is installed already; this check installs and removes it: apt-get remove tcpkit first"
fi
[ -e /usr/bin/tcpkit ] && fail "/usr/bin/tcpkit exists and belongs to no package; move it away first"

version=$(sed -n 's/^project(tcpkit VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt)
[ -n "$version" ] || fail "no project(tcpkit VERSION ...) in CMakeLists.txt"
deb="build/package/tcpkit_${version}_$(dpkg --print-architecture).deb"

# --- The package ----------------------------------------------------------------------------
say "make package (tcpkit $version)"
timeout 1800 make package </dev/null
[ -f "$deb" ] || fail "make package did not make $deb"
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb" >"$work_dir/contents"

depends=$(dpkg-deb --field "$deb" Depends)
say "Depends: $depends"
depends_names=$(sed 's/ *([^)]*)//g; s/ *[,|] */\n/g' <<<"$depends")
for library in libc6 libstdc++6 libgcc-s1 libfmt9 libssl3; do
    grep -Fqx "$library" <<<"$depends_names" || fail "Depends lacks $library: $depends"
done
for path in ./usr/bin/tcpkit ./usr/share/man/man1/tcpkit.1.gz ./usr/share/doc/tcpkit/copyright \
    ./usr/share/doc/tcpkit/changelog.gz; do
    grep -q " $path\$" "$work_dir/contents" || fail "$path is not in the package"
done
if grep -q '\.1$' "$work_dir/contents"; then
    fail "the package has man pages that are not gzipped"
fi
completions=$(sed -n 's|.* \./\(usr/share/.*completion.*/[^/][^/]*\)$|/\1|p' "$work_dir/contents")
if [ -n "$completions" ]; then
    say "completions in the package: $(tr '\n' ' ' <<<"$completions")"
else
    say "note: the package has no shell completions"
fi

# lintian: errors fail the check, everything else is shown.
apt_install lintian
say "lintian $deb"
lintian_status=0
timeout 600 lintian --display-info "$deb" >"$work_dir/lintian" 2>&1 || lintian_status=$?
grep -v 'running with root privileges is not recommended' "$work_dir/lintian" || true
if grep -q '^E: ' "$work_dir/lintian" || [ "$lintian_status" -ne 0 ]; then
    fail "lintian found errors (exit status $lintian_status)"
fi
say "lintian: no errors ($(grep -c '^W: ' "$work_dir/lintian" || true) warnings)"

# --- Installed ------------------------------------------------------------------------------
# man-db gives `man -w`; minimal images may lack it.
is_installed man-db || say "note: man-db is missing, installing it to check the man pages"
apt_install man-db

say "apt-get install ./$deb"
installed_by_us=true
as_root timeout 600 apt-get install -y -qq --no-install-recommends "./$deb" </dev/null \
    >"$work_dir/apt.log" 2>&1 || { cat "$work_dir/apt.log" >&2; fail "could not install $deb"; }
is_installed tcpkit || fail "tcpkit is not installed after apt-get install"
[ "$(command -v tcpkit)" = /usr/bin/tcpkit ] || fail "tcpkit on PATH is $(command -v tcpkit), not /usr/bin/tcpkit"

version_output=$(timeout 10 /usr/bin/tcpkit --version)
say "tcpkit --version: $(head -n 1 <<<"$version_output")"
grep -q "^tcpkit $version" <<<"$version_output" || fail "tcpkit --version does not say $version"
grep -q "^cluster: hiredis " <<<"$version_output" || fail "the packaged tcpkit has no chat-server --cluster"

# Minimal images may tell dpkg not to install man pages (path-exclude); then there is nothing to find.
if grep -qs '^path-exclude=*/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
    say "note: dpkg is configured not to install man pages (/etc/dpkg/dpkg.cfg.d): man -w skipped"
else
    for page in tcpkit tcpkit-echo-server tcpkit-chat-server tcpkit-connect tcpkit-send tcpkit-listen; do
        where=$(timeout 10 man -w "$page") || fail "man -w $page found no page"
        [ "$where" = "/usr/share/man/man1/$page.1.gz" ] || fail "man -w $page: $where"
    done
    say "man -w tcpkit: $(man -w tcpkit)"
fi

for completion in $completions; do
    [ -f "$completion" ] || fail "the completion $completion is not installed"
done
bash_completion=/usr/share/bash-completion/completions/tcpkit
if [ -f "$bash_completion" ]; then
    timeout 10 bash -c "source $bash_completion && complete -p tcpkit" </dev/null >/dev/null ||
        fail "sourcing $bash_completion does not define a completion for tcpkit"
    say "bash completion: $bash_completion defines one for tcpkit"
fi

# Echo round trip: the server picks a free port and reports it on stderr before it accepts.
say "echo round trip with /usr/bin/tcpkit on loopback"
server_log="$work_dir/echo-server.log"
/usr/bin/tcpkit echo-server --host 127.0.0.1 --port 0 --once --color never </dev/null 2>"$server_log" &
server_pid=$!
port=""
for _ in $(seq 100); do # up to 10 s
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$server_log" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$server_log" >&2; fail "echo-server exited early"; }
    sleep 0.1
done
[ -n "$port" ] || { cat "$server_log" >&2; fail "echo-server reported no port within 10s"; }
reply=$(timeout 15 /usr/bin/tcpkit send --timeout 10s 127.0.0.1 "$port" hello </dev/null) ||
    { cat "$server_log" >&2; fail "tcpkit send 127.0.0.1 $port hello failed"; }
[ "$reply" = hello ] || fail "tcpkit send 127.0.0.1 $port hello printed '$reply', not 'hello'"
for _ in $(seq 50); do # --once: the server exits when the client has gone; up to 5 s
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
server_status=0
if kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" || true
    server_pid=""
    cat "$server_log" >&2
    fail "echo-server --once did not exit after its client had gone"
fi
wait "$server_pid" || server_status=$?
server_pid=""
[ "$server_status" -eq 0 ] || { cat "$server_log" >&2; fail "echo-server exited with status $server_status"; }
say "echo round trip on 127.0.0.1:$port: sent hello, got hello"

# The same over TLS: the server makes a certificate and prints its fingerprint, which the client pins.
say "TLS echo round trip with /usr/bin/tcpkit on loopback"
tls_log="$work_dir/tls-echo-server.log"
/usr/bin/tcpkit echo-server --tls --host 127.0.0.1 --port 0 --once --color never </dev/null 2>"$tls_log" &
server_pid=$!
port=""
fingerprint=""
for _ in $(seq 100); do # up to 10 s
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$tls_log" | head -n 1)
    fingerprint=$(sed -n 's/.*tls certificate \(sha256:[0-9a-f]\{64\}\)$/\1/p' "$tls_log" | head -n 1)
    [ -n "$port" ] && [ -n "$fingerprint" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$tls_log" >&2; fail "echo-server --tls exited early"; }
    sleep 0.1
done
if [ -z "$port" ] || [ -z "$fingerprint" ]; then
    cat "$tls_log" >&2
    fail "echo-server --tls reported no port or no certificate within 10s"
fi
reply=$(timeout 15 /usr/bin/tcpkit send --tls --pin "$fingerprint" --timeout 10s 127.0.0.1 "$port" hello \
    </dev/null) || { cat "$tls_log" >&2; fail "tcpkit send --tls --pin $fingerprint 127.0.0.1 $port hello failed"; }
[ "$reply" = hello ] || fail "tcpkit send --tls 127.0.0.1 $port hello printed '$reply', not 'hello'"
for _ in $(seq 50); do # --once; up to 5 s
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" || true
    server_pid=""
    cat "$tls_log" >&2
    fail "echo-server --tls --once did not exit after its client had gone"
fi
server_status=0
wait "$server_pid" || server_status=$?
server_pid=""
[ "$server_status" -eq 0 ] || { cat "$tls_log" >&2; fail "echo-server --tls exited with status $server_status"; }
say "TLS echo round trip on 127.0.0.1:$port ($fingerprint): sent hello, got hello"

# --- Removed --------------------------------------------------------------------------------
say "apt-get remove tcpkit"
as_root timeout 300 apt-get remove -y -qq tcpkit </dev/null >"$work_dir/apt.log" 2>&1 ||
    { cat "$work_dir/apt.log" >&2; fail "apt-get remove tcpkit failed"; }
installed_by_us=false
is_installed tcpkit && fail "tcpkit is still installed after apt-get remove"
[ -e /usr/bin/tcpkit ] && fail "/usr/bin/tcpkit is still there after apt-get remove"
while read -r _ _ _ _ _ path; do
    path=${path#.}
    if [ -f "$path" ]; then fail "$path is still there after apt-get remove"; fi
done <"$work_dir/contents"
say "removed: /usr/bin/tcpkit and the package's other files are gone"

# --- Source tarball and Homebrew formula ----------------------------------------------------
if git rev-parse --git-dir >/dev/null 2>&1; then
    say "make dist"
    timeout 300 make dist </dev/null
    tarball="build/dist/tcpkit-$version.tar.gz"
    (cd build/dist && sha256sum --check --quiet "tcpkit-$version.tar.gz.sha256") ||
        fail "$tarball does not match its .sha256"
    tar -tzf "$tarball" >"$work_dir/tarball-contents" || fail "$tarball is not a gzipped tar file"
    grep -qx "tcpkit-$version/CMakeLists.txt" "$work_dir/tarball-contents" ||
        fail "$tarball has no tcpkit-$version/CMakeLists.txt"
    say "$tarball: $(wc -l <"$work_dir/tarball-contents") entries, checksum matches"
else
    say "note: not a git checkout: make dist skipped"
fi

apt_install ruby
timeout 60 ruby -c packaging/homebrew/tcpkit.rb >/dev/null || fail "packaging/homebrew/tcpkit.rb: Ruby syntax errors"
say "packaging/homebrew/tcpkit.rb: Ruby syntax OK"

say "all checks passed"
