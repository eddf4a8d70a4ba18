//go:build tools

// Package tools pins the Kubernetes binaries built by scripts/peers/build.sh.
// Nothing here is compiled into secretguard.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
