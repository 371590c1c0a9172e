#!/usr/bin/env bash
# Makes sure the machine's Postgres and RabbitMQ answer, starting them if they are
# installed but down. Never stops them: other work on this machine shares them.
set -uo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
amqp_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }

if ! pg_up && [ -d /etc/postgresql ]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if ! amqp_up && command -v rabbitmq-server >/dev/null 2>&1; then
  rabbitmq-server -detached || true
fi
for _ in $(seq 1 60); do
  if pg_up && amqp_up; then exit 0; fi
  sleep 1
done
pg_up || echo "Postgres is not answering on 127.0.0.1:5432"
amqp_up || echo "RabbitMQ is not answering on 127.0.0.1:5672"
exit 1
