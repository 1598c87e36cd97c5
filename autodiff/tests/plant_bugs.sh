#!/usr/bin/env bash
# Plants known bugs, one at a time, in a scratch copy of the workspace and reports
# whether `cargo test -p autodiff --release` catches each one, and with which test
# targets. With --old REV it also runs the autodiff tests as they were at REV on the
# same planted sources, to show what the earlier suite missed.
#
# Usage: autodiff/tests/plant_bugs.sh [--working] [--old REV] [BUG...]
#   --working  take autodiff/ from the working tree (default: everything from HEAD)
#   --old REV  also run REV's autodiff/tests against each plant
#   BUG        any of the names below (default: all of them)
# Environment: PLANT_DIR (scratch folder, default a fresh one under /tmp; the target
# folders inside it keep built dependencies between runs). Each tree has its own
# target folder: two copies of one workspace would share artifact names, and cargo
# would take one tree's planted build for the other's.
#
# The bugs (each is one substitution, checked to apply exactly once):
#   concat-offset     concat's VJP advances its running offset only for inputs that
#                     need a gradient (a constant input shifts the later windows)
#   sum-to-shape-block sum_to_shape's blocked path (leading axis summed, >= 131,072
#                     elements) drops its last partial block
#   softplus-guard    softplus's overflow guard uses f64's threshold (x > 700 -> x,
#                     else ln(1 + e^x)): e^x overflows f32 for 88.7 < x <= 700
#   softplus-vjp-guard softplus's VJP as e^x / (1 + e^x) below the same threshold:
#                     inf / inf = NaN in f32 for 88.7 < x <= 700
#   exp-f32-poly      the r^4 coefficient of the f32 exp polynomial off by 2% (an
#                     f32-only error of up to 1.2e-5 relative, 100 ulp)
#   softmax-unshifted softmax, log-softmax and logsumexp skip subtracting the row
#                     maximum (exact in real arithmetic; e^x overflows for large x)
#   max-last-tie      max's VJP sends a tie's gradient to the last maximal element,
#                     not the first as documented
set -euo pipefail

ALL_BUGS=(concat-offset sum-to-shape-block softplus-guard softplus-vjp-guard exp-f32-poly softmax-unshifted max-last-tie)

# The file and the perl substitution of each bug.
plant_file() {
  case "$1" in
    concat-offset) echo autodiff/src/ops/concat.rs ;;
    sum-to-shape-block) echo kernels/src/reduce.rs ;;
    softplus-guard | softplus-vjp-guard) echo autodiff/src/ops/softplus.rs ;;
    exp-f32-poly) echo kernels/src/exp.rs ;;
    softmax-unshifted) echo kernels/src/softmax.rs ;;
    max-last-tie) echo autodiff/src/ops/max.rs ;;
    *) echo "unknown bug $1" >&2; exit 2 ;;
  esac
}
plant_perl() {
  case "$1" in
    # Moves `offset += split.len;` from before `v.when(i, || {` into the closure.
    concat-offset) echo 's/[ \t]*(offset \+= split\.len;\n)([ \t]*)(v\.when\(i, \|\| \{\n)/$2$3$2    $1/g' ;;
    sum-to-shape-block) echo 's/for p in &partials\[1\.\.\] \{/for p in &partials[1..partials.len() - 1] {/g' ;;
    softplus-guard) echo 's/x\.max\(T::zero\(\)\) \+ \(-x\.abs\(\)\)\.exp\(\)\.ln_1p\(\)/if x > T::c(700.0) { x } else { x.exp().ln_1p() }/g' ;;
    softplus-vjp-guard) echo 's/fn df\(&self, x: T, _y: T\) -> T \{\n(\s*)logistic\(x\)/fn df(&self, x: T, _y: T) -> T {\n$1if x > T::c(700.0) { T::one() } else { x.exp() \/ (T::one() + x.exp()) }/g' ;;
    exp-f32-poly) echo 's/\* r \+ 4\.166_579_6e-2\)/* r + 4.25e-2)/g' ;;
    softmax-unshifted) echo 's/let m = lanes::max\(x\);/let m = lanes::max(x) * T::zero();/g' ;;
    max-last-tie) echo 's/\(0\.\.len\)\.find\(\|&k\| x\[at\(k\)\] == y\[j\]\)/(0..len).rev().find(|\&k| x[at(k)] == y[j])/g' ;;
  esac
}

