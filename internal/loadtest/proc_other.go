//go:build !linux

package loadtest

import (
	"errors"
	"syscall"
	"time"
)

// childAttr returns nil: only Linux can tie a child's life to its parent.
func childAttr() *syscall.SysProcAttr { return nil }

// processCPU is not available here: it reads Linux's /proc.
func processCPU(pid int) (time.Duration, error) {
	return 0, errors.New("process CPU time is read from /proc, which only Linux has")
}
