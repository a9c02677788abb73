# shellcheck shell=bash
# Shared by scripts/test and scripts/serve (source it from the repository root).
#
# ensure_venv [EXTRAS]
#   Creates .venv with python3 if it is missing, then runs `pip install -e .[EXTRAS]` only when
#   pyproject.toml changed since the last install of those extras. The stamp files inside .venv
#   hold the sha256 of pyproject.toml. An install with extras also satisfies one without.

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "need root (or sudo) to run: $*" >&2
        return 1
    fi
}

# WeasyPrint (the reports' PDF) needs Pango and its FreeType backend; fonts-dejavu-core gives it
# (and the test's Chromium) fonts with the Danish letters.
pdf_packages_missing() {
    local pkg
    for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do
        [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)" = installed ] \
            || printf '%s\n' "$pkg"
    done
}

# Debian's python3 has no venv module until python3-venv is installed.
venv_package_needed() {
    [ ! -x .venv/bin/python ] && ! python3 -c 'import ensurepip' >/dev/null 2>&1
}

ensure_venv() {
    local extras="${1:-}"
    local spec="." stamp=".venv/.samskab-installed"
    if [ -n "$extras" ]; then
        spec=".[$extras]"
        stamp=".venv/.samskab-installed-$extras"
    fi
    if venv_package_needed; then
        echo "installing python3-venv"
        DEBIAN_FRONTEND=noninteractive as_root apt-get update -q
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q python3-venv
    fi
    if [ ! -x .venv/bin/python ]; then
        echo "creating .venv"
        python3 -m venv .venv
    fi
    local want
    want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [ -z "$extras" ]; then
        # Any earlier install from this pyproject.toml (with or without extras) will do.
        local f
        for f in .venv/.samskab-installed .venv/.samskab-installed-*; do
            if [ -f "$f" ] && [ "$(cat "$f")" = "$want" ]; then
                return 0
            fi
        done
    elif [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    echo "pip install -e '$spec' (first install, or pyproject.toml changed)"
    .venv/bin/pip install -q -e "$spec"
    printf '%s\n' "$want" >"$stamp"
}
