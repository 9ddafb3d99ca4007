#include "common/net/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <functional>

#include "common/net/listener.h"
#include "common/net/loop_shutdown.h"
#include "loop_fixture.h"

using namespace xf;
using namespace xf::net;
using xf::net::testing::EventLog;
using xf::net::testing::LoopFixture;

namespace {

// A connection whose hooks are lambdas and whose every event goes to a shared log.
class Probe : public Connection {
 public:
  Probe(uv_loop_t* loop, std::string name, EventLog& log, ConnectionLimits limits = {})
      : Connection(loop, name, limits), name_(std::move(name)), log_events_(log) {
    ++alive;
  }
  ~Probe() override {
    --alive;
    log_events_.add(name_ + ":deleted");
    if (deleted_flag != nullptr) *deleted_flag = true;
  }

  std::function<void(Probe&)> connected;
  std::function<void(Probe&, std::string_view)> read;
  std::function<void(Probe&)> drained;
  std::function<void(Probe&, const Error*)> closed;
  std::string received;
  bool* deleted_flag = nullptr;
  static int alive;

 protected:
  void on_connected() override {
    log_events_.add(name_ + ":connected");
    if (connected) connected(*this);
  }
  void on_read(std::string_view bytes) override {
    received.append(bytes);
    if (read) read(*this, bytes);
  }
  void on_drained() override {
    if (drained) drained(*this);
  }
  void on_closed(const Error* reason) override {
    log_events_.add(name_ + ":closed" + (reason != nullptr ? ":" + reason->detail : ""));
    if (closed) closed(*this, reason);
  }

 private:
  std::string name_;
  EventLog& log_events_;
};
int Probe::alive = 0;

}  // namespace

TEST_CASE("net: echo over loopback with callbacks in order and a clean loop close", "[unit][net]") {
  LoopFixture f;
  EventLog log;
  Listener listener(&f.loop, [&](uv_loop_t* loop) -> Connection* {
    auto* server = new Probe(loop, "server", log);
    server->read = [](Probe& self, std::string_view bytes) { self.write(std::string(bytes)); };
    server->closed = [&](Probe&, const Error*) { listener.close(); };
    return server;
  });
  REQUIRE(listener.listen("127.0.0.1", 0).ok());
  REQUIRE(listener.port() != 0);

  auto* client = new Probe(&f.loop, "client", log);
  std::string peer;
  client->connected = [&](Probe& self) {
    peer = self.peer_address();
    self.write("hello ");
    self.write("world");
  };
  client->read = [&](Probe& self, std::string_view) {
    if (self.received == "hello world") {
      log.add("client:echoed");
      self.close();
    }
  };
  client->connect("127.0.0.1", listener.port());
  f.run();

  CHECK(peer.rfind("127.0.0.1:", 0) == 0);
  CHECK(Probe::alive == 0);
  // Client side strictly ordered; the server sees the client's close as an orderly EOF.
  CHECK(log.index_of("client:connected") < log.index_of("client:echoed"));
  CHECK(log.index_of("client:echoed") < log.index_of("client:closed"));
  CHECK(log.index_of("client:closed") < log.index_of("client:deleted"));
  CHECK(log.index_of("server:connected") < log.index_of("server:closed"));
  CHECK(log.index_of("server:closed") < log.index_of("server:deleted"));
  CHECK(log.has("client:deleted"));
  f.finish();
}

TEST_CASE("net: IPv6 loopback and a host name that needs resolving", "[unit][net]") {
  LoopFixture f;
  EventLog log;
  for (std::string host : {"::1", "localhost"}) {
    Listener listener(&f.loop, [&](uv_loop_t* loop) -> Connection* {
      auto* server = new Probe(loop, "server", log);
      server->connected = [](Probe& self) { self.write("hi"); };
      return server;
    });
    // "localhost" may resolve to ::1 and/or 127.0.0.1; "::" listens on both.
    Status listening = listener.listen("::", 0);
    if (!listening.ok()) {
      WARN("no IPv6 here: " << listening.error().detail);
      continue;
    }
    auto* client = new Probe(&f.loop, "client", log);
    std::string got;
    client->read = [&](Probe& self, std::string_view) {
      got = self.received;
      self.close();
      listener.close();
    };
    client->closed = [&](Probe&, const Error*) { listener.close(); };
    client->connect(host, listener.port());
    f.run();
    CHECK(got == "hi");
  }
  f.finish();
}

