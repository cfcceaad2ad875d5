#include "test_certificates.h"

#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "process.h"

namespace tcpkit::test {
namespace {

// Runs openssl with `args` (and `input` on its stdin) and returns its stdout; throws with its
// stderr if it fails, so a broken fixture names the step that broke.
std::string run_openssl(std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), openssl_binary());
    Process openssl(args);
    if (!input.empty()) {
        openssl.write_stdin(input);
    }
    openssl.close_stdin();
    int status = openssl.wait_for_exit();
    if (status != 0) {
        std::string command;
        for (const auto& arg : args) {
            command += arg + " ";
        }
        throw std::runtime_error("test certificates: `" + command + "` exited " +
                                 std::to_string(status) + ":\n" + openssl.err());
    }
    return openssl.out();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << text;
    if (!file.flush()) {
        throw std::runtime_error("test certificates: cannot write " + path);
    }
}

// "sha256 Fingerprint=6B:A1:...:48" (or "SHA256 Fingerprint=", depending on the version) to
// "6ba1...48".
std::string fingerprint_from_x509_output(const std::string& output) {
    auto equals = output.find('=');
    if (equals == std::string::npos) {
        throw std::runtime_error("test certificates: no fingerprint in: " + output);
    }
    std::string hex;
    for (char c : output.substr(equals + 1)) {
        if (std::isxdigit(static_cast<unsigned char>(c))) {
            hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (c == '\n') {
            break;
        }
    }
    if (hex.size() != 64) {
        throw std::runtime_error("test certificates: not a SHA-256 fingerprint: " + output);
    }
    return hex;
}

std::string fingerprint_of_file(const std::string& cert_path) {
    return fingerprint_from_x509_output(
        run_openssl({"x509", "-in", cert_path, "-noout", "-fingerprint", "-sha256"}));
}

// Where the certificates live: a directory made by mkdtemp, removed when the program exits
// (the function-local static holding it is destroyed then).
class CertificateDirectory {
  public:
    CertificateDirectory() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "tcpkit-test-certs-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("test certificates: mkdtemp failed");
        }
        path_ = pattern;
    }
    ~CertificateDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    CertificateDirectory(const CertificateDirectory&) = delete;
    CertificateDirectory& operator=(const CertificateDirectory&) = delete;

    std::string file(const std::string& name) const { return path_ + "/" + name; }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

constexpr const char* localhost_names = "DNS:localhost,IP:127.0.0.1,IP:::1";

class CertificateMaker {
  public:
    explicit CertificateMaker(const CertificateDirectory& directory) : directory_(directory) {}

    std::string new_key(const std::string& name) {
        std::string path = directory_.file(name + ".key");
        // P-256: a key in milliseconds, where RSA would take a noticeable part of a second.
        run_openssl(
            {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path});
        return path;
    }

