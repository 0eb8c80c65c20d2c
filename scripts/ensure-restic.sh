#!/usr/bin/env bash
# Makes the host's restic the release the image ships (RESTIC_RELEASE in lib.sh, 0.19.1), so the
# tests run the same restic as the sidecar: Debian sid's package, cached under
# /var/cache/stack-back and installed with dpkg (it depends only on libc6 >= 2.34). Idempotent:
# nothing happens when `restic version` already says that release. Without root or without the
# package (offline and not cached) it fails naming what to do, unless STACKBACK_ANY_RESTIC=1
# accepts the restic that is there (host mode works with restic >= 0.14; README says what an
# older restic loses).
#
#   scripts/ensure-restic.sh            the host's restic becomes RESTIC_RELEASE
#   scripts/ensure-restic.sh --oldest   prints the path of the oldest restic host mode supports
#                                       (Debian 12's 0.14.0, unpacked under the cache, never
#                                       installed): ResticCliOldIT runs the adapter against it
set -euo pipefail

LOG_TAG=restic
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OLDEST=0.14.0
if [ "${1:-}" = --oldest ]; then
  cache=$(stack_back_cache_dir)
  bin=$cache/restic-$OLDEST/usr/bin/restic
  if [ ! -x "$bin" ]; then
    deb=$(fetch_debian_deb bookworm restic "$OLDEST" "$cache")
    [ -n "$deb" ] || die "restic $OLDEST could not be fetched from Debian bookworm"
    dpkg-deb -x "$deb" "$cache/restic-$OLDEST"
  fi
  [ "$(restic_version_of "$bin")" = "$OLDEST" ] || die "$bin is not restic $OLDEST"
  printf '%s\n' "$bin"
  exit 0
fi

have=$(command -v restic >/dev/null 2>&1 && restic_version_of restic || true)
if [ "$have" = "$RESTIC_RELEASE" ]; then
  log "restic $have is installed"
  exit 0
fi

fallback() {
  if [ "${STACKBACK_ANY_RESTIC:-0}" = 1 ] && [ -n "$have" ]; then
    warn "$1; STACKBACK_ANY_RESTIC=1: the tests use restic $have"
    exit 0
  fi
  die "$1 (the tests must run the image's restic $RESTIC_RELEASE; STACKBACK_ANY_RESTIC=1 accepts restic ${have:-none})"
}

is_root || fallback "restic ${have:-is missing}, wanted $RESTIC_RELEASE, and only root can install it"
deb=$(fetch_debian_deb sid restic "$RESTIC_RELEASE" "$(stack_back_cache_dir)")
[ -n "$deb" ] || fallback "restic $RESTIC_RELEASE could not be fetched from Debian sid"
log "installing $(basename "$deb") (was: ${have:-none})"
if ! dpkg -i "$deb" >/tmp/stack-back-restic-dpkg.log 2>&1; then
  tail -n 5 /tmp/stack-back-restic-dpkg.log >&2
  fallback "dpkg -i $deb failed"
fi
have=$(restic_version_of restic)
[ "$have" = "$RESTIC_RELEASE" ] || die "installed $(basename "$deb") but restic says ${have:-nothing}"
log "restic $have installed"
