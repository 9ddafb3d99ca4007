# Install rules and Debian packages: one package per daemon (CPack DEB, one per component).
#   cd build && cpack -G DEB
# writes xmppfed-edge-proxy_<version>_<arch>.deb and xmppfed-frontend-gateway_<version>_<arch>.deb.
# The install rules describe the Debian layout with absolute paths (the units name
# /usr/sbin/...), so `cmake --install` installs to the same places; DESTDIR is honoured.
#   edge    -> xmppfed-edge-proxy        gateway -> xmppfed-frontend-gateway

set(XMPPFED_PACKAGE_MAINTAINER "xmppfed maintainers <xmppfed@localhost>" CACHE STRING
    "Maintainer field of the Debian packages")
set(pkg_dir ${PROJECT_BINARY_DIR}/packaging)

# One daemon's files: NAME is the binary, the package and the unit; CONF the file in /etc/xmppfed.
function(xmppfed_package component name conf)
  # Daemons that systemd starts and administrators run (--check-config): /usr/sbin, as the FHS
  # puts binaries for system administration rather than for every user.
  install(TARGETS ${name} RUNTIME DESTINATION /usr/sbin COMPONENT ${component})
  # CMake drops the build rpath at install; BoringSSL's directory must stay (Dependencies.cmake).
  set_target_properties(${name} PROPERTIES INSTALL_RPATH ${BORINGSSL_LIB_DIR})
  install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/${name}.service
          DESTINATION /lib/systemd/system COMPONENT ${component})
  install(FILES ${PROJECT_SOURCE_DIR}/deploy/debian/xmppfed.sysusers
          DESTINATION /usr/lib/sysusers.d RENAME ${name}.conf COMPONENT ${component})

  # The man page, with the project's version in its title line, compressed as Debian wants.
  configure_file(${PROJECT_SOURCE_DIR}/deploy/man/${name}.8.in ${pkg_dir}/man/${name}.8 @ONLY)
  execute_process(COMMAND gzip -9n -c ${pkg_dir}/man/${name}.8 OUTPUT_FILE ${pkg_dir}/man/${name}.8.gz
                  COMMAND_ERROR_IS_FATAL ANY)
  install(FILES ${pkg_dir}/man/${name}.8.gz DESTINATION /usr/share/man/man8
          COMPONENT ${component})

  # The example configuration from deploy/ becomes the package's conffile.
  install(FILES ${pkg_dir}/${conf} DESTINATION /etc/xmppfed COMPONENT ${component})
  file(WRITE ${pkg_dir}/${component}/conffiles "/etc/xmppfed/${conf}\n")
  foreach(script postinst prerm postrm)
    configure_file(${PROJECT_SOURCE_DIR}/deploy/debian/${name}.${script}
                   ${pkg_dir}/${component}/${script} COPYONLY)
  endforeach()
  string(TOUPPER ${component} c)
  set(CPACK_DEBIAN_${c}_PACKAGE_NAME ${name} PARENT_SCOPE)
  set(CPACK_DEBIAN_${c}_PACKAGE_CONTROL_EXTRA ${pkg_dir}/${component}/conffiles
      ${pkg_dir}/${component}/postinst ${pkg_dir}/${component}/prerm
      ${pkg_dir}/${component}/postrm PARENT_SCOPE)
endfunction()

# The edge's example goes out without its dialback secret: deploy/edge.example.json holds a
# placeholder that passes validation, and a daemon started with a secret printed in every copy
# of the package would let anyone forge dialback keys for the hosted domains. Without the key the
# edge refuses to start ("/s2s/dialback_secret: required key is missing") until it is set.
file(READ ${PROJECT_SOURCE_DIR}/deploy/edge.example.json edge_example)
string(REGEX REPLACE "\n *\"dialback_secret\": \"[^\"]*\"," "" edge_example "${edge_example}")
file(WRITE ${pkg_dir}/edge.json.new "${edge_example}")
configure_file(${pkg_dir}/edge.json.new ${pkg_dir}/edge.json COPYONLY)
configure_file(${PROJECT_SOURCE_DIR}/deploy/gateway.example.json ${pkg_dir}/gateway.json COPYONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/deploy/edge.example.json)

xmppfed_package(edge xmppfed-edge-proxy edge.json)
xmppfed_package(gateway xmppfed-frontend-gateway gateway.json)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME xmppfed)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${XMPPFED_PACKAGE_MAINTAINER}")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL edge gateway)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Runtime libraries come from the binaries (dpkg-shlibdeps, from dpkg-dev), BoringSSL's through
# the rpath to its android/ directory. systemd: the postinst runs systemd-sysusers, and the
# packages exist to run their daemon as a systemd service.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS systemd)
# Maintainer scripts 0755 and conffiles list 0644, whatever the umask of the build.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The build is RelWithDebInfo: the packaged binaries are stripped (a tenth of the size).
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_EDGE_DESCRIPTION "xmppfed edge proxy: XMPP federation for SIP platforms (DMZ host)
Terminates XMPP server-to-server federation (STARTTLS, Server Dialback) for the hosted
domains and relays authenticated stanzas to xmppfed-frontend-gateway over a mutually
authenticated TLS relay link. Holds no user data.")
set(CPACK_DEBIAN_GATEWAY_DESCRIPTION "xmppfed frontend gateway: XMPP federation for SIP platforms (internal host)
Dials xmppfed-edge-proxy over a mutually authenticated TLS relay link and translates
XMPP to SIP/SIMPLE and back (RFC 7247, RFC 7572): instant messages and presence, for the
users of an internal SIP proxy.")
include(CPack)
