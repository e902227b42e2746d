# Sourced by the scripts: `tb_step "what" command args...` says what it does, runs the command with its output
# in a log file, shows the elapsed time while it runs (redrawn in place on a terminal, a line every 15 s
# elsewhere), and prints the log's tail if the command fails. TB_STEP_LOG names the log (default: a temp file).
tb_step() {
  local what=$1; shift
  local log=${TB_STEP_LOG:-$(mktemp -t tensorbridge-step.XXXXXX)}
  local start=$SECONDS tty=0 pid rc
  [[ -t 2 && ${TERM:-dumb} != dumb ]] && tty=1
  if ((tty)); then printf 'tensorbridge: %s ...' "$what" >&2; else echo "tensorbridge: $what ..." >&2; fi
  "$@" >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    local elapsed=$((SECONDS - start))
    if ((tty)); then
      printf '\rtensorbridge: %s ... %d s' "$what" "$elapsed" >&2
    elif ((elapsed > 0 && elapsed % 15 == 0)) && kill -0 "$pid" 2>/dev/null; then
      echo "tensorbridge:   still $what (${elapsed} s)" >&2
    fi
  done
  wait "$pid" && rc=0 || rc=$?
  local elapsed=$((SECONDS - start))
  ((tty)) && printf '\r\033[K' >&2
  if ((rc == 0)); then
    echo "tensorbridge: $what: done in ${elapsed} s" >&2
    [[ -n ${TB_STEP_LOG:-} ]] || rm -f "$log"
  else
    echo "tensorbridge: $what: FAILED after ${elapsed} s (exit $rc); the end of its log ($log):" >&2
    tail -n 40 "$log" >&2
  fi
  return "$rc"
}
