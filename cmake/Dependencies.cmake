# Every dependency is a Debian package; scripts/setup.sh installs them.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv)
pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares)
pkg_check_modules(LIBIDN REQUIRED IMPORTED_TARGET libidn)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBOSIP2 REQUIRED IMPORTED_TARGET libosip2)
find_package(nlohmann_json 3 REQUIRED)

# BoringSSL from android-libboringssl-dev: headers and libraries live in android/ subdirectories
# so that they never clash with OpenSSL; binaries carry an rpath to find the .so at run time.
set(BORINGSSL_INCLUDE_DIR /usr/include/android)
set(BORINGSSL_LIB_DIR /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/android)
find_library(BORINGSSL_SSL NAMES ssl PATHS ${BORINGSSL_LIB_DIR} NO_DEFAULT_PATH REQUIRED)
find_library(BORINGSSL_CRYPTO NAMES crypto PATHS ${BORINGSSL_LIB_DIR} NO_DEFAULT_PATH REQUIRED)
add_library(boringssl INTERFACE)
target_include_directories(boringssl SYSTEM INTERFACE ${BORINGSSL_INCLUDE_DIR})
target_link_libraries(boringssl INTERFACE ${BORINGSSL_SSL} ${BORINGSSL_CRYPTO})
target_link_options(boringssl INTERFACE "-Wl,-rpath,${BORINGSSL_LIB_DIR}")

# A static library from a source list that may still be empty while a module is young.
function(xmppfed_library name)
  set(sources ${ARGN})
  if(sources)
    add_library(${name} STATIC ${sources})
    target_compile_options(${name} PRIVATE ${XMPPFED_WARNINGS})
    set(${name}_KIND PUBLIC PARENT_SCOPE)
  else()
    add_library(${name} INTERFACE)
    set(${name}_KIND INTERFACE PARENT_SCOPE)
  endif()
endfunction()

# Marks a library as sans-IO (no event loop, no sockets): headers in cmake/sans-io shadow
# <uv.h> and <ares.h> with an #error, so an include of either, direct or through a net-layer
# header, fails the compile; and configuring fails if the library's link line names libuv,
# c-ares or the net layer.
function(xmppfed_sans_io name)
  target_include_directories(${name} BEFORE PRIVATE ${PROJECT_SOURCE_DIR}/cmake/sans-io)
  get_target_property(libs ${name} LINK_LIBRARIES)
  foreach(lib IN LISTS libs)
    if(lib MATCHES "LIBUV|CARES|xmppfed_net|xmppfed_gw$|xmppfed_edge$")
      message(FATAL_ERROR "${name} is sans-IO and must not link ${lib}")
    endif()
  endforeach()
endfunction()