    // A self-signed certificate: a CA when `is_ca`, else a leaf for `names`.
    CertificateFiles self_signed(const std::string& name, const std::string& subject, bool is_ca,
                                 const std::string& names = {}) {
        CertificateFiles files;
        files.key = new_key(name);
        files.cert = directory_.file(name + ".pem");
        std::vector<std::string> args = {"req",   "-x509", "-new", "-key", files.key, "-subj",
                                         subject, "-days", "30",   "-out", files.cert};
        if (is_ca) {
            args.insert(args.end(), {"-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                                     "keyUsage=critical,keyCertSign,cRLSign"});
        } else {
            args.insert(args.end(), {"-addext", "basicConstraints=critical,CA:FALSE", "-addext",
                                     "subjectAltName=" + names});
        }
        run_openssl(args);
        files.fingerprint = fingerprint_of_file(files.cert);
        return files;
    }

    // A leaf signed by `issuer`, valid from now for 30 days. `extensions` are lines of an
    // x509v3 extensions file.
    CertificateFiles signed_by(const CertificateFiles& issuer, const std::string& name,
                               const std::string& subject, const std::string& extensions) {
        CertificateFiles files;
        files.key = new_key(name);
        files.cert = directory_.file(name + ".pem");
        std::string request = certificate_request(name, files.key, subject);
        std::string extensions_file = directory_.file(name + ".ext");
        write_file(extensions_file, extensions);
        run_openssl({"x509", "-req", "-in", request, "-CA", issuer.cert, "-CAkey", issuer.key,
                     "-set_serial", std::to_string(next_serial_++), "-days", "30", "-extfile",
                     extensions_file, "-out", files.cert});
        files.fingerprint = fingerprint_of_file(files.cert);
        return files;
    }

    // A leaf signed by `issuer`, valid only from `start` to `end` (YYYYMMDDHHMMSSZ): long ago,
    // or far ahead. `openssl x509 -days` cannot go back in time (OpenSSL 3.0 refuses negative
    // days and has no -not_before/-not_after), but `openssl ca` takes explicit -startdate and
    // -enddate; it needs a small database of its own.
    CertificateFiles signed_for_period(const CertificateFiles& issuer, const std::string& name,
                                       const std::string& subject, const std::string& names,
                                       const std::string& start, const std::string& end) {
        CertificateFiles files;
        files.key = new_key(name);
        files.cert = directory_.file(name + ".pem");
        std::string request = certificate_request(name, files.key, subject);
        std::string database = directory_.file("ca-database");
        std::filesystem::create_directories(database);
        if (!std::filesystem::exists(database + "/index.txt")) {
            write_file(database + "/index.txt", "");
            write_file(database + "/serial", "1000\n");
        }
        std::string config = directory_.file("ca.cnf");
        write_file(config,
                   "[ca]\n"
                   "default_ca = test_ca\n"
                   "[test_ca]\n"
                   "database = " +
                       database +
                       "/index.txt\n"
                       "new_certs_dir = " +
                       database +
                       "\n"
                       "serial = " +
                       database +
                       "/serial\n"
                       "default_md = sha256\n"
                       "policy = any_subject\n"
                       "unique_subject = no\n"
                       "[any_subject]\n"
                       "commonName = supplied\n"
                       "[leaf]\n"
                       "basicConstraints = critical,CA:FALSE\n"
                       "extendedKeyUsage = serverAuth\n"
                       "subjectAltName = " +
                       names + "\n");
        run_openssl({"ca", "-batch", "-notext", "-config", config, "-cert", issuer.cert, "-keyfile",
                     issuer.key, "-in", request, "-out", files.cert, "-startdate", start,
                     "-enddate", end, "-extensions", "leaf"});
        files.fingerprint = fingerprint_of_file(files.cert);
        return files;
    }

  private:
    std::string certificate_request(const std::string& name, const std::string& key,
                                    const std::string& subject) {
        std::string path = directory_.file(name + ".csr");
        run_openssl({"req", "-new", "-key", key, "-subj", subject, "-out", path});
        return path;
    }

    const CertificateDirectory& directory_;
    int next_serial_ = 2;
};

std::string server_extensions(const std::string& names) {
    return "basicConstraints = critical,CA:FALSE\n"
           "extendedKeyUsage = serverAuth\n"
           "subjectAltName = " +
           names + "\n";
}

TestCertificates make_certificates(const CertificateDirectory& directory) {
    CertificateMaker maker(directory);
    TestCertificates made;
    made.directory = directory.path();
    made.ca = maker.self_signed("ca", "/CN=tcpkit test CA", true);
    made.server =
        maker.signed_by(made.ca, "server", "/CN=localhost", server_extensions(localhost_names));
    made.client = maker.signed_by(made.ca, "client", "/CN=alice",
                                  "basicConstraints = critical,CA:FALSE\n"
                                  "extendedKeyUsage = clientAuth\n");
    made.expired = maker.signed_for_period(made.ca, "expired", "/CN=localhost", localhost_names,
                                           "20200101000000Z", "20200201000000Z");
    made.not_yet_valid =
        maker.signed_for_period(made.ca, "not-yet-valid", "/CN=localhost", localhost_names,
                                "20990101000000Z", "20991231000000Z");
    made.wrong_name = maker.signed_by(made.ca, "wrong-name", "/CN=wrong.example",
                                      server_extensions("DNS:wrong.example"));
    made.self_signed = maker.self_signed("self-signed", "/CN=localhost", false, localhost_names);
    made.other_ca = maker.self_signed("other-ca", "/CN=tcpkit untrusted test CA", true);
    made.other_ca_server = maker.signed_by(made.other_ca, "other-ca-server", "/CN=localhost",
                                           server_extensions(localhost_names));
    return made;
}

}  // namespace

std::string openssl_binary() {
    return TCPKIT_OPENSSL_BINARY;
}

const TestCertificates& test_certificates() {
    // The directory is declared first so that it outlives nothing that refers to it, and is
    // removed at exit after the tests are done with it.
    static const CertificateDirectory directory;
    static const TestCertificates certificates = make_certificates(directory);
    return certificates;
}

std::string fingerprint_of_pem(const std::string& pem_text) {
    return fingerprint_from_x509_output(
        run_openssl({"x509", "-noout", "-fingerprint", "-sha256"}, pem_text));
}

}  // namespace tcpkit::test
