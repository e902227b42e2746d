// tensorbridge's own rendezvous store, for libtorch builds whose c10d TCPStore cannot be told where to listen
// (1.13: no bind address and no masterListenFd, so it listens on every interface). Included by tensorbridge.cpp
// inside its c10d section, only where TB_STORE_BINDS_ADDRESS is 0; uses its resolve_tcp and listen_on.
//
// Rank 0 runs a small key-value server on a socket already bound to exactly MASTER_ADDR:MASTER_PORT (listen_on);
// every rank, rank 0 included, talks to it over one connection, one request at a time. A request is an op byte and
// its fields; a reply is a status byte (kOk, kTimedOut, kFailed + message) and its fields. Integers are 8-byte
// big-endian, strings and byte vectors a length and their bytes. Waits (get, wait) are done by the server, which
// answers kTimedOut at the deadline the client sent, so a rank that never comes fails the others within the timeout.
// Not wire-compatible with c10d's TCPStore: mixed Java+Python groups meet through a FileStore.
#pragma once

#include <torch/csrc/distributed/c10d/Store.hpp>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace tb_store {

enum Op : uint8_t { kSet = 1, kGet, kAdd, kCompareSet, kDelete, kCheck, kNumKeys, kWait };
enum Status : uint8_t { kOk = 0, kTimedOut, kFailed };

// A peer that sends a field larger than this is not a tensorbridge rank: its connection is dropped.
constexpr uint64_t kMaxField = 1ull << 30;

using Bytes = std::vector<uint8_t>;