WORKING=0
OLD=""
BUGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --working) WORKING=1 ;;
    --old) OLD="$2"; shift ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) BUGS+=("$1") ;;
  esac
  shift
done
[ ${#BUGS[@]} -eq 0 ] && BUGS=("${ALL_BUGS[@]}")

ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
DIR=${PLANT_DIR:-$(mktemp -d /tmp/plant-bugs.XXXXXX)}
mkdir -p "$DIR"
echo "scratch: $DIR"

# A tree at $1: HEAD (with the working tree's autodiff/ under --working), or REV's
# autodiff/tests over it for the old suite ($2).
make_tree() {
  local tree=$1 rev=${2:-}
  rm -rf "$tree" && mkdir -p "$tree"
  git -C "$ROOT" archive HEAD | tar -x -C "$tree"
  if [ "$WORKING" = 1 ]; then
    rm -rf "$tree/autodiff"
    (cd "$ROOT" && git ls-files -co --exclude-standard autodiff | tar -cf - -T -) | tar -x -C "$tree"
  fi
  if [ -n "$rev" ]; then
    rm -rf "$tree/autodiff/tests"
    git -C "$ROOT" archive "$rev" autodiff/tests | tar -x -C "$tree"
  fi
  # Newer than any earlier build in the kept target folder (an archive's files carry
  # the commit's time, which would let cargo reuse a planted build of a past run).
  find "$tree" -type f -exec touch {} +
}

# Runs the autodiff suite in tree $1 (log $2); prints "passed", "failed: <targets>",
# or "BUILD FAILED".
run_suite() {
  local tree=$1 log=$2
  if (cd "$tree" && CARGO_TARGET_DIR="$tree.target" cargo test -p autodiff --release --no-fail-fast --offline) >"$log" 2>&1; then
    echo "passed"
  else
    local targets
    targets=$(grep -oE '`-p autodiff --(test [a-z0-9_]+|lib)`' "$log" | sed -E 's/`-p autodiff --(test )?//; s/`//' | sort -u | tr '\n' ' ')
    if [ -z "$targets" ]; then
      echo "BUILD FAILED (see $log)"
    else
      echo "failed: ${targets% }"
    fi
  fi
}

# A bug's outcome from run_suite's: "caught by <targets>" or "MISSED".
verdict() {
  case "$1" in
    passed) echo "MISSED" ;;
    failed:*) echo "caught by ${1#failed: }" ;;
    *) echo "$1" ;;
  esac
}

# Applies bug $2 to tree $1 (exactly one substitution, else exit).
plant() {
  local tree=$1 bug=$2 file
  file=$(plant_file "$bug")
  cp "$tree/$file" "$tree/$file.orig"
  if ! BUG_SUB=$(plant_perl "$bug") perl -0777 -i -pe '$n += eval $ENV{BUG_SUB}; die $@ if $@; END { $? = $n == 1 ? 0 : 3 }' "$tree/$file"; then
    echo "bug $bug: the substitution did not apply exactly once to $file" >&2
    exit 3
  fi
}

unplant() {
  local tree=$1 file
  file=$(plant_file "$2")
  mv "$tree/$file.orig" "$tree/$file"
  touch "$tree/$file" # newer than the planted build, so cargo rebuilds
}

make_tree "$DIR/new"
[ -n "$OLD" ] && make_tree "$DIR/old" "$OLD"

printf '%-20s %s\n' "bug" "result"
printf '%-20s suite: %s\n' "(none planted)" "$(run_suite "$DIR/new" "$DIR/none-new.log")"
[ -n "$OLD" ] && printf '%-20s %s suite: %s\n' "" "$OLD" "$(run_suite "$DIR/old" "$DIR/none-old.log")"
for bug in "${BUGS[@]}"; do
  plant "$DIR/new" "$bug"
  printf '%-20s suite: %s\n' "$bug" "$(verdict "$(run_suite "$DIR/new" "$DIR/$bug-new.log")")"
  unplant "$DIR/new" "$bug"
  if [ -n "$OLD" ]; then
    plant "$DIR/old" "$bug"
    printf '%-20s %s suite: %s\n' "" "$OLD" "$(verdict "$(run_suite "$DIR/old" "$DIR/$bug-old.log")")"
    unplant "$DIR/old" "$bug"
  fi
done
echo "logs: $DIR/*.log"
