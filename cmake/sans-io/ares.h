// See uv.h beside this file: c-ares belongs to the net layer, as libuv does.
#error "this library is sans-IO and must not include c-ares: move the code to the net/runtime layer"
