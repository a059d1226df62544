# The Debian package (docs/ci.md, "A Debian package"): `cpack -G DEB` in a
# build tree makes logoffcheck_<version>_<arch>.deb with everything
# `cmake --install` installs: the CLI, the Windows agent when mingw-w64 built
# it, the reference store as a provider library, the headers, the static
# libraries and the CMake package, and the docs. Depends comes from the
# shared libraries the binaries link (dpkg-shlibdeps, from dpkg-dev); what
# the CMake package's users need to build against it is recommended.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME logoffcheck)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "verifier of the MAPI message-store logoff contract (StoreLogoff)")
set(CPACK_PACKAGE_DESCRIPTION
  "logoffcheck checks a MAPI message-store provider against a formal model of the
IMsgStore::StoreLogoff contract: random and exhaustive call sequences, concurrent
histories judged for linearizability, minimal counterexamples naming the broken
clause, and reports as JSON, JUnit, SARIF and HTML. The package holds the
command line, the headers and static libraries a provider author's tests link,
and logoffcheck's CMake package.")
set(CPACK_PACKAGE_CONTACT "logoffcheck developers")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The binaries without their debug info (the static libraries keep theirs).
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "librapidcheck-dev, nlohmann-json3-dev, libgtest-dev")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "wine, wine64")
include(CPack)
