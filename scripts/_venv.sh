# Shared by scripts/demo and scripts/test: a Python 3.11+ virtual environment in .venv.
# Sourced, not run.
require_python() {
  PYTHON=${PYTHON:-python3}
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "fieldapp needs Python 3.11 or newer; '$PYTHON' is $("$PYTHON" --version 2>&1)." >&2
    echo "Install it, or run with PYTHON=/path/to/python3.11." >&2
    exit 1
  fi
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  echo "Installing Debian packages: $*"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# make_venv LOCK: the exact, hash-checked versions in requirements/LOCK.txt, then fieldapp
# itself (editable, so a change shows without reinstalling; the wheel test checks the real install).
make_venv() {
  require_python
  if [ ! -x .venv/bin/python ]; then
    if ! "$PYTHON" -m venv .venv 2>/dev/null; then
      # Debian splits venv out of the interpreter package.
      rm -rf .venv
      apt_install python3-venv
      "$PYTHON" -m venv .venv
    fi
  fi
  # The pinned pip first: the one a new venv has cannot install the lock files (requirements/pip.txt).
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r requirements/pip.txt
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r "requirements/$1.txt"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
}
