// Errors as values: every fallible call returns Result<T> (or Result<T, E> with a protocol
// condition as E). Exceptions are used only at the edges (config load, main).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace xf {

// Broad class of a failure; the detail string says what exactly went wrong.
enum class Errc {
  invalid_argument,  // A caller passed a value outside the function's contract.
  parse_error,       // Input bytes are not well-formed for the protocol being parsed.
  limit_exceeded,    // A configured bound (size, count, rate) was hit.
  not_found,         // A looked-up item does not exist.
  tls_error,         // The TLS library reported a failure (handshake, certificate, record).
  io_error,          // The operating system reported a failure (socket, file).
  timeout,           // A deadline passed before the operation completed.
  protocol_error,    // The peer broke the protocol's rules (wrong state, bad value).
  policy,            // Refused by configuration or policy.
  config_error,      // The configuration is invalid.
  internal,          // A bug or an impossible state; always worth a report.
};

const char* to_string(Errc code);

struct Error {
  Errc code = Errc::internal;
  std::string detail;
};

inline Error make_error(Errc code, std::string detail) { return Error{code, std::move(detail)}; }

template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected<std::decay_t<E>> fail(E&& e) {
  return {std::forward<E>(e)};
}
inline Unexpected<Error> fail(Errc code, std::string detail) {
  return {Error{code, std::move(detail)}};
}

// A value or an error. Deliberately small: ok(), value(), error(), operator->.
template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Unexpected<E> u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT
  template <class G>
  Result(Unexpected<G> u) : v_(std::in_place_index<1>, E(std::move(u.error))) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const E& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(Unexpected<E> u) : err_(std::move(u.error)), failed_(true) {}  // NOLINT
  template <class G>
  Result(Unexpected<G> u) : err_(E(std::move(u.error))), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const E& error() const { return err_; }

 private:
  E err_{};
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace xf
