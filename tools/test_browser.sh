# Sourced by run_tests.sh: make sure a headless Chromium is there for the browser tests
# (tests/browser: Playwright's Python package drives this browser), and export
# BACKDROP_TEST_CHROMIUM, its path.
#   1. $BACKDROP_TEST_CHROMIUM already set: used as it is.
#   2. `chromium` on the PATH: used.
#   3. otherwise, as root with apt-get: Debian's `chromium` package is installed (the package
#      lists are refreshed once if the first attempt finds nothing).
# Playwright's own browser download (`playwright install`) is never used: it needs a CDN.

ensure_test_browser() {
  [ -n "${BACKDROP_TEST_CHROMIUM:-}" ] && return 0
  if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q chromium >&2 || { apt-get update -q >&2 && apt-get install -y -q chromium >&2; }
  fi
  local found
  found=$(command -v chromium || true)
  if [ -z "$found" ]; then
    echo "no chromium for the browser tests: install Debian's chromium package" >&2
    return 1
  fi
  export BACKDROP_TEST_CHROMIUM="$found"
}
