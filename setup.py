"""Build the toll Python package.

The C core is built by CMake from the same CMakeLists.txt as everything
else (one build, no second list of sources): the static library target
``toll_static`` (libtoll.a, position-independent) is configured into
``build/py-cmake`` and linked into the extension ``toll._core``, compiled
from ``python/*.c``.  cJSON and GSL flags come from pkg-config.

    pip install .                          # wheel build (isolated env)
    python setup.py build_ext --inplace    # dev build: python/toll/_core*.so

The extension is compiled with the project's warnings (CMakeLists.txt's
TOLL_WARNINGS, read from there).

Environment: TOLL_CMAKE_ARGS adds arguments to the CMake configure step;
TOLL_BUILD_JOBS sets the build parallelism (default: number of CPUs);
TOLL_WERROR=1 makes warnings errors, in the extension and in the C core.
"""
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))
CMAKE_BUILD_DIR = os.path.join(ROOT, "build", "py-cmake")
CMAKE_ARGS = [
    "-DTOLL_BUILD_TESTS=OFF",
    "-DTOLL_BUILD_CLI=ON",  # toll_cli_lib: the `toll` command of the package
    "-DTOLL_BUILD_SHARED=OFF",
    "-DCMAKE_BUILD_TYPE=Release",
    "-DCMAKE_POSITION_INDEPENDENT_CODE=ON",
]
WERROR = os.environ.get("TOLL_WERROR", "") not in ("", "0")
CMAKE_ARGS.append("-DTOLL_WERROR=" + ("ON" if WERROR else "OFF"))


def _warnings():
    """The warning flags of CMakeLists.txt's set(TOLL_WARNINGS ...), plus
    -Werror when TOLL_WERROR=1."""
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r"set\(TOLL_WARNINGS\s+([^)]*)\)", f.read())
    if not m:
        raise RuntimeError("CMakeLists.txt has no set(TOLL_WARNINGS ...)")
    flags = m.group(1).split()
    if WERROR:
        flags.append("-Werror")
    return flags


def _pkg_config(option, *packages):
    """Run pkg-config; return the split output ([] if unavailable)."""
    exe = shutil.which("pkg-config") or shutil.which("pkgconf")
    if not exe:
        return []
    try:
        out = subprocess.check_output([exe, option, *packages], text=True)
    except (OSError, subprocess.CalledProcessError):
        return []
    return shlex.split(out)


def _find_cmake():
    """The cmake on PATH (in an isolated build: PyPI's cmake), else the
    PyPI cmake module's binary."""
    exe = shutil.which("cmake")
    if exe:
        return exe
    try:
        import cmake  # PyPI package, listed in build-system.requires

        cand = os.path.join(cmake.CMAKE_BIN_DIR, "cmake")
        if os.path.exists(cand):
            return cand
    except ImportError:
        pass
    raise RuntimeError(
        "toll needs CMake to build its C core: pip install cmake "
        "(or apt-get install cmake)")