// Thrown when the connection ends or breaks; the server drops that peer, the client reports it.
struct ConnectionClosed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void send_all(int fd, const Bytes& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw ConnectionClosed(std::string("send failed: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

inline void recv_all(int fd, uint8_t* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::recv(fd, out + done, size - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) throw ConnectionClosed("the connection was closed");
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) throw ConnectionClosed("no reply in time");
    if (n < 0) throw ConnectionClosed(std::string("receive failed: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

// Builds one message.
struct Writer {
  Bytes out;
  Writer& u8(uint8_t v) {
    out.push_back(v);
    return *this;
  }
  Writer& i64(int64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> shift));
    return *this;
  }
  Writer& bytes(const Bytes& v) {
    i64(static_cast<int64_t>(v.size()));
    out.insert(out.end(), v.begin(), v.end());
    return *this;
  }
  Writer& str(const std::string& v) { return bytes(Bytes(v.begin(), v.end())); }
  Writer& strs(const std::vector<std::string>& v) {
    i64(static_cast<int64_t>(v.size()));
    for (const auto& s : v) str(s);
    return *this;
  }
};

// Reads the fields of one message straight from the socket.
struct Reader {
  int fd;
  uint8_t u8() {
    uint8_t v;
    recv_all(fd, &v, 1);
    return v;
  }
  int64_t i64() {
    uint8_t b[8];
    recv_all(fd, b, 8);
    uint64_t v = 0;
    for (uint8_t x : b) v = (v << 8) | x;
    return static_cast<int64_t>(v);
  }
  uint64_t size() {
    auto n = static_cast<uint64_t>(i64());
    if (n > kMaxField) throw ConnectionClosed("a field of " + std::to_string(n) + " bytes: not a tensorbridge store peer");
    return n;
  }
  Bytes bytes() {
    Bytes v(size());
    if (!v.empty()) recv_all(fd, v.data(), v.size());
    return v;
  }
  std::string str() {
    Bytes v = bytes();
    return std::string(v.begin(), v.end());
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(size());
    for (auto& s : v) s = str();
    return v;
  }
};

// Rank 0's side: the keys, and one thread per connected rank that answers its requests.
class Server {
 public:
  // Takes over listen_fd (bound and listening).
  explicit Server(int listen_fd) : listen_fd_(listen_fd) {
    try {
      acceptor_ = std::thread([this] { accept_loop(); });
    } catch (...) {
      ::close(listen_fd_);
      throw;
    }
  }

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Wakes every thread (blocked accept, reads, waits), joins them and closes every socket.
  ~Server() {
    std::vector<Peer> peers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      for (auto& peer : peers_) ::shutdown(peer.fd, SHUT_RDWR);
    }
    changed_.notify_all();
    ::shutdown(listen_fd_, SHUT_RDWR);  // accept() returns EINVAL
    if (acceptor_.joinable()) acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      peers.swap(peers_);
    }
    for (auto& peer : peers) {
      ::shutdown(peer.fd, SHUT_RDWR);  // accepted after the first round
      if (peer.thread.joinable()) peer.thread.join();
      ::close(peer.fd);
    }
    ::close(listen_fd_);
  }

 private:
  struct Peer {
    int fd;
    std::thread thread;
  };

  void accept_loop() noexcept {
    pthread_setname_np(pthread_self(), "tb-store");
    while (true) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      int error = errno;
      std::unique_lock<std::mutex> lock(mu_);
      if (stopping_) {
        if (fd >= 0) ::close(fd);
        return;
      }
      if (fd < 0) {
        if (error == EINTR || error == ECONNABORTED) continue;  // the peer went away before we took it
        if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
          // short of descriptors or memory for a moment: try again soon, without holding the lock meanwhile
          lock.unlock();
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          continue;
        }
        return;  // the listening socket is gone: nobody else can join
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      reap_finished();
      try {
        peers_.reserve(peers_.size() + 1);  // so that the push_back below cannot throw with a running thread
        std::thread thread([this, fd] { serve(fd); });
        peers_.push_back(Peer{fd, std::move(thread)});
      } catch (...) {
        ::close(fd);  // no room or no thread for it: that rank sees a closed connection
      }
    }
  }

  void serve(int fd) noexcept {
    pthread_setname_np(pthread_self(), "tb-store");
    try {
      Reader in{fd};
      while (true) {
        Writer reply = answer(static_cast<Op>(in.u8()), in);
        send_all(fd, reply.out);
      }
    } catch (...) {
      // the rank closed its store (or broke the protocol), or the server is stopping: this connection ends
    }
    try {
      std::lock_guard<std::mutex> lock(mu_);
      finished_.push_back(fd);  // the acceptor joins this thread and closes fd before it takes another peer
    } catch (...) {
      // no memory to say so: the destructor still joins and closes it
    }
  }

  // Joins the threads of peers that have gone and closes their sockets, so that ranks (or port scanners) coming and
  // going do not pile up threads and descriptors while the group lives. Called with mu_ held.
  void reap_finished() {
    for (int fd : finished_) {
      auto it = std::find_if(peers_.begin(), peers_.end(), [fd](const Peer& p) { return p.fd == fd; });
      if (it == peers_.end()) continue;
      if (it->thread.joinable()) it->thread.join();  // it only has to return: it does not take mu_ again
      ::close(it->fd);
      peers_.erase(it);
    }
    finished_.clear();
  }

  static std::chrono::steady_clock::time_point deadline_after(int64_t timeout_ms) {
    // c10d: a timeout of 0 is no timeout; beyond a century counts as none too (and cannot overflow the clock)
    if (timeout_ms <= 0 || timeout_ms > 3'000'000'000'000) return std::chrono::steady_clock::time_point::max();
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  }

  // Waits until every key is present: false at the deadline; throws when the server stops. Holds lock throughout.
  bool await_keys(std::unique_lock<std::mutex>& lock, const std::vector<std::string>& keys, int64_t timeout_ms) {
    auto present = [&] {
      return std::all_of(keys.begin(), keys.end(), [&](const std::string& k) { return data_.count(k) != 0; });
    };
    auto deadline = deadline_after(timeout_ms);
    while (!present()) {
      if (stopping_) throw ConnectionClosed("the store is closing");
      if (deadline == std::chrono::steady_clock::time_point::max()) {
        changed_.wait(lock);
      } else if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
        return present();
      }
    }
    return true;
  }

  Writer answer(Op op, Reader& in) {
    Writer out;
    switch (op) {
      case kSet: {
        std::string key = in.str();
        Bytes value = in.bytes();
        {
          std::lock_guard<std::mutex> lock(mu_);
          data_[key] = std::move(value);
        }
        changed_.notify_all();
        return out.u8(kOk);
      }
      case kGet: {
        std::string key = in.str();
        int64_t timeout_ms = in.i64();
        std::unique_lock<std::mutex> lock(mu_);
        if (!await_keys(lock, {key}, timeout_ms)) return out.u8(kTimedOut);
        return out.u8(kOk).bytes(data_[key]);
      }
      case kAdd: {
        std::string key = in.str();
        int64_t delta = in.i64();
        int64_t sum;
        {
          std::lock_guard<std::mutex> lock(mu_);
          auto it = data_.find(key);
          int64_t current = 0;
          if (it != data_.end()) {
            std::string text(it->second.begin(), it->second.end());
            try {
              size_t used = 0;
              current = std::stoll(text, &used);
              if (used != text.size()) throw std::invalid_argument(text);
            } catch (const std::exception&) {
              return out.u8(kFailed).str("add() on key '" + key + "', whose value is not an integer");
            }
          }
          sum = current + delta;
          std::string text = std::to_string(sum);
          data_[key] = Bytes(text.begin(), text.end());
        }
        changed_.notify_all();
        return out.u8(kOk).i64(sum);
      }
      case kCompareSet: {
        std::string key = in.str();
        Bytes expected = in.bytes();
        Bytes desired = in.bytes();
        Bytes now;
        {
          // as c10d's TCPStore: a missing key is set only when the expected value is empty
          std::lock_guard<std::mutex> lock(mu_);
          auto it = data_.find(key);
          if (it == data_.end()) {
            if (expected.empty()) data_[key] = desired;
            now = expected.empty() ? desired : expected;
          } else {
            if (it->second == expected) it->second = desired;
            now = it->second;
          }
        }
        changed_.notify_all();
        return out.u8(kOk).bytes(now);
      }
      case kDelete: {
        std::string key = in.str();
        std::lock_guard<std::mutex> lock(mu_);
        return out.u8(kOk).u8(data_.erase(key) != 0);
      }
      case kCheck: {
        auto keys = in.strs();
        std::lock_guard<std::mutex> lock(mu_);
        bool all = std::all_of(keys.begin(), keys.end(), [&](const std::string& k) { return data_.count(k) != 0; });
        return out.u8(kOk).u8(all);
      }
      case kNumKeys: {
        std::lock_guard<std::mutex> lock(mu_);
        return out.u8(kOk).i64(static_cast<int64_t>(data_.size()));
      }
      case kWait: {
        auto keys = in.strs();
        int64_t timeout_ms = in.i64();
        std::unique_lock<std::mutex> lock(mu_);
        return out.u8(await_keys(lock, keys, timeout_ms) ? kOk : kTimedOut);
      }
    }
    throw ConnectionClosed("unknown store request " + std::to_string(static_cast<int>(op)));
  }

  int listen_fd_;
  std::thread acceptor_;
  std::mutex mu_;  // guards data_, peers_, finished_ and stopping_
  std::condition_variable changed_;
  std::map<std::string, Bytes> data_;
  std::vector<Peer> peers_;
  std::vector<int> finished_;  // fds of peers whose thread has ended, still open (so their number is not reused)
  bool stopping_ = false;
};

