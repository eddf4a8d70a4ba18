//go:build tools

// Package tools pins the etcd binary built by scripts/peers/build.sh.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
)