class CMakeBuildExt(build_ext):
    """build_ext that first builds libtoll.a and the `toll` program
    (libtoll_cli_lib.a) with CMake."""

    def _run(self, cmd):
        print("toll setup: " + " ".join(shlex.quote(c) for c in cmd),
              flush=True)
        subprocess.check_call(cmd, cwd=ROOT)

    def build_libtoll(self):
        cmake = _find_cmake()
        os.makedirs(CMAKE_BUILD_DIR, exist_ok=True)
        configure = [cmake, "-S", ROOT, "-B", CMAKE_BUILD_DIR, *CMAKE_ARGS,
                     *shlex.split(os.environ.get("TOLL_CMAKE_ARGS", ""))]
        try:
            self._run(configure)
        except subprocess.CalledProcessError:
            # A cache from another CMake or source tree: start afresh once.
            cache = os.path.join(CMAKE_BUILD_DIR, "CMakeCache.txt")
            if not os.path.exists(cache):
                raise
            shutil.rmtree(CMAKE_BUILD_DIR)
            os.makedirs(CMAKE_BUILD_DIR)
            self._run(configure)
        jobs = os.environ.get("TOLL_BUILD_JOBS") or str(os.cpu_count() or 1)
        self._run([cmake, "--build", CMAKE_BUILD_DIR, "--target",
                   "toll_static", "toll_cli_lib", "--parallel", jobs])
        return [self._built("libtoll_cli_lib.a"), self._built("libtoll.a")]

    @staticmethod
    def _built(name):
        """The path of a library the CMake build made."""
        lib = os.path.join(CMAKE_BUILD_DIR, name)
        if not os.path.exists(lib):
            found = glob.glob(os.path.join(CMAKE_BUILD_DIR, "**", name),
                              recursive=True)
            if not found:
                raise RuntimeError(f"CMake did not produce {name} in "
                                   + CMAKE_BUILD_DIR)
            lib = found[0]
        return lib

    def build_extension(self, ext):
        # the program (toll_cli_main) first: it needs the library after it
        libs = self.build_libtoll()
        ext.extra_objects = libs
        ext.depends = list(ext.depends) + libs
        cflags = _pkg_config("--cflags", "libcjson", "gsl", "libutf8proc",
                             "zlib")
        ext.include_dirs += [f[2:] for f in cflags if f.startswith("-I")]
        ext.extra_compile_args += [f for f in cflags
                                   if not f.startswith("-I")]
        libs = _pkg_config("--libs", "libcjson", "gsl", "libutf8proc", "zlib")
        ext.library_dirs += [f[2:] for f in libs if f.startswith("-L")]
        names = [f[2:] for f in libs if f.startswith("-l")]
        if not names:
            names = ["cjson", "gsl", "gslcblas", "utf8proc", "z"]
        for extra in ("m", "pthread"):
            if extra not in names:
                names.append(extra)
        ext.libraries = names
        static = os.environ.get("TOLL_STATIC_PREFIX")
        if static:
            self._link_static(ext, static)
        super().build_extension(ext)

    @staticmethod
    def _link_static(ext, prefix):
        """Link GSL and cJSON from `prefix` (static, position-independent:
        scripts/build-wheel.sh builds them) and utf8proc from its static
        library, so that the extension needs none of them at run time."""
        ext.include_dirs.insert(0, os.path.join(prefix, "include"))
        libdir = os.path.join(prefix, "lib")
        utf8 = [f[2:] for f in _pkg_config("--libs-only-L", "libutf8proc")]
        utf8 += [_pkg_config("--variable=libdir", "libutf8proc") or [""]][0]
        utf8 += ["/usr/lib/x86_64-linux-gnu", "/usr/lib", "/usr/local/lib"]
        archives = [os.path.join(libdir, n) for n in
                    ("libcjson.a", "libgsl.a", "libgslcblas.a")]
        found = [os.path.join(d, "libutf8proc.a") for d in utf8
                 if d and os.path.exists(os.path.join(d, "libutf8proc.a"))]
        if not found:
            raise RuntimeError("TOLL_STATIC_PREFIX: no libutf8proc.a found")
        archives.append(found[0])
        for a in archives:
            if not os.path.exists(a):
                raise RuntimeError(f"TOLL_STATIC_PREFIX: {a} is missing")
        ext.extra_objects = list(ext.extra_objects) + archives
        ext.libraries = [n for n in ext.libraries
                         if n not in ("cjson", "gsl", "gslcblas", "utf8proc")]


def _extension():
    sources = sorted(glob.glob(os.path.join("python", "*.c")))
    depends = (glob.glob(os.path.join("python", "*.h"))
               + glob.glob(os.path.join("include", "toll", "*.h")))
    compile_args = ["-std=c11", *_warnings()]
    link_args = []
    if sys.platform.startswith("linux"):
        # keep libtoll's symbols out of the extension's dynamic symbol table
        link_args.append("-Wl,--exclude-libs,ALL")
    return Extension(
        "toll._core",
        sources=sources,
        depends=depends,
        include_dirs=[os.path.join(ROOT, "include"), os.path.join(ROOT, "python")],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    )


setup(
    package_dir={"": "python"},
    packages=["toll"],
    package_data={"toll": ["py.typed", "_core.pyi"]},
    ext_modules=[_extension()],
    cmdclass={"build_ext": CMakeBuildExt},
    zip_safe=False,
)
