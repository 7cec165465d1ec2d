//go:build tools

// Package tools pins the CoreDNS command tests/k8s/cluster.sh builds.
package tools

import _ "github.com/coredns/coredns"
