// Placed first on the include path of every sans-IO library (cmake/Dependencies.cmake,
// xmppfed_sans_io): a protocol core that includes libuv, directly or through a header of the
// net layer, stops the build here instead of quietly growing a dependency on the event loop.
#error "this library is sans-IO and must not include libuv: move the code to the net/runtime layer"
