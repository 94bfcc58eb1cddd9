# Sourced by infra/lava/up: processes by pid, never by name. `pkill -f PATTERN` would also hit another user's (or
# another lab's) lava-run jobs and QEMUs; these follow only the process tree of a pid this script started.

# descendants PID: every process below PID (children, their children, ...), one pid a line, from one snapshot of the
# process table (ps; /proc/PID/task/*/children needs CONFIG_PROC_CHILDREN, which not every kernel has).
descendants() {
  ps -e -o pid= -o ppid= | awk -v root="$1" '
    { parent[$1] = $2 }
    END {
      n = 1; queue[1] = root
      for (i = 1; i <= n; i++) for (p in parent) if (parent[p] == queue[i]) { n++; queue[n] = p; print p }
    }'
}

# kill_tree PID: TERM to PID and all its descendants (listed first, so none is reparented out of reach), then KILL
# what is left after 10 s.
kill_tree() {
  local all p
  all="$(descendants "$1") $1"
  for p in $all; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 20); do
    local any=""
    for p in $all; do kill -0 "$p" 2>/dev/null && any=1; done
    [ -z "$any" ] && return 0
    sleep 0.5
  done
  for p in $all; do kill -9 "$p" 2>/dev/null || true; done
}
