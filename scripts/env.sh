# Source this to use the project's Node 24 and pnpm: `. scripts/env.sh`
_tributary_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$_tributary_root/.tools/bin:$_tributary_root/node_modules/.bin:$PATH"
unset _tributary_root