// Every rank's store: a c10d::Store over one connection to rank 0's Server (run here too on rank 0).
class ServedStore : public c10d::Store {
 public:
  // Connects (retrying until the timeout, as rank 0 may start last); rank 0 first starts the server on listen_fd and,
  // as c10d's TCPStore with waitWorkers does, waits until all world_size ranks have connected.
  ServedStore(const std::string& host, int port, int listen_fd, int world_size, std::chrono::milliseconds timeout)
      : c10d::Store(timeout), where_(host + ":" + std::to_string(port)) {
    if (listen_fd >= 0) server_ = std::make_unique<Server>(listen_fd);
    try {
      connect_to(host, port);
      const std::string joined = "tensorbridge/store/joined";
      int64_t count = add(joined, 1);
      if (listen_fd < 0) return;
      auto deadline = std::chrono::steady_clock::now() + timeout;
      while (count < world_size) {
        if (std::chrono::steady_clock::now() >= deadline) {
          throw std::runtime_error("timed out after " + std::to_string(timeout.count()) +
                                   " ms waiting for the ranks to join the store at " + where_ + ": " +
                                   std::to_string(count) + "/" + std::to_string(world_size) + " joined");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        count = add(joined, 0);
      }
    } catch (...) {
      close_connection();  // server_, a member, is stopped by its own destructor
      throw;
    }
  }

  ~ServedStore() override {
    close_connection();
    server_.reset();
  }

  void set(const std::string& key, const Bytes& value) override {
    call("set", Writer().u8(kSet).str(key).bytes(value));
  }

  Bytes compareSet(const std::string& key, const Bytes& expected, const Bytes& desired) override {
    return call("compareSet", Writer().u8(kCompareSet).str(key).bytes(expected).bytes(desired), [](Reader& r) {
      return r.bytes();
    });
  }

  Bytes get(const std::string& key) override {
    int64_t timeout_ms = timeout_.count();
    return call("get '" + key + "'", Writer().u8(kGet).str(key).i64(timeout_ms), [](Reader& r) { return r.bytes(); },
                timeout_ms);
  }

  int64_t add(const std::string& key, int64_t value) override {
    return call("add", Writer().u8(kAdd).str(key).i64(value), [](Reader& r) { return r.i64(); });
  }

  bool deleteKey(const std::string& key) override {
    return call("deleteKey", Writer().u8(kDelete).str(key), [](Reader& r) { return r.u8() != 0; });
  }

  bool check(const std::vector<std::string>& keys) override {
    return call("check", Writer().u8(kCheck).strs(keys), [](Reader& r) { return r.u8() != 0; });
  }

  int64_t getNumKeys() override {
    return call("getNumKeys", Writer().u8(kNumKeys), [](Reader& r) { return r.i64(); });
  }

  void wait(const std::vector<std::string>& keys) override { wait(keys, timeout_); }

  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) override {
    std::string names;
    for (const auto& k : keys) names += (names.empty() ? "'" : ", '") + k + "'";
    call("wait for " + names, Writer().u8(kWait).strs(keys).i64(timeout.count()), timeout.count());
  }

