#include "frontend-gateway/sip/transaction_layer.h"

namespace xf::sip {

namespace {

std::string client_key(std::string_view branch, std::string_view method) {
  return std::string(branch) + "|" + std::string(method);
}

std::string server_key(std::string_view branch, std::string_view sent_by, std::string_view method) {
  return std::string(branch) + "|" + std::string(sent_by) + "|" + std::string(method);
}

bool has_cookie(std::string_view branch) {
  return branch.size() > TransactionLayer::kMagicCookie.size() &&
         branch.substr(0, TransactionLayer::kMagicCookie.size()) == TransactionLayer::kMagicCookie;
}

}  // namespace

TransactionLayer::TransactionLayer(TransactionConfig config, TokenSource& tokens)
    : config_(config), tokens_(tokens) {}

std::string TransactionLayer::new_branch() {
  std::string out(kMagicCookie);
  tokens_.append_hex(out);
  return out;
}

Result<std::string> TransactionLayer::start_client(const SipMessage& request, Millis now) {
  if (!request.is_request()) return fail(Errc::invalid_argument, "not a request");
  const std::string method = request.method();
  if (method == "INVITE" || method == "ACK") {
    return fail(Errc::invalid_argument, "INVITE/ACK client transactions are not implemented");
  }
  const std::string branch = request.top_via_branch();
  if (!has_cookie(branch)) return fail(Errc::invalid_argument, "top Via lacks an RFC 3261 branch");
  if (request.cseq_method() != method) return fail(Errc::invalid_argument, "CSeq mismatch");
  if (clients_.size() + server_count() >= config_.max_transactions) {
    return fail(Errc::limit_exceeded, "too many SIP transactions");
  }
  std::string key = client_key(branch, method);
  auto [it, inserted] = clients_.try_emplace(key, method, now, config_.timers);
  if (!inserted) return fail(Errc::invalid_argument, "branch already in use");
  deadlines_.arm({true, key}, it->second.deadline());
  return key;
}

std::optional<ClientEvent> TransactionLayer::on_response(SipMessage response, Millis now) {
  (void)now;
  if (!response.is_response()) return std::nullopt;
  const std::string key = client_key(response.top_via_branch(), response.cseq_method());
  auto it = clients_.find(key);
  if (it == clients_.end()) {
    log_.debug("stray ", response.status_code(), " response for ", key, " dropped");
    return std::nullopt;
  }
  const auto event = it->second.on_response(response.status_code());
  if (event == ClientTransaction::Event::absorbed) return std::nullopt;
  ClientEvent out;
  out.id = key;
  if (event == ClientTransaction::Event::final) {
    out.kind = ClientEvent::Kind::final_response;
    deadlines_.disarm({true, key});
    clients_.erase(it);
  } else {
    out.kind = ClientEvent::Kind::provisional;
  }
  out.response = std::move(response);
  return out;
}

ServerMatch TransactionLayer::on_request(const SipMessage& request, Millis now) {
  ServerMatch out;
  const std::string branch = request.top_via_branch();
  if (!has_cookie(branch)) {
    // RFC 2543 matching (no magic cookie) is not supported: every current UA sends one.
    out.error = make_error(Errc::protocol_error, "top Via lacks an RFC 3261 branch");
    return out;
  }
  const std::string method = request.method();
  const std::string sent_by = request.top_via_sent_by();
  if (method == "ACK") {
    // An ACK for a non-2xx final response belongs to the INVITE server transaction (same
    // branch); an ACK for a 2xx is a transaction of its own and goes to the transaction user.
    out.kind = ServerMatch::Kind::ack;
    if (auto it = invites_.find(server_key(branch, sent_by, "INVITE")); it != invites_.end()) {
      if (it->second.on_ack() == InviteServerTransaction::AckVerdict::absorb) {
        out.kind = ServerMatch::Kind::retransmission;
      }
      out.id = it->first;
    }
    return out;
  }
  std::string key = server_key(branch, sent_by, method);
  if (auto it = servers_.find(key); it != servers_.end()) {
    out.kind = ServerMatch::Kind::retransmission;
    out.id = key;
    out.resend = it->second.last_response();
    return out;
  }
  if (auto it = invites_.find(key); it != invites_.end()) {
    out.kind = ServerMatch::Kind::retransmission;
    out.id = key;
    out.resend = it->second.resend();
    return out;
  }
  if (clients_.size() + server_count() >= config_.max_transactions) {
    out.error = make_error(Errc::limit_exceeded, "too many SIP transactions");
    return out;
  }
  if (method == "INVITE") {
    auto it = invites_.try_emplace(key, now, config_.timers).first;
    deadlines_.arm({false, key}, it->second.deadline());
  } else {
    auto it = servers_.try_emplace(key, now, config_.timers).first;
    deadlines_.arm({false, key}, it->second.deadline());
  }
  out.kind = ServerMatch::Kind::new_request;
  out.id = std::move(key);
  return out;
}

Result<std::string> TransactionLayer::send_response(const SipMessage& response, Millis now) {
  if (!response.is_response()) return fail(Errc::invalid_argument, "not a response");
  const std::string key =
      server_key(response.top_via_branch(), response.top_via_sent_by(), response.cseq_method());
  if (auto inv = invites_.find(key); inv != invites_.end()) {
    if (!inv->second.may_send(response.status_code())) {
      return fail(Errc::protocol_error, "final response already sent");
    }
    auto bytes = response.to_string();
    if (!bytes) return bytes;
    inv->second.on_response_sent(response.status_code(), *bytes, now);
    deadlines_.arm({false, key}, inv->second.deadline());
    return bytes;
  }
  auto it = servers_.find(key);
  if (it == servers_.end()) {
    // Never started, or ended by its final response (Timer J is zero on reliable transports).
    return fail(Errc::not_found, "no server transaction for response (a final one was sent?)");
  }
  auto bytes = response.to_string();
  if (!bytes) return bytes;
  it->second.on_response_sent(response.status_code(), *bytes);
  if (it->second.state() == ServerTransaction::State::terminated) {
    deadlines_.disarm({false, key});
    servers_.erase(it);
  }
  return bytes;
}

std::vector<ClientEvent> TransactionLayer::on_timer(Millis now) {
  std::vector<ClientEvent> out;
  std::pair<bool, std::string> due;
  while (deadlines_.take_one_due(now, due)) {
    const auto& [client, key] = due;
    if (client) {
      auto it = clients_.find(key);
      if (it != clients_.end() && it->second.on_timer(now)) {
        clients_.erase(it);
        ClientEvent event;
        event.kind = ClientEvent::Kind::timeout;
        event.id = key;
        out.push_back(std::move(event));
      }
    } else {
      auto it = servers_.find(key);
      if (it != servers_.end() && it->second.on_timer(now)) {
        if (it->second.last_response().empty()) {
          log_.warn("server transaction ", key, " abandoned: no response within 64*T1");
        }
        servers_.erase(it);
      }
      auto inv = invites_.find(key);
      if (inv != invites_.end() && inv->second.on_timer(now)) {
        if (inv->second.last_response().empty()) {
          log_.warn("INVITE transaction ", key, " abandoned: no response within 64*T1");
        } else if (inv->second.ack_missing()) {
          log_.info("INVITE transaction ", key, ": no ACK for the final response (Timer H)");
        }
        invites_.erase(inv);
      }
    }
  }
  return out;
}

std::optional<InviteServerTransaction::State> TransactionLayer::invite_state(
    const std::string& id) const {
  auto it = invites_.find(id);
  if (it == invites_.end()) return std::nullopt;
  return it->second.state();
}

Millis TransactionLayer::next_deadline() const { return deadlines_.next(); }

}  // namespace xf::sip
