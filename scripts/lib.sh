# shellcheck shell=bash
# Helpers sourced by the scripts in this folder: logging and JDK selection.
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Set LOG_TAG before (or after) sourcing to change the message prefix.

: "${LOG_TAG:=setup}"
MIN_JDK=21

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$LOG_TAG" "$*" >&2; }
die() {
  printf '[%s] ERROR: %s\n' "$LOG_TAG" "$*" >&2
  exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Seconds since the epoch, for timing summaries.
now() { date +%s; }

# Prints the feature version (8, 17, 21, 25, ...) of the given java binary, or nothing.
java_major() {
  local java_bin=$1 version
  [ -x "$java_bin" ] || return 0
  # first line looks like: openjdk version "17.0.15" 2025-04-15 | java version "1.8.0_402" | ... "25" ...
  version=$("$java_bin" -version 2>&1 | awk -F'"' '/version "/ { print $2; exit }')
  case "$version" in
    1.*) version=${version#1.} ;;
  esac
  version=${version%%[.+-]*}
  case "$version" in
    '' | *[!0-9]*) return 0 ;;
  esac
  printf '%s\n' "$version"
}

# Candidate JDK homes: JAVA_HOME first, then every JDK under /usr/lib/jvm, then java on PATH.
jdk_candidates() {
  [ -n "${JAVA_HOME:-}" ] && printf '%s\n' "$JAVA_HOME"
  local dir
  for dir in /usr/lib/jvm/*/; do
    [ -d "$dir" ] && printf '%s\n' "${dir%/}"
  done
  local java_on_path
  java_on_path=$(command -v java || true)
  if [ -n "$java_on_path" ]; then
    java_on_path=$(readlink -f "$java_on_path")
    printf '%s\n' "${java_on_path%/bin/java}"
  fi
}

# Exports JAVA_HOME (and puts its bin/ first on PATH) for a JDK >= MIN_JDK:
# JAVA_HOME as given if it is new enough, else the newest JDK found. Dies with advice otherwise.
pick_jdk() {
  local given=${JAVA_HOME:-} best='' best_major=0 home major
  if [ -n "$given" ]; then
    major=$(java_major "$given/bin/java")
    if [ -n "$major" ] && [ "$major" -ge "$MIN_JDK" ] && [ -x "$given/bin/javac" ]; then
      best=$given best_major=$major
    else
      warn "JAVA_HOME=$given is not a JDK >= $MIN_JDK (java ${major:-not found}); looking for another"
    fi
  fi
  if [ -z "$best" ]; then
    while IFS= read -r home; do
      [ -x "$home/bin/javac" ] || continue # a JRE cannot compile
      major=$(java_major "$home/bin/java")
      [ -n "$major" ] || continue
      if [ "$major" -gt "$best_major" ]; then
        best=$home best_major=$major
      fi
    done < <(jdk_candidates)
  fi
  if [ -z "$best" ] || [ "$best_major" -lt "$MIN_JDK" ]; then
    die "no JDK >= $MIN_JDK found (JAVA_HOME, /usr/lib/jvm/*, java on PATH; newest seen: $([ "$best_major" -gt 0 ] && echo "$best_major" || echo none))." \
      "Install one, e.g. Temurin 21 or 25 (Adoptium's apt repository: apt-get install temurin-21-jdk)," \
      "and/or point JAVA_HOME at it. Debian 12's openjdk-17 is NOT enough."
  fi
  export JAVA_HOME=$best JDK_MAJOR=$best_major
  PATH="$JAVA_HOME/bin:$PATH"
  export PATH
  log "JDK $best_major at $JAVA_HOME"
}

# The restic release the image and the tests use (Debian sid/forky's package: its .deb needs only
# libc6 >= 2.34, which bookworm has). Releases refused even if offered: 0.18.0 fails every
# `backup --stdin --stdin-filename` with a directory in the name (restic#5324), i.e. every dump.
RESTIC_RELEASE=${RESTIC_VERSION:-0.19.1}
RESTIC_REFUSED=" 0.18.0 "

# Where downloaded packages are cached (root: /var/cache/stack-back; else the user's cache).
stack_back_cache_dir() {
  local dir=${STACK_BACK_CACHE:-/var/cache/stack-back}
  if ! mkdir -p "$dir" 2>/dev/null || [ ! -w "$dir" ]; then
    dir=${XDG_CACHE_HOME:-$HOME/.cache}/stack-back
    mkdir -p "$dir"
  fi
  printf '%s\n' "$dir"
}

# Prints the path of Debian <suite>'s .deb of <package> (amd64) at <version> (or any version
# when empty), downloading it into <dir> with a private apt configuration when it is not cached
# there: the host's sources, lists and cache stay untouched. Prints nothing when it cannot be had
# (offline); the reason goes to <dir>/apt-<suite>/apt.log.
fetch_debian_deb() {
  local suite=$1 package=$2 version=$3 dir=$4 deb
  local pattern="${package}_${version:-*}_amd64.deb"
  # Debian versions may carry an epoch or a revision: 0.19.1-1 -> restic_0.19.1-1_amd64.deb
  [ -n "$version" ] && pattern="${package}_${version}-*_amd64.deb"
  deb=$(find "$dir" -maxdepth 1 -name "$pattern" | sort | tail -n 1)
  if [ -n "$deb" ]; then
    printf '%s\n' "$deb"
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || return 0
  local apt_dir=$dir/apt-$suite
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  echo "deb http://deb.debian.org/debian $suite main" >"$apt_dir/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Sandbox::User=root -q)
  log "fetching $package ${version:-(newest)} from Debian $suite (apt log: $apt_dir/apt.log)"
  local spec=$package
  if { timeout 300 apt-get "${opts[@]}" update &&
    if [ -n "$version" ]; then
      spec="$package=$(apt-cache "${opts[@]}" madison "$package" | awk -v v="$version" '$3 ~ "^(.*:)?"v"-" {print $3; exit}')"
      [ "$spec" != "$package=" ] || { echo "no $package $version in $suite"; false; }
    fi &&
    (cd "$dir" && timeout 300 apt-get "${opts[@]}" download "$spec"); } >"$apt_dir/apt.log" 2>&1; then
    rm -rf "$apt_dir/lists" "$apt_dir/cache" # tens of MB of package lists; only the .deb is kept
    find "$dir" -maxdepth 1 -name "$pattern" | sort | tail -n 1
  else
    warn "could not download $package ${version} from Debian $suite: $(tail -n 1 "$apt_dir/apt.log")"
  fi
  return 0
}

# Prints the version of a restic binary ("0.19.1"), or nothing.
restic_version_of() { "$1" version 2>/dev/null | awk '{print $2; exit}'; }