 private:
  void connect_to(const std::string& host, int port) {
    addresses found = resolve_tcp(host, port, "store address");
    auto deadline = std::chrono::steady_clock::now() + timeout_;
    std::string error;
    while (true) {
      for (addrinfo* ai = found.get(); ai != nullptr; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
          error = std::strerror(errno);
          continue;
        }
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
          int one = 1;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          fd_ = fd;
          return;
        }
        error = std::strerror(errno);
        ::close(fd);
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        throw std::runtime_error("timed out after " + std::to_string(timeout_.count()) +
                                 " ms trying to connect to the store at " + where_ + " (is rank 0 running there?): " +
                                 error);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  void close_connection() noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Sends one request and reads the reply's status, then its fields with read_rest.
  template <typename ReadRest>
  // wait_ms: for a request the server may hold (get, wait), its timeout (0: none); -1 for the others.
  std::invoke_result_t<ReadRest, Reader&> call(const std::string& what, const Writer& request, ReadRest read_rest,
                                               int64_t wait_ms = -1) {
    std::lock_guard<std::mutex> lock(mu_);
    if (fd_ < 0) throw std::runtime_error(lost_.empty() ? "the store at " + where_ + " is closed" : lost_);
    Reader in{fd_};
    uint8_t status;
    try {
      // The server answers a wait at its deadline and anything else at once; a reply much later than that means
      // rank 0 is stuck (stopped, or its machine gone): fail instead of hanging.
      int64_t limit_ms = wait_ms == 0 ? 0 : std::max<int64_t>(wait_ms, timeout_.count()) + 10000;
      timeval limit{static_cast<time_t>(limit_ms / 1000), static_cast<suseconds_t>(limit_ms % 1000 * 1000)};
      setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
      send_all(fd_, request.out);
      status = in.u8();
      if (status == kOk) return read_rest(in);
      if (status == kFailed) throw std::runtime_error(what + " in the store at " + where_ + ": " + in.str());
    } catch (const ConnectionClosed& e) {
      // the request/reply stream is out of step or gone: no later call may use it
      ::close(fd_);
      fd_ = -1;
      lost_ = "lost the connection to the store at " + where_ + " during " + what + " (rank 0 has gone?): " + e.what();
      throw std::runtime_error(lost_);
    }
    int64_t timeout_ms = wait_ms;
    if (status == kTimedOut)
      throw std::runtime_error("timed out after " + std::to_string(timeout_ms) + " ms: " + what + " in the store at " +
                               where_);
    throw std::runtime_error("unexpected reply " + std::to_string(status) + " from the store at " + where_);
  }

  void call(const std::string& what, const Writer& request, int64_t wait_ms = -1) {
    call(what, request, [](Reader&) { return 0; }, wait_ms);
  }

  std::string where_;
  std::unique_ptr<Server> server_;
  std::mutex mu_;  // one request at a time on the connection
  int fd_ = -1;
  std::string lost_;  // why fd_ was closed, for the calls after
};

}  // namespace tb_store
