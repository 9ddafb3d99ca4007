#include "edge-proxy/s2s_dialer.h"

namespace xf::edge {

S2sDialer::S2sDialer(net::DnsResolver& resolver, const S2sSettings& settings, dns::PickFn pick)
    : resolver_(resolver), settings_(settings), pick_(std::move(pick)) {}

std::unique_ptr<S2sDialer::Dial> S2sDialer::start(const std::string& domain, Logger log,
                                                  Done done) {
  std::unique_ptr<Dial> dial(new Dial(*this, domain, std::move(log), std::move(done)));
  dial->start();
  return dial;
}

S2sDialer::Dial::Dial(S2sDialer& dialer, std::string domain, Logger log, Done done)
    : dialer_(dialer), domain_(std::move(domain)), log_(std::move(log)), done_(std::move(done)) {}

S2sDialer::Dial::~Dial() { cancel(); }

void S2sDialer::Dial::cancel() {
  finished_ = true;
  for (net::DnsResolver::Ticket t : tickets_) dialer_.resolver_.cancel(t);
  tickets_.clear();
}

void S2sDialer::Dial::start() {
  if (auto route = dialer_.settings_.routes.find(domain_);
      route != dialer_.settings_.routes.end()) {
    const S2sRoute& r = route->second;
    log_.info("static route for ", domain_, ": ", r.to_string(),
              r.direct_tls ? " direct TLS" : " STARTTLS", " (no SRV lookup)");
    resolve_targets({xmpp::S2sTarget{r.host, r.port, r.direct_tls}}, "route");
    return;
  }
  tickets_.push_back(dialer_.resolver_.lookup_srv(
      xmpp::xmpps_server_srv_name(domain_),
      [this](dns::SrvAnswer answer) { srv_answered(true, std::move(answer)); }));
  tickets_.push_back(dialer_.resolver_.lookup_srv(
      xmpp::xmpp_server_srv_name(domain_),
      [this](dns::SrvAnswer answer) { srv_answered(false, std::move(answer)); }));
}

namespace {

std::string_view describe(const dns::SrvAnswer& answer) {
  if (answer.decidedly_unavailable()) return "\".\" (no service)";
  switch (answer.status) {
    case dns::SrvStatus::found: return "records";
    case dns::SrvStatus::no_records: return "no records";
    case dns::SrvStatus::failed: return "no answer";
  }
  return "?";
}

}  // namespace

void S2sDialer::Dial::srv_answered(bool direct_tls, dns::SrvAnswer answer) {
  (direct_tls ? xmpps_ : xmpp_) = std::move(answer);
  if (!xmpps_ || !xmpp_) return;
  tickets_.clear();
  log_.debug("SRV for ", domain_, ": _xmpps-server ", describe(*xmpps_), ", _xmpp-server ",
             describe(*xmpp_));
  if (xmpp_->status == dns::SrvStatus::failed || xmpps_->status == dns::SrvStatus::failed) {
    log_.warn("SRV lookup for ", domain_, " got no answer; going on with what there is");
  }
  xmpp::S2sTargets found =
      xmpp::s2s_targets(domain_, *xmpps_, *xmpp_,
                        static_cast<std::uint16_t>(dialer_.settings_.default_port), dialer_.pick_);
  if (found.unavailable) {
    finish(fail(Errc::not_found, domain_ + " publishes no s2s service (SRV)"));
    return;
  }
  std::vector<xmpp::S2sTarget> usable = std::move(found.targets);
  if (usable.size() > kMaxDialTargets) usable.resize(kMaxDialTargets);
  resolve_targets(std::move(usable), found.from_srv ? "SRV target" : "A/AAAA of");
}

void S2sDialer::Dial::resolve_targets(std::vector<xmpp::S2sTarget> targets,
                                      const std::string& how) {
  targets_ = std::move(targets);
  how_ = how;
  addresses_.assign(targets_.size(), std::nullopt);
  unanswered_ = targets_.size();
  std::string names;
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    names += (i == 0 ? "" : ", ") + targets_[i].host + ":" + std::to_string(targets_[i].port) +
             (targets_[i].direct_tls ? " (direct TLS)" : "");
    tickets_.push_back(dialer_.resolver_.lookup_addresses(
        targets_[i].host, targets_[i].port,
        [this, i](Result<std::vector<sockaddr_storage>> a) { target_resolved(i, std::move(a)); }));
  }
  log_.info("targets for ", domain_, " (", how_, "): ", names);
}

void S2sDialer::Dial::target_resolved(std::size_t index,
                                      Result<std::vector<sockaddr_storage>> addresses) {
  if (!addresses.ok()) {
    log_.info(how_, " ", targets_[index].host, ":", targets_[index].port,
              " has no address: ", addresses.error().detail);
  }
  addresses_[index] = std::move(addresses);
  if (--unanswered_ > 0) return;
  tickets_.clear();
  std::vector<DialEndpoint> endpoints;
  std::optional<Error> first_error;
  bool all_not_found = true;
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    const auto& a = *addresses_[i];
    if (!a.ok()) {
      if (!first_error) first_error = a.error();
      if (a.error().code != Errc::not_found) all_not_found = false;
      continue;
    }
    for (const sockaddr_storage& addr : *a) {
      endpoints.push_back(
          DialEndpoint{net::Endpoint{addr, how_ + " " + targets_[i].host + ":" +
                                               std::to_string(targets_[i].port) +
                                               (targets_[i].direct_tls ? " direct TLS" : "")},
                       targets_[i].direct_tls});
    }
  }
  if (endpoints.empty()) {
    Errc code = all_not_found ? Errc::not_found : first_error->code;
    finish(fail(code, "no address for " + domain_ + ": " + first_error->detail));
    return;
  }
  finish(std::move(endpoints));
}

void S2sDialer::Dial::finish(Result<std::vector<DialEndpoint>> result) {
  if (finished_) return;
  finished_ = true;
  // The session may close (and cancel this) from inside done: touch nothing afterwards.
  Done done = std::move(done_);
  done(std::move(result));
}

}  // namespace xf::edge
