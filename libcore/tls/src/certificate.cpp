#include "certificate.h"

#include <fmt/format.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <array>
#include <ctime>
#include <filesystem>
#include <fstream>

#include <asio/ip/address.hpp>

#include "tcpkit/base/errors.h"

namespace tcpkit {
namespace {

constexpr long one_hour = 60L * 60;
constexpr long ephemeral_validity = 30L * 24 * one_hour;

std::string format_time(const ASN1_TIME* time) {
    std::tm parts{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) {
        return "an unreadable date";
    }
    std::array<char, 32> text{};
    std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M:%S UTC", &parts);
    return text.data();
}

std::string address_text(const ASN1_OCTET_STRING* bytes) {
    const unsigned char* data = ASN1_STRING_get0_data(bytes);
    int length = ASN1_STRING_length(bytes);
    if (length == 4) {
        asio::ip::address_v4::bytes_type v4{};
        std::copy(data, data + 4, v4.begin());
        return asio::ip::address_v4(v4).to_string();
    }
    if (length == 16) {
        asio::ip::address_v6::bytes_type v6{};
        std::copy(data, data + 16, v6.begin());
        return asio::ip::address_v6(v6).to_string();
    }
    return "(a malformed address)";
}

void add_extension(X509* certificate, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    if (extension == nullptr) {
        throw std::runtime_error(
            fmt::format("could not make the certificate extension '{}'", value));
    }
    X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
}

// Creates `path` empty and private to its owner before anything secret is written to it.
void write_private_file(const std::filesystem::path& path, const std::string& contents,
                        bool secret) {
    std::error_code error;
    {
        std::ofstream create(path, std::ios::binary | std::ios::trunc);
        if (!create) {
            throw UsageError(fmt::format("--save-cert: cannot write {}", path.string()));
        }
    }
    if (secret) {
        std::filesystem::permissions(
            path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
            std::filesystem::perm_options::replace, error);
        if (error) {
            throw UsageError(fmt::format("--save-cert: cannot make {} private: {}", path.string(),
                                         error.message()));
        }
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out.flush()) {
        throw UsageError(fmt::format("--save-cert: cannot write {}", path.string()));
    }
}

template <typename Write>
std::string pem_text(Write write) {
    BioHandle memory(BIO_new(BIO_s_mem()));
    write(memory.get());
    char* data = nullptr;
    long length = BIO_get_mem_data(memory.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace

std::string certificate_fingerprint(X509* certificate) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (certificate == nullptr ||
        X509_digest(certificate, EVP_sha256(), digest.data(), &length) != 1) {
        return {};
    }
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += fmt::format("{:02x}", digest[i]);
    }
    return hex;
}

std::string certificate_subject(X509* certificate) {
    if (certificate == nullptr) {
        return {};
    }
    BioHandle memory(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(memory.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long length = BIO_get_mem_data(memory.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

std::string certificate_names(X509* certificate) {
    std::string names;
    auto* alternatives = static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; alternatives != nullptr && i < sk_GENERAL_NAME_num(alternatives); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(alternatives, i);
        std::string text;
        if (name->type == GEN_DNS) {
            const ASN1_IA5STRING* dns = name->d.dNSName;
            text.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                        static_cast<std::size_t>(ASN1_STRING_length(dns)));
        } else if (name->type == GEN_IPADD) {
            text = address_text(name->d.iPAddress);
        } else {
            continue;
        }
        names += names.empty() ? text : ", " + text;
    }
    GENERAL_NAMES_free(alternatives);
    return names.empty() ? "no names (only the subject " + certificate_subject(certificate) + ")"
                         : names;
}

std::string certificate_not_after(X509* certificate) {
    return format_time(X509_get0_notAfter(certificate));
}

std::string certificate_not_before(X509* certificate) {
    return format_time(X509_get0_notBefore(certificate));
}

EphemeralCertificate make_ephemeral_certificate(const std::vector<std::string>& names) {
    EphemeralCertificate made;
    made.key.reset(EVP_EC_gen("P-256"));
    made.certificate.reset(X509_new());
    X509* certificate = made.certificate.get();
    if (!made.key || !certificate) {
        throw std::runtime_error("could not make a key for the TLS certificate");
    }
    X509_set_version(certificate, 2);  // v3, for the extensions
    std::array<unsigned char, 16> serial{};
    RAND_bytes(serial.data(), static_cast<int>(serial.size()));
    serial[0] &= 0x7f;  // a positive number
    BIGNUM* number = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
    BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate));
    BN_free(number);
    X509_gmtime_adj(X509_getm_notBefore(certificate), -one_hour);
    X509_gmtime_adj(X509_getm_notAfter(certificate), ephemeral_validity);
    X509_NAME* subject = X509_get_subject_name(certificate);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("tcpkit ephemeral"), -1, -1,
                               0);
    X509_set_issuer_name(certificate, subject);
    X509_set_pubkey(certificate, made.key.get());

    std::string alternatives;
    for (const std::string& name : names) {
        std::error_code not_an_address;
        asio::ip::make_address(name, not_an_address);
        alternatives += fmt::format("{}{}:{}", alternatives.empty() ? "" : ",",
                                    not_an_address ? "DNS" : "IP", name);
    }
    add_extension(certificate, NID_subject_alt_name, alternatives);
    add_extension(certificate, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(certificate, NID_key_usage, "critical,digitalSignature");
    add_extension(certificate, NID_ext_key_usage, "serverAuth");
    if (X509_sign(certificate, made.key.get(), EVP_sha256()) == 0) {
        throw std::runtime_error("could not sign the TLS certificate");
    }
    return made;
}

void save_certificate(const EphemeralCertificate& made, const std::string& directory) {
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) {
        throw UsageError(
            fmt::format("--save-cert: cannot create {}: {}", directory, error.message()));
    }
    std::filesystem::path folder(directory);
    write_private_file(folder / "cert.pem",
                       pem_text([&](BIO* out) { PEM_write_bio_X509(out, made.certificate.get()); }),
                       false);
    write_private_file(folder / "key.pem", pem_text([&](BIO* out) {
                           PEM_write_bio_PrivateKey(out, made.key.get(), nullptr, nullptr, 0,
                                                    nullptr, nullptr);
                       }),
                       true);
}

}  // namespace tcpkit
