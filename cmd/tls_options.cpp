#include "tls_options.h"

#include <fmt/format.h>

#include "common_options.h"

namespace tcpkit::cmd {
namespace {

constexpr const char* tls_group = "TLS";

CLI::Option* add_tls_flag(CLI::App& command, bool& enabled, const std::string& description) {
    return command.add_flag("--tls,--ssl", enabled, description)->group(tls_group);
}

CLI::Option* add_min_version(CLI::App& command, TlsVersion& target) {
    return command
        .add_option_function<std::string>(
            "--tls-min", [&target](const std::string& text) { target = parse_tls_version(text); },
            "Lowest TLS version to accept: 1.2 or 1.3")
        ->check(CLI::IsMember({"1.2", "1.3"}))
        ->type_name("VERSION")
        ->default_str("1.2")
        ->group(tls_group);
}

CLI::Option* add_alpn(CLI::App& command, std::vector<std::string>& target,
                      const std::string& description) {
    return command
        .add_option_function<std::string>(
            "--alpn", [&target](const std::string& text) { target = parse_alpn_list(text); },
            description)
        ->check(validator_from([](const std::string& text) { parse_alpn_list(text); }))
        ->type_name("LIST")
        ->group(tls_group);
}

struct CertificateOptions {
    CLI::Option* cert;
    CLI::Option* key;
};

// --cert FILE and --key FILE, the same on both sides but for what the certificate is for.
CertificateOptions add_certificate_options(CLI::App& command, std::string& cert_file,
                                           std::string& key_file,
                                           const std::string& cert_description) {
    auto* cert = command.add_option("--cert", cert_file, cert_description)
                     ->type_name("FILE")
                     ->group(tls_group);
    auto* key = command
                    .add_option("--key", key_file,
                                "The private key of --cert (PEM; default: in the --cert file)")
                    ->type_name("FILE")
                    ->needs(cert)
                    ->group(tls_group);
    return {cert, key};
}

void require_tls(CLI::Option* tls, std::initializer_list<CLI::Option*> options) {
    for (CLI::Option* option : options) {
        option->needs(tls);
    }
}

}  // namespace

CLI::Option* add_tls_client_options(CLI::App& command, TlsClientOptions& options) {
    auto* tls = add_tls_flag(
        command, options.enabled,
        "Speak TLS; the server's certificate is verified against the system's trust store and "
        "must be for HOST");
    auto* ca_file = command
                        .add_option("--ca-file", options.ca_file,
                                    "Trust the CA certificates in FILE (PEM) instead of the "
                                    "system's")
                        ->type_name("FILE")
                        ->group(tls_group);
    auto* pin =
        command
            .add_option_function<std::string>(
                "--pin",
                [&options](const std::string& text) { options.pin = parse_certificate_pin(text); },
                "Accept exactly the server certificate with this SHA-256 fingerprint "
                "(sha256:HEX, as servers print it), self-signed or not, and no other")
            ->check(validator_from([](const std::string& text) { parse_certificate_pin(text); }))
            ->type_name("sha256:HEX")
            ->group(tls_group);
    auto* insecure = command
                         .add_flag("--insecure", options.insecure,
                                   "Do not verify the server's certificate at all (warns)")
                         ->group(tls_group);
    insecure->excludes(pin)->excludes(ca_file);
    auto* sni = command
                    .add_option_function<std::string>(
                        "--sni", [&options](const std::string& name) { options.sni = name; },
                        "Send NAME as the server name (SNI) and verify the certificate for NAME "
                        "instead of HOST")
                    ->type_name("NAME")
                    ->group(tls_group);
    auto* no_sni = command
                       .add_flag("--no-sni", options.no_sni,
                                 "Send no server name (SNI); the certificate is still verified "
                                 "for HOST")
                       ->excludes(sni)
                       ->group(tls_group);
    auto* alpn = add_alpn(command, options.alpn,
                          "Offer these application protocols, comma-separated (h2,http/1.1); "
                          "-v shows which one the server chose");
    auto* min_version = add_min_version(command, options.min_version);
    auto [cert, key] =
        add_certificate_options(command, options.cert_file, options.key_file,
                                "Present the client certificate in FILE (PEM, with its chain)");
    require_tls(tls, {ca_file, pin, insecure, sni, no_sni, alpn, min_version, cert, key});
    return tls;
}

std::shared_ptr<TlsServer> make_tls_server(const TlsServerOptions& options,
                                           const ListenOptions& listen) {
    if (!options.enabled) {
        return nullptr;
    }
    TlsServerOptions with_host = options;
    with_host.extra_names.push_back(listen.host);
    return std::make_shared<TlsServer>(with_host);
}

CLI::Option* add_tls_server_options(CLI::App& command, TlsServerOptions& options) {
    auto* tls = add_tls_flag(command, options.enabled,
                             "Serve TLS; without --cert, with a certificate made for this run "
                             "(its fingerprint is printed for clients' --pin)");
    auto [cert, key] =
        add_certificate_options(command, options.cert_file, options.key_file,
                                "Serve the certificate in FILE (PEM, with its chain)");
    auto* save = command
                     .add_option("--save-cert", options.save_cert_dir,
                                 "Also write the certificate made for this run to DIR/cert.pem "
                                 "and its key to DIR/key.pem (private)")
                     ->type_name("DIR")
                     ->excludes(cert)
                     ->group(tls_group);
    auto* client_ca = command
                          .add_option("--client-ca", options.client_ca_file,
                                      "Require a client certificate signed by a CA in FILE "
                                      "(mutual TLS)")
                          ->type_name("FILE")
                          ->group(tls_group);
    auto* min_version = add_min_version(command, options.min_version);
    auto* alpn = add_alpn(command, options.alpn,
                          "Accept these application protocols, in order of preference; a client "
                          "offering none of them is refused");
    auto* timeout = add_duration_option(command, "--handshake-timeout", options.handshake_timeout,
                                        "Close a connection whose TLS handshake takes longer");
    timeout->group(tls_group);
    require_tls(tls, {cert, key, save, client_ca, min_version, alpn, timeout});
    return tls;
}

}  // namespace tcpkit::cmd
