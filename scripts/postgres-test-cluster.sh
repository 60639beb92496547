#!/bin/sh
# A private PostgreSQL cluster for the tests: `initdb` into a folder of its own, `pg_ctl start` on a loopback
# port, stopped and removed by `stop`. Installs nothing (Debian: apt-get install postgresql openssl).
#
#   scripts/postgres-test-cluster.sh start   # prints the environment to use (eval "$(… start)")
#   scripts/postgres-test-cluster.sh env     # prints it again for a running cluster
#   scripts/postgres-test-cluster.sh stop    # stops the server and removes the folder
#
# As root the server runs as an unprivileged user ($SLUICE_PG_USER, default `postgres`, which Debian's package
# creates); otherwise as the calling user. Settings: $SLUICE_PG_DIR (default ${TMPDIR:-/tmp}/sluice-pg-<uid>),
# $SLUICE_PG_PORT (default: the first free port from 55432), $PG_BIN (default: the newest
# /usr/lib/postgresql/*/bin; never a wrapper found on PATH).
#
# Host connections need a password (scram-sha-256, a random one per cluster); the socket in the folder is trust.
# With openssl available, the server also speaks TLS with a certificate for `localhost` from a private CA, and
# SLUICE_TEST_POSTGRES_TLS_URL (sslmode=verify-full) is printed as well.
set -eu

command=${1:-}
uid=$(id -u)
dir=${SLUICE_PG_DIR:-${TMPDIR:-/tmp}/sluice-pg-$uid}
run_as=""
if [ "$uid" = "0" ]; then run_as=${SLUICE_PG_USER:-postgres}; fi

fail() { echo "postgres-test-cluster: $*" >&2; exit 1; }

find_bin() {
    if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$found" ] || fail "no /usr/lib/postgresql/*/bin: install PostgreSQL (Debian: apt-get install postgresql)"
    echo "$found"
}

# Runs a command as the cluster's user.
as_owner() {
    if [ -n "$run_as" ]; then runuser -u "$run_as" -- "$@"; else "$@"; fi
}

print_env() {
    [ -f "$dir/env" ] || fail "no cluster in $dir (run: $0 start)"
    cat "$dir/env"
}

free_port() {
    port=${SLUICE_PG_PORT:-55432}
    bin=$1
    while [ "$port" -lt 55532 ]; do
        # pg_isready exits 2 when nothing answers on the port.
        if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 >/dev/null 2>&1 || [ $? -ne 2 ]; then
            [ -n "${SLUICE_PG_PORT:-}" ] && fail "port $port is taken"
            port=$((port + 1))
        else
            echo "$port"; return
        fi
    done
    fail "no free port in 55432-55531"
}

make_certificates() {
    command -v openssl >/dev/null 2>&1 || return 1
    tls="$dir/tls"
    mkdir -p "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=sluice test CA" \
        -keyout "$tls/ca.key" -out "$tls/ca.crt" >/dev/null 2>&1 || return 1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$tls/server.key" -out "$tls/server.csr" >/dev/null 2>&1 || return 1
    printf 'subjectAltName=DNS:localhost\n' > "$tls/ext"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
        -days 30 -extfile "$tls/ext" -out "$tls/server.crt" >/dev/null 2>&1 || return 1
    chmod 0600 "$tls/server.key"
    [ -n "$run_as" ] && chown "$run_as" "$tls/server.key" "$tls/server.crt"
    chmod 0644 "$tls/ca.crt"
    return 0
}

start() {
    bin=$(find_bin)
    if [ -f "$dir/env" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        print_env; return
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 0755 "$dir"
    port=$(free_port "$bin")
    password=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
    umask 077
    printf '%s\n' "$password" > "$dir/password"
    if [ -n "$run_as" ]; then
        chown "$run_as" "$dir" "$dir/password"
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U sluice -E UTF8 --locale=C.UTF-8 --pwfile="$dir/password" \
        --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; fail "initdb failed"; }
    rm -f "$dir/password"
    umask 022
    tls_url=""
    if make_certificates; then
        {
            echo "ssl = on"
            echo "ssl_cert_file = '$dir/tls/server.crt'"
            echo "ssl_key_file = '$dir/tls/server.key'"
        } | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
        tls_url="postgresql://sluice@localhost:$port/sluice?sslmode=verify-full&sslrootcert=$dir/tls/ca.crt"
    fi
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$dir'"
        echo "max_connections = 200"
        echo "shared_buffers = 128MB"
        echo "max_wal_size = 2GB"
        echo "log_min_messages = warning"
    } | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; fail "the server did not start"; }
    as_owner "$bin/psql" -h "$dir" -p "$port" -U sluice -d postgres -q -c "CREATE DATABASE sluice" >/dev/null
    {
        echo "export SLUICE_TEST_POSTGRES_URL='postgresql://sluice@127.0.0.1:$port/sluice?sslmode=disable'"
        echo "export SLUICE_TEST_POSTGRES_PASSWORD='$password'"
        [ -n "$tls_url" ] && echo "export SLUICE_TEST_POSTGRES_TLS_URL='$tls_url'"
        echo "export SLUICE_TEST_POSTGRES_BIN='$bin'"
        echo "export SLUICE_TEST_POSTGRES_SOCKET='$dir'"
        echo "export SLUICE_TEST_POSTGRES_PORT='$port'"
    } > "$dir/env"
    chmod 0600 "$dir/env"
    print_env
}

stop() {
    [ -d "$dir" ] || return 0
    bin=$(find_bin)
    if [ -d "$dir/data" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "$command" in
    start) start ;;
    stop) stop ;;
    env) print_env ;;
    *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
