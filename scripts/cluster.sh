#!/usr/bin/env bash
# Two CodeMentor nodes on this machine, as a school or company would run them: PostgreSQL for the data, Redis for
# what the nodes share, and nginx in front keeping each browser on one node (Blazor circuits are per node).
#
#   bash scripts/cluster.sh start    # installs what is missing (Debian), starts everything, prints the addresses
#   bash scripts/cluster.sh stop     # stops everything it started
#
# Everything lives in $CLUSTER_DIR (default /tmp/codementor-cluster) and is thrown away by `stop`.
# Ports: PROXY_PORT (5200), NODE_A_PORT (5201), NODE_B_PORT (5202), PG_PORT (55432), REDIS_PORT (56379).
# A real key: export GROQ_API_KEY first (else both nodes use the offline simulator).
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${CLUSTER_DIR:-/tmp/codementor-cluster}"
proxy_port="${PROXY_PORT:-5200}"; node_a_port="${NODE_A_PORT:-5201}"; node_b_port="${NODE_B_PORT:-5202}"
pg_port="${PG_PORT:-55432}"; redis_port="${REDIS_PORT:-56379}"
as_postgres=()
[ "$(id -u)" -eq 0 ] && as_postgres=(runuser -u postgres --) # PostgreSQL refuses to run as root

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

stop() {
  for node in a b; do
    [ -f "$dir/node-$node.pid" ] && kill "$(cat "$dir/node-$node.pid")" 2>/dev/null || true
  done
  for node in a b; do # a node finishes its replies and writes before it exits
    pid=$(cat "$dir/node-$node.pid" 2>/dev/null || true)
    for _ in $(seq 1 60); do { [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; } && break; sleep 0.5; done
  done
  [ -f "$dir/nginx/nginx.pid" ] && nginx -p "$dir/nginx" -c nginx.conf -s stop 2>/dev/null || true
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  [ -d "$dir/pg" ] && "${as_postgres[@]}" "$(pg_bin)/pg_ctl" -D "$dir/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  echo "Stopped; $dir removed."
}

wait_ready() { # url, what
  for _ in $(seq 1 120); do
    curl -fsS "$1/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "$2 did not become ready; see $dir/*.log"; exit 1
}

start() {
  missing=()
  [ -n "$(pg_bin)" ] || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v nginx >/dev/null || missing+=(nginx)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    echo "Installing Debian's ${missing[*]}..."
    $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  [ -e "$dir" ] && { echo "$dir exists: run 'bash scripts/cluster.sh stop' first."; exit 1; }
  mkdir -p "$dir/nginx"

  echo "PostgreSQL on port $pg_port..."
  mkdir -p "$dir/pg"
  [ ${#as_postgres[@]} -gt 0 ] && chown postgres:postgres "$dir" "$dir/pg"
  "${as_postgres[@]}" "$(pg_bin)/initdb" -D "$dir/pg" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
  "${as_postgres[@]}" "$(pg_bin)/pg_ctl" -D "$dir/pg" -l "$dir/pg/server.log" -w \
    -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1" start >/dev/null
  "$(pg_bin)/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE codementor" >/dev/null

  echo "Redis on port $redis_port..."
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"

  echo "Publishing CodeMentor.Web..."
  dotnet publish CodeMentor.Web -c Release -o "$dir/app" --nologo -v quiet >/dev/null

  export CODEMENTOR_DB_PROVIDER=postgres
  export CODEMENTOR_DB_CONNECTION="Host=127.0.0.1;Port=$pg_port;Database=codementor;Username=postgres"
  export REDIS_URL="redis://127.0.0.1:$redis_port"
  # One after the other: the first applies the migrations, the second finds them applied.
  for node in a b; do
    port=$node_a_port; [ "$node" = b ] && port=$node_b_port
    echo "Node $node on port $port..."
    (cd "$dir/app" && ASPNETCORE_URLS="http://127.0.0.1:$port" exec nohup dotnet CodeMentor.Web.dll \
      >"$dir/node-$node.log" 2>&1 </dev/null) &
    echo $! >"$dir/node-$node.pid"
    wait_ready "http://127.0.0.1:$port" "Node $node"
  done

  # ip_hash keeps a client on one node (a Blazor circuit lives on the node that made it); WebSockets pass through.
  cat >"$dir/nginx/nginx.conf" <<EOF
pid nginx.pid;
error_log error.log;
events {}
http {
  access_log off;
  client_body_temp_path tmp; proxy_temp_path tmp; fastcgi_temp_path tmp; uwsgi_temp_path tmp; scgi_temp_path tmp;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  upstream codementor { ip_hash; server 127.0.0.1:$node_a_port; server 127.0.0.1:$node_b_port; }
  server {
    listen 127.0.0.1:$proxy_port;
    client_max_body_size 4m;
    location / {
      proxy_pass http://codementor;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$host:\$server_port;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_read_timeout 1h;
      proxy_buffering off;
    }
  }
}
EOF
  mkdir -p "$dir/nginx/tmp"
  nginx -p "$dir/nginx" -c nginx.conf </dev/null >/dev/null 2>&1
  wait_ready "http://127.0.0.1:$proxy_port" "nginx"

  cat <<EOF

CodeMentor runs on two nodes:
  through nginx (use this):  http://127.0.0.1:$proxy_port
  node A directly:           http://127.0.0.1:$node_a_port   (log: $dir/node-a.log)
  node B directly:           http://127.0.0.1:$node_b_port   (log: $dir/node-b.log)
  readiness of each node:    curl http://127.0.0.1:$node_a_port/health/ready
Sign in through one node and open the other directly: the same session works (keys shared in Redis).
Stop with: bash scripts/cluster.sh stop
EOF
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: bash scripts/cluster.sh [start|stop]"; exit 2 ;;
esac
