#!/usr/bin/env bash
# Installs Debian's Chromium, which the dashboard's end-to-end tests drive through playwright-core.
# Quiet when it is already there. The tests never download a browser build of their own.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: /usr/bin/chromium is missing and apt-get is not available; install Chromium by hand" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ensure_chromium: not root and no sudo; run 'apt-get install -y chromium' as root" >&2
        exit 1
    fi
fi
echo "ensure_chromium: installing Debian's chromium (for the dashboard's end-to-end tests)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