TEST_CASE("net: connect to a closed port reports the error through on_closed", "[unit][net]") {
  LoopFixture f;
  EventLog log;
  std::uint16_t port = 0;
  {
    Listener probe_port(&f.loop, nullptr);
    REQUIRE(probe_port.listen("127.0.0.1", 0).ok());
    port = probe_port.port();
  }
  f.run();  // Let the listener's handle close.
  auto* client = new Probe(&f.loop, "client", log);
  bool got_error = false;
  Errc code = Errc::internal;
  client->closed = [&](Probe&, const Error* reason) {
    got_error = reason != nullptr;
    if (reason != nullptr) code = reason->code;
  };
  client->connect("127.0.0.1", port);
  CHECK(log.events.empty());  // Never a synchronous callback.
  f.run();
  CHECK(got_error);
  CHECK(code == Errc::io_error);
  CHECK_FALSE(log.has("client:connected"));
  CHECK(log.has("client:deleted"));
  f.finish();
}

TEST_CASE("net: connect times out when nobody answers the SYN", "[unit][net]") {
  LoopFixture f;
  EventLog log;
  // A socket that listens with the smallest backlog and never accepts: once its queue is
  // full the kernel drops further SYNs, so connects hang until our timeout.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_storage addr{};
  REQUIRE(parse_numeric_address("127.0.0.1", 0, addr));
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(sockaddr_in)) == 0);
  REQUIRE(::listen(fd, 0) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  std::uint16_t port = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);

  ConnectionLimits limits;
  limits.connect_timeout_ms = 300;
  int timeouts = 0;
  int connected = 0;
  std::vector<Probe*> open;
  const int kClients = 6;
  int finished = 0;
  for (int i = 0; i < kClients; ++i) {
    auto* client = new Probe(&f.loop, "client" + std::to_string(i), log, limits);
    client->connected = [&](Probe& self) {
      ++connected;
      ++finished;
      open.push_back(&self);
    };
    client->closed = [&](Probe& self, const Error* reason) {
      if (reason != nullptr && reason->code == Errc::timeout) {
        ++timeouts;
        ++finished;
      }
      std::erase(open, &self);
    };
    client->connect("127.0.0.1", port);
  }
  // Close the ones that got in once every client has an outcome.
  Timer done(&f.loop, [&] {
    if (finished < kClients) return;
    for (Probe* p : std::vector<Probe*>(open)) p->close();
    done.stop();
  });
  done.start_repeating(50);
  f.run(3000);
  done.close();
  CHECK(timeouts >= 1);
  CHECK(connected + timeouts == kClients);
  ::close(fd);
  f.run();
  f.finish();
}

TEST_CASE("net: backpressure: a peer that pauses reading makes the queue grow then drain",
          "[unit][net]") {
  LoopFixture f;
  EventLog log;
  const std::size_t kTotal = 8 * 1024 * 1024;
  const std::size_t kChunk = 64 * 1024;
  Probe* server = nullptr;
  std::size_t server_got = 0;
  bool content_ok = true;
  Listener listener(&f.loop, [&](uv_loop_t* loop) -> Connection* {
    server = new Probe(loop, "server", log);
    server->connected = [](Probe& self) { self.pause_reading(); };
    server->read = [&](Probe& self, std::string_view bytes) {
      for (char c : bytes) {
        if (c != static_cast<char>('a' + (server_got++ % 26))) content_ok = false;
      }
      self.received.clear();  // Only the count matters here.
      if (server_got == kTotal) self.close();
    };
    server->closed = [&](Probe&, const Error*) { server = nullptr; };
    return server;
  });
  REQUIRE(listener.listen("127.0.0.1", 0).ok());

  auto* client = new Probe(&f.loop, "client", log);
  std::size_t queued_while_paused = 0;
  int drained = 0;
  std::size_t max_queued = 0;
  client->connected = [&](Probe& self) {
    std::size_t offset = 0;
    while (offset < kTotal) {
      std::string chunk(kChunk, '\0');
      for (std::size_t i = 0; i < kChunk; ++i)
        chunk[i] = static_cast<char>('a' + ((offset + i) % 26));
      offset += kChunk;
      self.write(std::move(chunk));
      max_queued = std::max(max_queued, self.queued_bytes());
    }
  };
  client->drained = [&](Probe&) { ++drained; };
  client->closed = [&](Probe&, const Error*) { listener.close(); };
  // After 300 ms with the server paused, part of the data is still queued in the client.
  Timer check(&f.loop, [&] {
    queued_while_paused = client->queued_bytes();
    log.add("resume");
    REQUIRE(server != nullptr);
    server->resume_reading();
  });
  check.start(300);
  client->connect("127.0.0.1", listener.port());
  f.run(10000);

  CHECK(max_queued == kTotal);
  CHECK(queued_while_paused > 0);
  CHECK(queued_while_paused < kTotal);
  CHECK(server_got == kTotal);
  CHECK(content_ok);
  CHECK(drained == 1);
  CHECK(log.index_of("resume") < log.index_of("server:closed"));
  check.close();
  f.finish();
}

