#!/usr/bin/env bash
# Builds the real peers used by the e2e tests from the Go module proxy.
#
#   scripts/peers/build.sh [name...]      build (default: all peers)
#   scripts/peers/build.sh --print-env    print PEER_<NAME>=<path> for each peer
#                                         (empty value when it is not built)
#   scripts/peers/build.sh --list         print the peer names
#
# Each peer lands in .cache/peers/<name>-<version>/<binary> (repo-relative,
# override the directory with SECRETGUARD_PEERS_DIR). A peer already present
# is skipped, so warm runs are instant. Binaries are written to a temporary
# directory first and moved into place only after a successful build.
# Go's own caches (GOCACHE, GOMODCACHE) are used as configured.
#
# Exit status: 0 when every requested peer is present afterwards, 1 otherwise.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=versions.env
. "$here/versions.env"

peers_dir=${SECRETGUARD_PEERS_DIR:-$root/.cache/peers}
case "$peers_dir" in /*) ;; *) peers_dir=$PWD/$peers_dir ;; esac
all_peers=(kube-apiserver kubectl etcd helm kubeseal reloader kubeconform gitleaks)
# Built when no peer is named. Reloader is left out: the Go module proxy this project can reach refuses every
# version of github.com/stakater/Reloader (403 "This module version is not available"); name it explicitly
# where the proxy serves it. test/e2e/peers.ts lists it as unavailable, so its test skips with that reason.
# kubeconform and gitleaks are for `npm run bench` only (bench/peers.ts builds them on demand).
default_peers=(kube-apiserver kubectl etcd helm kubeseal)

version_of() {
  case "$1" in
    kube-apiserver | kubectl) echo "$KUBERNETES_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    kubeseal) echo "$KUBESEAL_VERSION" ;;
    reloader) echo "$RELOADER_VERSION" ;;
    kubeconform) echo "$KUBECONFORM_VERSION" ;;
    gitleaks) echo "$GITLEAKS_VERSION" ;;
    *) return 1 ;;
  esac
}

# Binary file name inside .cache/peers/<name>-<version>/ (same as the name).
path_of() {
  local v
  v=$(version_of "$1") || return 1
  echo "$peers_dir/$1-$v/$1"
}

log() { printf '[peers] %s\n' "$*" >&2; }

# Checks that a wrapper go.mod requires MODULE at VERSION.
check_wrapper() {
  local gomod=$1 module=$2 version=$3
  if ! grep -Eq "^[[:space:]]*(require[[:space:]]+)?${module//./\\.}[[:space:]]+${version//./\\.}([[:space:]]|$)" "$gomod"; then
    log "ERROR: $gomod does not require $module $version (versions.env and the wrapper module disagree)"
    log "       update the require/replace lines, then run: (cd $(dirname "$gomod") && go mod tidy)"
    return 1
  fi
}

# -buildvcs=false: the wrapper modules sit inside this git checkout; its VCS state
# is irrelevant to the peers and stamping it fails in some CI checkouts.
common_flags=(-trimpath -buildvcs=false)
export CGO_ENABLED=0

build_k8s() { # name out
  local name=$1 out=$2 v=$KUBERNETES_VERSION minor
  check_wrapper "$here/k8s/go.mod" k8s.io/kubernetes "$v" || return 1
  local staging="v0.${v#v1.}"
  if ! grep -q "k8s.io/apiserver => k8s.io/apiserver $staging\$" "$here/k8s/go.mod"; then
    log "ERROR: staging modules in scripts/peers/k8s/go.mod are not replaced with $staging"
    return 1
  fi
  minor=${v#v1.}
  minor=${minor%%.*}
  local x
  x="-X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1"
  x+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  x+=" -X k8s.io/client-go/pkg/version.gitVersion=$v -X k8s.io/client-go/pkg/version.gitMajor=1"
  x+=" -X k8s.io/client-go/pkg/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitTreeState=clean"
  (cd "$here/k8s" && go build -mod=readonly "${common_flags[@]}" -ldflags="-s -w $x" \
    -o "$out" "k8s.io/kubernetes/cmd/$name")
}

build_etcd() { # out
  check_wrapper "$here/etcd/go.mod" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" || return 1
  (cd "$here/etcd" && go build -mod=readonly "${common_flags[@]}" -ldflags="-s -w" \
    -o "$1" go.etcd.io/etcd/server/v3)
}

build_install() { # out module/pkg@version [extra ldflags]
  local out=$1 target=$2 extra=${3:-}
  local gobin
  gobin=$(dirname "$out")
  GOBIN="$gobin" go install "${common_flags[@]}" -ldflags="-s -w $extra" "$target"
  local built pkg=${target%@*}
  # go install names a binary after its package, skipping a major-version suffix (…/gitleaks/v8 → gitleaks).
  case "$(basename "$pkg")" in v[0-9]*) pkg=$(dirname "$pkg") ;; esac
  built="$gobin/$(basename "$pkg")"
  [ "$built" = "$out" ] || mv "$built" "$out"
}

# Reloader's go.mod has replace directives (for argo-rollouts), so
# `go install ...@version` refuses it: build it from a throwaway wrapper module
# that copies those replace directives.
build_reloader() { # out
  local out=$1 v=$RELOADER_VERSION mod=github.com/stakater/Reloader
  local work
  work=$(mktemp -d "$peers_dir/.work-reloader.XXXXXX")
  local json gomod
  if ! json=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$mod@$v" 2>&1); then
    log "ERROR: cannot download $mod@$v from GOPROXY=$(go env GOPROXY):"
    printf '%s\n' "$json" | sed 's/^/[peers]     /' >&2
    rm -rf "$work"
    return 1
  fi
  gomod=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  {
    echo "module secretguard.local/peers/reloader"
    echo
    echo "go $(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod")"
    echo
    echo "require $mod $v"
    echo
    # Copy replace directives (block and single-line forms).
    awk '/^replace \($/{b=1; print; next} b&&/^\)/{b=0; print; next} b{print; next} /^replace /{print}' "$gomod"
  } >"$work/go.mod"
  (cd "$work" && GOFLAGS=-mod=mod go get "$mod@$v" >/dev/null &&
    go build -mod=mod "${common_flags[@]}" -ldflags="-s -w" -o "$out" "$mod")
  local rc=$?
  rm -rf "$work"
  return $rc
}

build_one() { # name -> 0 when present afterwards
  local name=$1 v dest
  v=$(version_of "$name") || { log "unknown peer: $name (known: ${all_peers[*]})"; return 1; }
  dest=$(path_of "$name")
  if [ -x "$dest" ]; then
    log "$name $v: cached ($dest)"
    return 0
  fi
  mkdir -p "$peers_dir"
  local tmp start end rc=0
  tmp=$(mktemp -d "$peers_dir/.tmp-$name.XXXXXX")
  start=$(date +%s)
  log "$name $v: building..."
  case "$name" in
    kube-apiserver | kubectl) build_k8s "$name" "$tmp/$name" || rc=$? ;;
    etcd) build_etcd "$tmp/etcd" || rc=$? ;;
    helm) build_install "$tmp/helm" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" \
      "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" || rc=$? ;;
    kubeseal) build_install "$tmp/kubeseal" \
      "github.com/bitnami-labs/sealed-secrets/cmd/kubeseal@$KUBESEAL_VERSION" \
      "-X main.VERSION=$KUBESEAL_VERSION" || rc=$? ;;
    reloader) build_reloader "$tmp/reloader" || rc=$? ;;
    kubeconform) build_install "$tmp/kubeconform" \
      "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" || rc=$? ;;
    gitleaks) build_install "$tmp/gitleaks" "github.com/zricethezav/gitleaks/v8@$GITLEAKS_VERSION" \
      "-X github.com/zricethezav/gitleaks/v8/version.Version=$GITLEAKS_VERSION" || rc=$? ;;
  esac
  end=$(date +%s)
  if [ "$rc" -eq 0 ] && [ -x "$tmp/$name" ]; then
    mkdir -p "$(dirname "$dest")"
    mv "$tmp/$name" "$dest"
    rm -rf "$tmp"
    log "$name $v: built in $((end - start))s ($(du -h "$dest" | cut -f1)) -> $dest"
    printf '%s\t%s\t%ss\n' "$name" "$v" "$((end - start))" >>"$peers_dir/timings.tsv"
    return 0
  fi
  rm -rf "$tmp"
  log "$name $v: FAILED after $((end - start))s"
  return 1
}

case "${1:-}" in
  --print-env)
    for n in "${all_peers[@]}"; do
      p=$(path_of "$n")
      var=PEER_$(echo "$n" | tr 'a-z-' 'A-Z_')
      if [ -x "$p" ]; then echo "$var=$p"; else echo "$var="; fi
    done
    exit 0
    ;;
  --list)
    printf '%s\n' "${all_peers[@]}"
    exit 0
    ;;
  -h | --help)
    sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac

if [ $# -eq 0 ]; then set -- "${default_peers[@]}"; fi
failed=()
t0=$(date +%s)
for n in "$@"; do
  build_one "$n" || failed+=("$n")
done
log "total: $(($(date +%s) - t0))s"
if [ ${#failed[@]} -gt 0 ]; then
  log "FAILED: ${failed[*]}"
  exit 1
fi
