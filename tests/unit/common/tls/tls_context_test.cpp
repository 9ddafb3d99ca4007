#include "common/tls/tls_context.h"

#include <catch2/catch.hpp>
#include <string>

#include "tls_test_util.h"

using tls_test::cert;
using tls_test::data_path;
using xf::tls::Context;
using xf::tls::ContextConfig;
using xf::tls::PeerVerify;

TEST_CASE("Context loads every certificate of a server", "[unit][tls]") {
  ContextConfig config;
  config.server = true;
  config.certs = {cert("a.example", "a.example"), cert("b.example", "b.example")};
  config.ca_file = data_path("ca.pem");
  config.alpn = {"xmpp-server"};
  auto ctx = Context::create(config);
  REQUIRE(ctx.ok());
  CHECK((*ctx)->native() != nullptr);
  CHECK((*ctx)->config().certs.size() == 2);
}

TEST_CASE("Context errors name the offending file", "[unit][tls]") {
  ContextConfig config;
  config.server = true;
  config.ca_file = data_path("ca.pem");

  SECTION("missing certificate file") {
    config.certs = {{"a.example", data_path("missing.pem"), data_path("a.example.key")}};
    auto ctx = Context::create(config);
    REQUIRE_FALSE(ctx.ok());
    CHECK(ctx.error().code == xf::Errc::config_error);
    CHECK_THAT(ctx.error().detail, Catch::Contains("missing.pem"));
  }
  SECTION("a file that is not a certificate") {
    config.certs = {{"a.example", data_path("make.sh"), data_path("a.example.key")}};
    auto ctx = Context::create(config);
    REQUIRE_FALSE(ctx.ok());
    CHECK_THAT(ctx.error().detail, Catch::Contains("make.sh"));
  }
  SECTION("key of another certificate, in a later entry") {
    config.certs = {cert("a.example", "a.example"),
                    {"b.example", data_path("b.example.pem"), data_path("other.key")}};
    auto ctx = Context::create(config);
    REQUIRE_FALSE(ctx.ok());
    CHECK_THAT(ctx.error().detail,
               Catch::Contains("other.key") && Catch::Contains("b.example.pem"));
  }
  SECTION("bad CA file") {
    config.certs = {cert("a.example", "a.example")};
    config.ca_file = data_path("a.example.key");
    auto ctx = Context::create(config);
    REQUIRE_FALSE(ctx.ok());
    CHECK_THAT(ctx.error().detail, Catch::Contains("a.example.key"));
  }
  SECTION("a server without certificates") {
    auto ctx = Context::create(config);
    REQUIRE_FALSE(ctx.ok());
    CHECK(ctx.error().code == xf::Errc::config_error);
  }
  SECTION("an empty ALPN id") {
    config.certs = {cert("a.example", "a.example")};
    config.alpn = {""};
    CHECK_FALSE(Context::create(config).ok());
  }
}

TEST_CASE("Context uses the system trust store when no CA file is given", "[unit][tls]") {
  ContextConfig config;
  config.verify = PeerVerify::required;
  auto ctx = Context::create(config);
  REQUIRE(ctx.ok());
  ContextConfig none;
  none.verify = PeerVerify::none;
  CHECK(Context::create(none).ok());
}
