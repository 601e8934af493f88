#include "tests/service/live_traffic.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "tests/gen/credentials.h"

namespace tlsring::testsvc {
namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct SessionFree {
  void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;
using SessionPtr = std::unique_ptr<SSL_SESSION, SessionFree>;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string openssl_error() {
  char text[256] = "unknown error";
  if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, text, sizeof text);
  return text;
}

sockaddr_in socket_address(const std::string& ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

// Reads one '\n'-terminated line from a TLS connection.
bool read_line(SSL* ssl, std::string& line) {
  line.clear();
  char c;
  while (SSL_read(ssl, &c, 1) == 1) {
    line += c;
    if (c == '\n') return true;
  }
  return false;
}

bool write_all(SSL* ssl, const std::string& text) {
  return SSL_write(ssl, text.data(), static_cast<int>(text.size())) == static_cast<int>(text.size());
}

// The clients' SSLKEYLOGFILE: OpenSSL calls back with each line as a
// handshake makes it. One traffic run at a time per process.
std::mutex g_key_log_mutex;
std::ofstream* g_key_log = nullptr;

void write_key_log_line(const SSL*, const char* line) {
  std::lock_guard lock(g_key_log_mutex);
  if (g_key_log != nullptr) *g_key_log << line << '\n' << std::flush;
}

class Server {
 public:
  Server(SSL_CTX* ctx, int listener) : ctx_(ctx), listener_(listener) {}

  void run() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard lock(mutex_);
      threads_.emplace_back([this, fd] { serve(fd); });
    }
    std::lock_guard lock(mutex_);
    for (auto& t : threads_) t.join();
  }
  void stop() { stop_ = true; }
  unsigned resumed() const { return resumed_; }

 private:
  void serve(int raw_fd) {
    Fd fd(raw_fd);
    SslPtr ssl(SSL_new(ctx_));
    SSL_set_fd(ssl.get(), fd.get());
    if (SSL_accept(ssl.get()) != 1) return;
    if (SSL_session_reused(ssl.get())) ++resumed_;
    std::string line;
    while (read_line(ssl.get(), line)) {
      // The acknowledgement is what the client records as sent by the server.
      if (!write_all(ssl.get(), "ACK " + line)) break;
    }
    SSL_shutdown(ssl.get());
  }

  SSL_CTX* ctx_;
  int listener_;
  std::atomic<bool> stop_{false};
  std::atomic<unsigned> resumed_{0};
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

class Recorder {
 public:
  void add(std::uint16_t port, bool to_server, std::string text) {
    std::lock_guard lock(mutex_);
    messages_.push_back({port, to_server, std::move(text)});
  }
  std::vector<SentMessage> take() {
    std::lock_guard lock(mutex_);
    return std::move(messages_);
  }

 private:
  std::mutex mutex_;
  std::vector<SentMessage> messages_;
};

// One client connection; `session` in: a session to resume (or null), out: this one's.
bool client_connection(SSL_CTX* ctx, const TrafficOptions& options, SessionPtr& session, int messages,
                       std::chrono::milliseconds gap, const std::string& name, Recorder& recorder,
                       std::size_t user_data_bytes = 0) {
  Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in server = socket_address(options.address, options.port);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) return false;
  sockaddr_in local{};
  socklen_t length = sizeof local;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &length);
  const std::uint16_t port = ntohs(local.sin_port);
  SslPtr ssl(SSL_new(ctx));
  SSL_set_fd(ssl.get(), fd.get());
  if (session) SSL_set_session(ssl.get(), session.get());
  if (SSL_connect(ssl.get()) != 1) return false;
  for (int i = 0; i < messages; ++i) {
    char text[200];
    std::snprintf(text, sizeof text,
                  "EventRinging %s seq=%d ThisDN=5%03d OtherDN=+3120555%04d ConnID=%016llx CallType=Inbound\n",
                  name.c_str(), i, port % 1000, i, static_cast<unsigned long long>(port) * 7919ull + i);
    std::string event = text;
    if (user_data_bytes > 0) {
      event.pop_back();  // the newline, which ends the event after its user data
      event += " UserData=";
      for (std::size_t k = 0; k < user_data_bytes; ++k) event += static_cast<char>('a' + (k * 7 + i) % 26);
      event += '\n';
    }
    if (!write_all(ssl.get(), event)) return false;
    recorder.add(port, true, event);
    std::string reply;
    if (!read_line(ssl.get(), reply)) return false;
    recorder.add(port, false, reply);
    if (i + 1 < messages) std::this_thread::sleep_for(gap);
  }
  session.reset(SSL_get1_session(ssl.get()));
  SSL_shutdown(ssl.get());
  return true;
}

}  // namespace

