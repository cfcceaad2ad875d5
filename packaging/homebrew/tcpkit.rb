# Homebrew formula for tcpkit, built from the release tarball that `make dist` makes
# (build/dist/tcpkit-VERSION.tar.gz, attached to the GitHub release).
#
# Put it in a tap (packaging/README.md), then: brew install --build-from-source TAP/tcpkit,
# brew test TAP/tcpkit.
class Tcpkit < Formula
  desc "Netcat-style TCP toolkit: echo and chat servers, a client and a sender"
  homepage "https://github.com/tcpkit/tcpkit"
  url "https://github.com/tcpkit/tcpkit/releases/download/v0.1.0/tcpkit-0.1.0.tar.gz"
  # `make dist` prints it and writes it to build/dist/tcpkit-0.1.0.tar.gz.sha256.
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license "MIT"

  depends_on "cmake" => :build
  # Only for the test suite (-DTCPKIT_BUILD_TESTS=ON); the install build below leaves it out.
  depends_on "catch2" => :build
  # Header-only: needed to compile, not to run.
  depends_on "asio" => :build
  depends_on "cli11" => :build
  depends_on "fmt"
  # TLS (--tls). Keg-only, so CMake's FindOpenSSL is told where it is.
  depends_on "openssl@3"
  # Line mode (connect and listen at a terminal) edits the typed line with libedit, found with
  # pkg-config. macOS's own libedit has no libedit.pc; Homebrew's is keg-only, and its pkgconfig
  # directory is on the PKG_CONFIG_PATH that Homebrew sets for a formula's dependencies.
  depends_on "pkgconf" => :build
  depends_on "libedit"
  # chat-server --cluster talks to Redis with hiredis (1.x here, 0.14 on Debian), found with
  # pkg-config as libedit is. Redis itself is the user's: a server of theirs, anywhere.
  depends_on "hiredis"
  # The nickname rules' Unicode tables are generated from ICU while building and compiled in:
  # tcpkit does not load ICU when it runs. Keg-only, found through PKG_CONFIG_PATH as libedit is.
  depends_on "icu4c" => :build

  def install
    # Homebrew's zsh looks in share/zsh/site-functions, not Debian's vendor-completions.
    system "cmake", "-S", ".", "-B", "build",
                    "-DTCPKIT_BUILD_TESTS=OFF",
                    "-DTCPKIT_ZSH_COMPLETION_DIR=#{zsh_completion}",
                    "-DOPENSSL_ROOT_DIR=#{Formula["openssl@3"].opt_prefix}",
                    *std_cmake_args
    system "cmake", "--build", "build"
    # The binary, the man pages (man1) and the bash, zsh and fish completions.
    system "cmake", "--install", "build"
    # CMake puts the bash completion where bash-completion 2 looks (share/bash-completion/completions);
    # Homebrew's place for it is etc/bash_completion.d, which both bash-completion formulae read.
    bash_completion.install share/"bash-completion/completions/tcpkit"
  end

  test do
    version_output = shell_output("#{bin}/tcpkit --version")
    assert_match "tcpkit #{version}", version_output
    assert_match "OpenSSL 3", version_output
    assert_match "cluster: hiredis", version_output

    # An echo server on a free port, which it reports on stderr; then one message to it.
    log = testpath/"echo-server.log"
    server = spawn "#{bin}/tcpkit", "echo-server", "--port", "0", "--host", "127.0.0.1", "--once",
                   "--color", "never", err: log.to_s
    begin
      port = nil
      100.times do
        port = log.read[/listening on 127\.0\.0\.1:(\d+)$/, 1] if log.exist?
        break if port

        sleep 0.1
      end
      refute_nil port, "echo-server did not report its port:\n#{log.read}"
      assert_equal "hello\n", shell_output("#{bin}/tcpkit send --timeout 10s 127.0.0.1 #{port} hello")
    ensure
      begin
        Process.kill("TERM", server)
      rescue Errno::ESRCH
        nil
      end
      Process.wait(server)
    end
  end
end
