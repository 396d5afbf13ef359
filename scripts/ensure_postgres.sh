#!/usr/bin/env bash
# Test-only system package: the PostgreSQL server binaries (initdb, pg_ctl) that tests/scale starts a private,
# loopback-only cluster with. Installs Debian's `postgresql` only when they are missing; never starts a server.
set -euo pipefail

have_server() {
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null
}

if have_server; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "ensure_postgres: PostgreSQL server binaries are missing and this user cannot install them;" \
             "install the Debian package 'postgresql' (or set NETTUNE_SKIP_POSTGRES=1 to skip those tests)" >&2
        exit 1
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_postgres: no apt-get here; install PostgreSQL's server (initdb, pg_ctl) with this system's" \
         "package manager (or set NETTUNE_SKIP_POSTGRES=1 to skip those tests)" >&2
    exit 1
fi
echo "ensure_postgres: installing Debian's postgresql (server binaries for the tests)" >&2
# The tests run their own cluster: keep the package from creating (and starting) a default one.
$SUDO mkdir -p /etc/postgresql-common
echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
have_server || { echo "ensure_postgres: installed postgresql but initdb/pg_ctl are still missing" >&2; exit 1; }
