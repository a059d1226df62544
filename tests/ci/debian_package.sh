#!/usr/bin/env bash
# debian_package.sh BUILD_DIR CONSUMER_SOURCE MYSTORE_SOURCE CXX BUILD_TYPE [FLAGS]
# The Debian package as a CI image meets it (docs/ci.md): `cpack -G DEB` in
# the build tree; a Depends that comes from the linked shared libraries; the
# package unpacked with dpkg-deb -x; its logoffcheck certifying the bundled
# reference store (built in, and as the packaged provider library); the
# headers, the CMake package and the docs inside; and the package-consumer
# project (tests/package/consumer) built against the unpacked package, its
# conformance test passing and the regression test that the packaged
# logoffcheck emitted failing for its clause.
set -euo pipefail
build=$1 consumer=$2 mystore=$3 cxx=$4 build_type=$5 flags=${6:-}
here=$(cd "$(dirname "$0")" && pwd)
logoffcheck=unused
source "$here/../lib/scenario.sh"

cpack -G DEB -B "$scratch/deb" --config "$build/CPackConfig.cmake" >cpack.txt 2>&1 ||
  { cat cpack.txt >&2; fail "cpack -G DEB failed"; }
shopt -s nullglob
packages=("$scratch"/deb/logoffcheck_*.deb)
[[ ${#packages[@]} -eq 1 ]] || fail "expected one logoffcheck_*.deb, found ${packages[*]:-none}"
deb=${packages[0]}
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends" >&2
[[ $depends == *libc6* && $depends == *libstdc++6* ]] ||
  fail "Depends does not come from the linked libraries: '$depends'"

dpkg-deb -x "$deb" root
usr=$PWD/root/usr
for file in bin/logoffcheck include/logoffcheck/provider.h include/logoffcheck/sarif.h \
    lib/cmake/logoffcheck/logoffcheckConfig.cmake lib/liblogoffcheck_report.a \
    lib/logoffcheck/providers/liblogoffcheck_reference.so share/doc/logoffcheck/README.md \
    share/doc/logoffcheck/ci.md; do
  [[ -e $usr/$file ]] || fail "the package lacks /usr/$file"
done
# The Windows agent is inside when this build made it.
if [[ -f $build/harness/logoffcheck-agent.exe ]]; then
  [[ -f $usr/lib/logoffcheck/logoffcheck-agent.exe ]] || fail "the package lacks the agent"
fi

logoffcheck=$usr/bin/logoffcheck
run 0 certify --provider builtin:reference --cases 2000
expect_output "CONFORMANT"
run 0 certify --provider "$usr/lib/logoffcheck/providers/liblogoffcheck_reference.so" --cases 500
expect_output "CONFORMANT"

# The package consumer, against the unpacked package alone.
bash "$here/../package/emit_regression_test.sh" "$logoffcheck" "$scratch/emitted"
cmake --fresh -S "$consumer" -B consumer-build -G Ninja -DCMAKE_PREFIX_PATH="$usr" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE="$build_type" "-DCMAKE_CXX_FLAGS=$flags" \
  "-DCMAKE_EXE_LINKER_FLAGS=$flags" -DMYSTORE_SOURCE="$mystore" \
  -DREGRESSION_TEST_SOURCE="$scratch/emitted/regression_test.cpp" >configure.txt 2>&1 ||
  { cat configure.txt >&2; fail "the consumer does not configure against the package"; }
grep -q "logoffcheck_DIR:PATH=$usr/lib/cmake/logoffcheck" consumer-build/CMakeCache.txt ||
  fail "the consumer found another logoffcheck than the package's"
cmake --build consumer-build >build.txt 2>&1 || { cat build.txt >&2; fail "the consumer build"; }
consumer-build/conformance_test >conformance.txt 2>&1 ||
  { cat conformance.txt >&2; fail "the consumer's conformance test failed"; }
status=0
consumer-build/regression_test >regression.txt 2>&1 || status=$?
grep -q "LT-1 failed at step 3 (Release)" regression.txt ||
  { cat regression.txt >&2; fail "the emitted regression test does not fail for LT-1"; }
echo "package: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB" >&2
