# packaging/cpack.cmake: what the tlsring packages install, and CPack's
# .deb and .rpm settings. Included once, at the end of the top CMakeLists.txt.
#
#   cmake --build BUILD && (cd BUILD && cpack -G DEB)   # or -G RPM (needs rpmbuild)
#
# Package layout (prefix /usr):
#   /usr/bin/tlsring                         the binary (install rule in daemon/)
#   /usr/lib/systemd/system/tlsring.service  the unit (installed, neither enabled nor started)
#   /usr/lib/sysusers.d/tlsring.conf         the tlsring account
#   /usr/lib/tmpfiles.d/tlsring.conf         /etc/tlsring/keys, /var/lib/tlsring, /var/log/tlsring
#   /etc/tlsring/tlsring.yaml                config/tlsring.yaml with the journal as log target,
#                                            0640 root:tlsring (group set by the maintainer scripts)
#   /etc/tlsring/keys/                       0750 root:tlsring, empty: the operator's keys go here
#   /var/lib/tlsring/                        output.directory, 0750 tlsring:tlsring
#   /usr/share/man/man8/tlsring.8.gz         the manual
#   /usr/share/doc/tlsring/                  README.md, examples/demo.yaml
# Both files below are made at configure time (no build target): a change of
# their sources re-runs the configure step.

set(TLSRING_PKG_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(TLSRING_PKG_OUT ${PROJECT_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${TLSRING_PKG_OUT})

# The packaged config: the documented example, logging to the journal.
set(_tlsring_config_in ${PROJECT_SOURCE_DIR}/config/tlsring.yaml)
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${_tlsring_config_in} ${TLSRING_PKG_DIR}/man/tlsring.8)
file(READ ${_tlsring_config_in} _tlsring_config)
string(REGEX REPLACE "\n(  target:[ ]*)console" "\n\\1journal" _tlsring_packaged "${_tlsring_config}")
string(REGEX MATCH "\n  target:[ ]*journal" _tlsring_has_journal "${_tlsring_packaged}")
string(REGEX MATCH "\n  directory:[ ]*/var/lib/tlsring\n" _tlsring_has_state "${_tlsring_packaged}")
if(NOT _tlsring_has_journal OR NOT _tlsring_has_state)
  message(FATAL_ERROR "packaging/cpack.cmake: ${_tlsring_config_in} no longer has the lines "
          "'  target: console' (logging) and '  directory: /var/lib/tlsring' (output) that the "
          "packaged /etc/tlsring/tlsring.yaml is made from; update the REGEX in this file")
endif()
file(WRITE ${TLSRING_PKG_OUT}/tlsring.yaml "${_tlsring_packaged}")

# The manual, compressed as Debian wants it (-n: no name or time inside, so the
# package is reproducible).
execute_process(COMMAND gzip -9 -n -c ${TLSRING_PKG_DIR}/man/tlsring.8
                OUTPUT_FILE ${TLSRING_PKG_OUT}/tlsring.8.gz RESULT_VARIABLE _tlsring_gzip)
if(NOT _tlsring_gzip EQUAL 0)
  message(FATAL_ERROR "packaging/cpack.cmake: gzip of packaging/man/tlsring.8 failed (${_tlsring_gzip})")
endif()

# Install rules. Paths under /etc and /var are absolute on purpose: they do not
# move with the prefix.
set(_tlsring_read_only OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/tlsring.service
        DESTINATION lib/systemd/system PERMISSIONS ${_tlsring_read_only})
install(FILES ${PROJECT_SOURCE_DIR}/systemd/tlsring.sysusers
        DESTINATION lib/sysusers.d RENAME tlsring.conf PERMISSIONS ${_tlsring_read_only})
install(FILES ${PROJECT_SOURCE_DIR}/systemd/tlsring.tmpfiles
        DESTINATION lib/tmpfiles.d RENAME tlsring.conf PERMISSIONS ${_tlsring_read_only})
install(FILES ${TLSRING_PKG_OUT}/tlsring.8.gz DESTINATION share/man/man8 PERMISSIONS ${_tlsring_read_only})
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/tlsring PERMISSIONS ${_tlsring_read_only})
install(FILES ${PROJECT_SOURCE_DIR}/config/demo.yaml
        DESTINATION share/doc/tlsring/examples PERMISSIONS ${_tlsring_read_only})
install(FILES ${TLSRING_PKG_OUT}/tlsring.yaml DESTINATION /etc/tlsring
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(DIRECTORY DESTINATION /etc/tlsring/keys
        DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)
install(DIRECTORY DESTINATION /var/lib/tlsring
        DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)

# CPack, common part.
set(CPACK_PACKAGE_NAME tlsring)
set(CPACK_PACKAGE_VENDOR "tlsring")
set(CPACK_PACKAGE_CONTACT "tlsring maintainers <tlsring@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "TLS capture ring of a CTI server, decrypted in the background")
set(CPACK_PACKAGE_DESCRIPTION
    "tlsring records the TLS traffic of a CTI server (Genesys T-Server and the like) with\n"
    "libpcap into a ring of capture files rotated hourly, and decrypts every completed file\n"
    "in the background with the server's RSA private key (PEM, DER, PKCS#12) or a TLS key\n"
    "log. For every connection it writes a transcript, or why it could not be decrypted and\n"
    "what to do. The service is installed but not started: configure\n"
    "/etc/tlsring/tlsring.yaml, run tlsring check, then systemctl enable --now tlsring.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_SOURCE_GENERATOR "")
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)

# .deb
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)   # libpcap0.8, libssl3, libyaml-cpp0.7, ... from the binary
# passwd: useradd, where systemd-sysusers is absent; procps: /bin/kill, the
# unit's ExecReload (systemd itself does not bring it).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, procps")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "wireshark")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${TLSRING_PKG_DIR}/deb/conffiles
    ${TLSRING_PKG_DIR}/deb/postinst
    ${TLSRING_PKG_DIR}/deb/prerm
    ${TLSRING_PKG_DIR}/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# .rpm
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "Proprietary")
set(CPACK_RPM_PACKAGE_GROUP "Applications/System")
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_REQUIRES_PRE "shadow-utils")
set(CPACK_RPM_PACKAGE_REQUIRES "/usr/bin/kill")  # the unit's ExecReload
set(CPACK_RPM_PRE_INSTALL_SCRIPT_FILE ${TLSRING_PKG_DIR}/rpm/pre)
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${TLSRING_PKG_DIR}/rpm/post)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${TLSRING_PKG_DIR}/rpm/preun)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${TLSRING_PKG_DIR}/rpm/postun)
# rpm knows the group at install time (the pre script creates it), so the
# modes and owners are in the package itself.
set(CPACK_RPM_USER_FILELIST
    "%config(noreplace) %attr(0640,root,tlsring) /etc/tlsring/tlsring.yaml"
    "%dir %attr(0750,root,tlsring) /etc/tlsring/keys"
    "%dir %attr(0750,tlsring,tlsring) /var/lib/tlsring")
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/lib/systemd /usr/lib/systemd/system /usr/lib/sysusers.d /usr/lib/tmpfiles.d
    /usr/share/man /usr/share/man/man8 /var /var/lib)

include(CPack)