TEST_CASE("net: close and abort from inside on_read are safe", "[unit][net]") {
  LoopFixture f;
  EventLog log;
  bool abort_variant = GENERATE(false, true);
  Listener listener(&f.loop, [&](uv_loop_t* loop) -> Connection* {
    auto* server = new Probe(loop, "server", log);
    // A burst the client closes in the middle of.
    server->connected = [](Probe& self) {
      for (int i = 0; i < 100; ++i) self.write(std::string(1000, 'x'));
    };
    server->closed = [&](Probe&, const Error*) { listener.close(); };
    return server;
  });
  REQUIRE(listener.listen("127.0.0.1", 0).ok());
  auto* client = new Probe(&f.loop, "client", log);
  bool deleted = false;
  bool deleted_inside_read = true;
  int reads_after_close = 0;
  client->deleted_flag = &deleted;
  client->read = [&](Probe& self, std::string_view) {
    if (self.closing()) {
      ++reads_after_close;
      return;
    }
    self.write("bye");  // Queued: a graceful close sends it first.
    if (abort_variant) {
      self.abort(make_error(Errc::protocol_error, "test abort"));
    } else {
      self.close();
    }
    // Still alive here: deletion waits for the close callbacks.
    deleted_inside_read = deleted;
    self.write("ignored");
    self.close();
    self.pause_reading();
    self.resume_reading();
    CHECK(self.closing());
  };
  client->connect("127.0.0.1", listener.port());
  f.run();
  CHECK_FALSE(deleted_inside_read);
  CHECK(deleted);
  CHECK(reads_after_close == 0);
  if (abort_variant) {
    CHECK(log.has("client:closed:test abort"));
  } else {
    CHECK(log.has("client:closed"));
  }
  CHECK(Probe::alive == 0);
  f.finish();
}

TEST_CASE("net: a refused accept and an abandoned connect leave nothing behind", "[unit][net]") {
  LoopFixture f;
  EventLog log;
  Listener listener(&f.loop, [](uv_loop_t*) -> Connection* { return nullptr; });
  REQUIRE(listener.listen("127.0.0.1", 0).ok());
  auto* client = new Probe(&f.loop, "client", log);
  client->closed = [&](Probe&, const Error*) { listener.close(); };
  client->read = [](Probe& self, std::string_view) { self.close(); };
  client->connect("127.0.0.1", listener.port());
  // A second client is closed before it ever connects (still resolving).
  auto* abandoned = new Probe(&f.loop, "abandoned", log);
  abandoned->connect("localhost", listener.port());
  abandoned->close();
  f.run();
  CHECK(log.has("client:closed"));  // EOF from the refused side.
  CHECK(log.has("abandoned:closed"));
  CHECK(log.has("abandoned:deleted"));
  CHECK(Probe::alive == 0);
  f.finish();
}

TEST_CASE("net: queue limit aborts a connection whose peer never reads", "[unit][net]") {
  LoopFixture f;
  EventLog log;
  Probe* server = nullptr;
  Listener listener(&f.loop, [&](uv_loop_t* loop) -> Connection* {
    server = new Probe(loop, "server", log);
    server->connected = [](Probe& self) { self.pause_reading(); };
    server->closed = [&](Probe&, const Error*) { server = nullptr; };
    return server;
  });
  REQUIRE(listener.listen("127.0.0.1", 0).ok());
  ConnectionLimits limits;
  limits.max_queued_bytes = 1024 * 1024;
  auto* client = new Probe(&f.loop, "client", log, limits);
  Errc code = Errc::internal;
  client->connected = [](Probe& self) {
    for (int i = 0; i < 40 && !self.closing(); ++i) self.write(std::string(64 * 1024, 'z'));
  };
  client->closed = [&](Probe&, const Error* reason) {
    if (reason != nullptr) code = reason->code;
    // Paused, the server would never see the EOF.
    if (server != nullptr) server->close();
    listener.close();
  };
  client->connect("127.0.0.1", listener.port());
  f.run();
  CHECK(code == Errc::limit_exceeded);
  f.finish();
}

TEST_CASE("net: close_loop aborts connections that are still open", "[unit][net]") {
  LoopFixture f;
  EventLog log;
  Listener listener(&f.loop,
                    [&](uv_loop_t* loop) -> Connection* { return new Probe(loop, "server", log); });
  REQUIRE(listener.listen("127.0.0.1", 0).ok());
  auto* client = new Probe(&f.loop, "client", log);
  client->connected = [&](Probe&) { listener.close(); };
  client->connect("127.0.0.1", listener.port());
  // Run until the server has accepted; both connections then idle forever.
  while (!log.has("server:connected") || !log.has("client:connected")) {
    uv_run(&f.loop, UV_RUN_ONCE);
  }
  CHECK(Connection::live_count(&f.loop) == 2);
  f.finish();
  CHECK(log.has("client:closed:shutting down"));
  CHECK(log.has("server:deleted"));
}
