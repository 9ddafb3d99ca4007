// The router's GatewayPort over one accepted relay channel. EdgeRuntime owns it and drops it
// when the channel closes; the channel itself belongs to the loop.
#pragma once

#include <cstdint>
#include <string>

#include "common/net/relay_channel.h"
#include "edge-proxy/gateway_port.h"

namespace xf::edge {

class GatewayLink final : public GatewayPort {
 public:
  GatewayLink(std::uint64_t id, net::RelayChannel& channel) : id_(id), channel_(channel) {}

  std::uint64_t id() const override { return id_; }
  const std::string& name() const override { return channel_.peer_identity(); }
  std::size_t queued_bytes() const override { return channel_.queued_bytes(); }
  Result<std::uint64_t> send(const relay::Message& message) override {
    return channel_.send(message);
  }
  void complete(relay::Receipt receipt) override { channel_.complete(receipt); }
  void set_reading(bool on) override;
  std::string describe() const override;

 private:
  std::uint64_t id_;
  net::RelayChannel& channel_;
};

}  // namespace xf::edge
