#!/usr/bin/env bash
# Makes sure Postgres and RabbitMQ exist for `pnpm start` and the tests. When one is
# neither answering (at DATABASE_URL / AMQP_URL, default 127.0.0.1) nor installed:
# as root on Debian/Ubuntu it installs it from the distribution's packages and starts
# it; otherwise it prints the exact commands and fails. Docker users can skip this
# (TRIBUTARY_SKIP_SERVICES=1) and use `docker compose up` or testcontainers.
set -uo pipefail

[ "${TRIBUTARY_SKIP_SERVICES:-}" = "1" ] && exit 0

# host and port of a URL like postgres://user@host:5432/db (default port given)
host_port() {
  local rest=${1#*://}
  rest=${rest#*@}
  rest=${rest%%/*}
  rest=${rest%%\?*}
  case "$rest" in
    *:*) echo "${rest%%:*} ${rest##*:}" ;;
    *) echo "$rest $2" ;;
  esac
}
answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

read -r pg_host pg_port < <(host_port "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tributary}" 5432)
read -r mq_host mq_port < <(host_port "${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672}" 5672)

packages=()
if ! answers "$pg_host" "$pg_port" && ! command -v pg_ctlcluster >/dev/null 2>&1; then packages+=(postgresql); fi
if ! answers "$mq_host" "$mq_port" && ! command -v rabbitmq-server >/dev/null 2>&1; then packages+=(rabbitmq-server); fi
[ ${#packages[@]} -eq 0 ] && exit 0

# Where Debian keeps the clusters' configuration (a test points it elsewhere).
conf=${PG_CONF_DIR:-/etc/postgresql}
# Debian's Postgres asks loopback clients for a password; Tributary's default URL has none.
# Trust on loopback only, for this local development cluster.
trust_loopback='for f in '"$conf"'/*/main/pg_hba.conf; do sed -i -E "s/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/" "$f"; done'
start_pg='pg_ctlcluster --skip-systemctl-redirect "$(ls '"$conf"' | head -1)" main restart'
start_mq='rabbitmq-server -detached'

if [ "$(id -u)" -eq 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
  echo "bootstrap: installing ${packages[*]} from the distribution's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q "${packages[@]}" || { echo "bootstrap: apt-get install ${packages[*]} failed"; exit 1; }
  for package in "${packages[@]}"; do
    case "$package" in
      postgresql) bash -c "$trust_loopback" && bash -c "$start_pg" ;;
      rabbitmq-server) bash -c "$start_mq" ;;
    esac
  done
  exit 0
fi

sudo=sudo
[ "$(id -u)" -eq 0 ] && sudo=
echo "bootstrap: ${packages[*]} not installed and not answering (Postgres at $pg_host:$pg_port, RabbitMQ at $mq_host:$mq_port)."
echo "Install and start them with:"
echo "  $sudo apt-get update && $sudo apt-get install -y ${packages[*]}"
for package in "${packages[@]}"; do
  case "$package" in
    postgresql) echo "  $sudo bash -c '$trust_loopback'"; echo "  $sudo $start_pg" ;;
    rabbitmq-server) echo "  $sudo $start_mq" ;;
  esac
done
echo "or run them elsewhere and set DATABASE_URL / AMQP_URL, or use \`docker compose up\` (then TRIBUTARY_SKIP_SERVICES=1)."
exit 1
