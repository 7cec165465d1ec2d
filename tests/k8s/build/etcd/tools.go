//go:build tools

// Package tools pins the etcd server tests/k8s/cluster.sh builds.
package tools

import _ "go.etcd.io/etcd/server/v3"