Status write_server_credentials(const std::filesystem::path& key_directory) {
  auto credentials = testgen::ServerCredentials::generate("tserver.tlsring.test");
  if (!credentials.ok()) return credentials.error();
  std::filesystem::create_directories(key_directory);
  if (auto w = credentials->write_key_pem(key_directory / "server.key.pem"); !w.ok()) return w;
  return credentials->write_cert_pem(key_directory / "server.cert.pem");
}

Result<TrafficResult> run_traffic(const std::filesystem::path& key_directory, const TrafficOptions& options) {
  SslCtxPtr server_ctx(SSL_CTX_new(TLS_server_method()));
  SSL_CTX_set_max_proto_version(server_ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(server_ctx.get(), options.ciphers.c_str());
  if (!options.session_tickets) SSL_CTX_set_options(server_ctx.get(), SSL_OP_NO_TICKET);  // resumption by session ID
  SSL_CTX_set_session_id_context(server_ctx.get(), reinterpret_cast<const unsigned char*>("tlsring"), 7);
  if (SSL_CTX_use_certificate_file(server_ctx.get(), (key_directory / "server.cert.pem").c_str(),
                                   SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_use_PrivateKey_file(server_ctx.get(), (key_directory / "server.key.pem").c_str(),
                                  SSL_FILETYPE_PEM) != 1) {
    return make_error("cannot load the server key from " + key_directory.string() + ": " + openssl_error());
  }
  SslCtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_max_proto_version(client_ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(client_ctx.get(), options.ciphers.c_str());
  SSL_CTX_set_session_cache_mode(client_ctx.get(), SSL_SESS_CACHE_CLIENT);
  std::ofstream key_log;
  if (!options.client_key_log.empty()) {
    key_log.open(options.client_key_log, std::ios::binary | std::ios::app);
    if (!key_log) return make_error("cannot write " + options.client_key_log.string());
    std::lock_guard lock(g_key_log_mutex);
    g_key_log = &key_log;
    SSL_CTX_set_keylog_callback(client_ctx.get(), write_key_log_line);
  }
  struct KeyLogDetach {
    ~KeyLogDetach() {
      std::lock_guard lock(g_key_log_mutex);
      g_key_log = nullptr;
    }
  } detach_key_log;

  Fd listener(::socket(AF_INET, SOCK_STREAM, 0));
  const int one = 1;
  ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address = socket_address(options.address, options.port);
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener.get(), 64) != 0) {
    return make_error("cannot listen on " + options.address + ":" + std::to_string(options.port) + ": " +
                      std::strerror(errno));
  }
  Server server(server_ctx.get(), listener.get());
  std::thread server_thread([&] { server.run(); });

  Recorder recorder;
  std::atomic<unsigned> connections{0};
  std::atomic<bool> failed{false};
  const auto start = std::chrono::steady_clock::now();
  const int long_messages = static_cast<int>(std::max<std::int64_t>(2, options.duration / options.interval));
  std::thread long_client([&] {
    SessionPtr none;
    if (!client_connection(client_ctx.get(), options, none, long_messages, options.interval, "long", recorder)) {
      failed = true;
    }
    ++connections;
  });
  // Short connections spread over the duration; odd ones resume the one before.
  const auto spacing = options.duration / std::max(1u, options.short_connections + 1);
  SessionPtr session;
  for (unsigned i = 0; i < options.short_connections; ++i) {
    std::this_thread::sleep_until(start + spacing * (i + 1) - spacing / 2);
    if (options.before_short_connection) options.before_short_connection(i);
    if (i % 2 == 0) session.reset();
    const std::string name = "short" + std::to_string(i) + (i % 2 == 1 ? "-resumed" : "");
    if (!client_connection(client_ctx.get(), options, session, static_cast<int>(options.messages_per_connection),
                           std::chrono::milliseconds(100), name, recorder, options.short_user_data_bytes)) {
      failed = true;
    }
    ++connections;
  }
  long_client.join();
  server.stop();
  server_thread.join();
  if (failed) return make_error("a TLS client failed: " + openssl_error());
  TrafficResult result;
  result.messages = recorder.take();
  result.connections = connections;
  result.resumed = server.resumed();
  return result;
}

Status write_manifest(const std::filesystem::path& path, const TrafficResult& result) {
  std::ofstream out(path);
  for (const SentMessage& m : result.messages) {
    std::string text = m.text;
    if (!text.empty() && text.back() == '\n') text.pop_back();
    out << m.client_port << '\t' << (m.to_server ? "c2s" : "s2c") << '\t' << text << '\n';
  }
  if (!out) return make_error("cannot write " + path.string());
  return {};
}

}  // namespace tlsring::testsvc
