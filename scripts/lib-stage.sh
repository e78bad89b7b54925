# shellcheck shell=bash
# Stage runner for the drivers (check.sh, demo.sh).  Sourced after lib.sh.
#
# A stage is one command.  Its output goes to $OUT/<stage>.log; the test
# cases it records with case_result (lib.sh) go to $OUT/results/<stage>.cases.
# A stage that records no case counts as one case: exit 0 passes, exit 77
# skips (fails when series/ has patches), anything else fails.  A stage whose prerequisites did not pass is
# "blocked" and not run.  $OUT/results/stages.tsv has one line per stage:
# name, result, seconds, log.  scripts/summary.py turns it into the verdict.
#
# Side lane: side_start FUNC runs FUNC (a function of run_stage calls) in
# the background at a lower CPU priority while the main line goes on, and
# side_wait collects it: its stages' lines join stages.tsv and
# STAGE_STATUS, its terminal output is printed then.  For single-threaded
# checks that need no build: they take the CPU time that the build's serial
# steps and the guests leave idle instead of adding their own.  A side
# stage's seconds are wall time beside the main line.  side_after NAME, in
# the lane, waits until the main line has run stage NAME and takes the
# main line's results so far for the lane's --needs.  side_stop (check.sh's
# EXIT trap) ends a lane that is still running when the main line stops
# early.

declare -A STAGE_STATUS=()
# Where run_stage writes its stage lines (the side lane has its own file).
STAGES_TSV=
SIDE_PID=

stages_init() {
	rm -rf "$OUT"
	mkdir -p "$OUT/results"
	STAGES_TSV=$OUT/results/stages.tsv
	: >"$STAGES_TSV"
	echo "outputs of this run: $OUT"
}

# _stage_failure_excerpt LOG: what to show on the terminal when a stage fails.
_stage_failure_excerpt() {
	if grep -q '^FAIL' "$1"; then
		grep -A8 '^FAIL' "$1" | grep -v '^--$' | head -60
	else
		tail -n 25 "$1"
	fi | sed 's/^/    | /'
}

# run_stage NAME [--needs A,B] -- CMD ARGS...
run_stage() {
	local name=$1 needs="" d st log cases pid rc=0 start secs status last_beat=0
	shift
	if [ "${1:-}" = --needs ]; then
		needs=$2
		shift 2
	fi
	[ "${1:-}" = -- ] && shift
	log=$OUT/$name.log
	cases=$OUT/results/$name.cases
	: >"$cases"
	for d in ${needs//,/ }; do
		st=${STAGE_STATUS[$d]:-not run}
		if [ "$st" != pass ]; then
			STAGE_STATUS[$name]=blocked
			printf '%s\tblocked\t0\t-\tneeds %s (%s)\n' "$name" "$d" "$st" >>"${STAGES_TSV:-$OUT/results/stages.tsv}"
			printf '[%s] %-18s BLOCKED (needs %s, which is %s)\n' "$(date +%T)" "$name" "$d" "$st"
			return 0
		fi
	done
	printf '[%s] %-18s ...\n' "$(date +%T)" "$name"
	start=$(date +%s)
	if [ "${V:-0}" = 1 ]; then
		set +e
		(VDT_CASES=$cases VDT_STAGE=$name "$@") 2>&1 </dev/null | tee "$log" | sed "s/^/  $name| /"
		rc=${PIPESTATUS[0]}
		set -e
	else
		(VDT_CASES=$cases VDT_STAGE=$name "$@") >"$log" 2>&1 </dev/null &
		pid=$!
		# Say something every minute so that a long build is not silent.
		while kill -0 "$pid" 2>/dev/null; do
			sleep 0.5
			secs=$(($(date +%s) - start))
			if [ $((secs - last_beat)) -ge 60 ]; then
				last_beat=$secs
				printf '           %-18s ... %d min: %s\n' "$name" $((secs / 60)) \
					"$(tail -n 1 "$log" 2>/dev/null | tr -d '\r' | cut -c1-90)"
			fi
		done
		wait "$pid" || rc=$?
	fi
	secs=$(($(date +%s) - start))
	# A stage may skip (exit 77) only when there is nothing to check: with
	# patches in series/, a skip would hide a check the series needs.
	if [ "$rc" = 77 ] && [ -n "$(series_patches)" ]; then
		printf 'fail\t%s\tskipped (exit 77) although %s has patches: %s\n' "$name" \
			"$SERIES" "$(tail -n 1 "$log")" >>"$cases"
	elif [ ! -s "$cases" ]; then
		case $rc in
		0) printf 'pass\t%s\t\n' "$name" >>"$cases" ;;
		77) printf 'skip\t%s\t%s\n' "$name" "$(tail -n 1 "$log")" >>"$cases" ;;
		*) printf 'fail\t%s\texit status %s\n' "$name" "$rc" >>"$cases" ;;
		esac
	elif [ "$rc" != 0 ] && [ "$rc" != 77 ] && ! grep -q '^fail' "$cases"; then
		printf 'fail\t%s\texit status %s\n' "$name" "$rc" >>"$cases"
	fi
	if grep -q '^fail' "$cases"; then
		status=fail
	elif grep -q '^pass' "$cases"; then
		status=pass
	else
		status=skip
	fi
	# A skipped stage satisfies --needs (e.g. no patches to check).
	STAGE_STATUS[$name]=$([ "$status" = skip ] && echo pass || echo "$status")
	printf '%s\t%s\t%s\t%s\t\n' "$name" "$status" "$secs" "$log" >>"${STAGES_TSV:-$OUT/results/stages.tsv}"
	printf '[%s] %-18s %s (%d s)  log: %s\n' "$(date +%T)" "$name" \
		"$(tr '[:lower:]' '[:upper:]' <<<"$status")" "$secs" "$log"
	if [ "$status" = fail ]; then
		_stage_failure_excerpt "$log"
	fi
	return 0
}

