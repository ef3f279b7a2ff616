package loadtest

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// childAttr makes a started server die with the runner, so a runner that
// is itself killed leaves no server behind.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// processCPU returns the CPU time, user and system, that process pid has
// used so far, from /proc/PID/stat.
func processCPU(pid int) (time.Duration, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(stat))
}

// userHZ is the unit of /proc's CPU times; Linux reports them in
// hundredths of a second on every architecture.
const userHZ = 100

// parseStatCPU reads utime and stime, fields 14 and 15, from the text of
// /proc/PID/stat. The command name (field 2) may hold spaces, so counting
// starts after its closing parenthesis, at field 3.
func parseStatCPU(stat string) (time.Duration, error) {
	at := strings.LastIndexByte(stat, ')')
	if at < 0 {
		return 0, errors.New("malformed /proc stat: no command name")
	}
	fields := strings.Fields(stat[at+1:])
	if len(fields) < 13 {
		return 0, errors.New("malformed /proc stat: too few fields")
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("malformed /proc stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}