# side_start FUNC: run FUNC's stages one after the other in the background,
# niced; only one side lane at a time.
side_start() {
	[ -z "$SIDE_PID" ] || die "side_start: a side lane is running"
	: >"$OUT/results/side.tsv"
	(
		renice -n 10 -p "$BASHPID" >/dev/null
		# shellcheck disable=SC2030 # the lane writes its own file
		STAGES_TSV=$OUT/results/side.tsv
		"$1"
	) >"$OUT/results/side.console" 2>&1 </dev/null &
	SIDE_PID=$!
	printf '[%s] %-18s started beside the main line (%s)\n' "$(date +%T)" "side lane" "$1"
}

# side_after NAME: in the side lane, wait for the main line's stage NAME,
# then take the results of all the main line's stages so far (those that
# ran after side_start too) for the lane's --needs.  Fails (the lane
# stops) when the main line is gone.
side_after() {
	until grep -q "^$1"$'\t' "$OUT/results/stages.tsv"; do
		kill -0 "$$" 2>/dev/null || return 1
		sleep 2
	done
	_take_statuses "$OUT/results/stages.tsv"
}

# _take_statuses TSV: STAGE_STATUS from stage lines (a skip satisfies
# --needs, as in run_stage).
_take_statuses() {
	local name st rest
	while IFS=$'\t' read -r name st rest; do
		STAGE_STATUS[$name]=$([ "$st" = skip ] && echo pass || echo "$st")
	done <"$1"
}

# side_stop: end a side lane that is still running, with everything it
# started (a background job of a script ignores the terminal's SIGINT).
side_stop() {
	[ -n "$SIDE_PID" ] || return 0
	kill_tree "$SIDE_PID"
	wait "$SIDE_PID" 2>/dev/null || true
	SIDE_PID=
}

# side_wait: wait for the side lane; its stages count from here on.  Its
# terminal output is shown as it comes while the main line waits.  A lane
# that died before recording its stages fails the run.
side_wait() {
	local rc=0 shown=0 n
	[ -n "$SIDE_PID" ] || return 0
	while kill -0 "$SIDE_PID" 2>/dev/null; do
		n=$(wc -l <"$OUT/results/side.console")
		if [ "$n" -gt "$shown" ]; then
			sed -n "$((shown + 1)),${n}p" "$OUT/results/side.console"
			shown=$n
		fi
		sleep 2
	done
	wait "$SIDE_PID" || rc=$?
	SIDE_PID=
	sed -n "$((shown + 1)),\$p" "$OUT/results/side.console"
	_take_statuses "$OUT/results/side.tsv"
	cat "$OUT/results/side.tsv" >>"$OUT/results/stages.tsv"
	if [ "$rc" != 0 ]; then
		printf 'fail\tside-lane\tthe side lane exited with %s\n' "$rc" >"$OUT/results/side-lane.cases"
		printf 'side-lane\tfail\t0\t%s\t\n' "$OUT/results/side.console" >>"$OUT/results/stages.tsv"
	fi
}

# finish: print the summary; exit status 0 only when nothing failed.
finish() {
	side_wait
	python3 "$VDT_ROOT/scripts/summary.py" "$OUT" | tee "$OUT/summary.txt"
	! grep -q $'\tfail\t' "$OUT/results/stages.tsv" &&
		! grep -q $'\tblocked\t' "$OUT/results/stages.tsv"
}
