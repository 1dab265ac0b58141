package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long a receiver may take to stop after SIGTERM before
// it is killed: above webinarsync's own shutdown budget of 5 s.
const stopGrace = 15 * time.Second

// server is a receiver process this program started and must end.
type server struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed once the process has been waited for
	waitErr error         // set before done closes

	stopOnce sync.Once
	stopErr  error
}

// start runs cmd with its output in logPath.
func start(name string, cmd *exec.Cmd, logPath string) (*server, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("%s: creating its log: %w", name, err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	s := &server{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		logf.Close()
		close(s.done)
	}()
	return s, nil
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// cpu is the user and system time the process took, once it has exited.
func (s *server) cpu() time.Duration {
	select {
	case <-s.done:
		return s.cmd.ProcessState.UserTime() + s.cmd.ProcessState.SystemTime()
	default:
		return 0
	}
}

// waitReady polls url with GET until it answers 200, the process exits or
// timeout passes.
func (s *server) waitReady(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}, Timeout: time.Second}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("%s: readiness request: %w", s.name, err)
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("%s exited before it was ready (%v); its log:\n%s", s.name, s.waitErr, s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("%s was not ready at %s within %v: %w; its log:\n%s", s.name, url, timeout, ctx.Err(), s.logTail())
		case <-tick.C:
		}
	}
}

// stop sends SIGTERM, waits up to stopGrace, then kills. It returns an
// error when the process did not end cleanly by itself; calling it again
// returns the same.
func (s *server) stop() error {
	s.stopOnce.Do(func() { s.stopErr = s.terminate() })
	return s.stopErr
}

func (s *server) terminate() error {
	select {
	case <-s.done:
		return fmt.Errorf("%s exited on its own (%v); its log:\n%s", s.name, s.waitErr, s.logTail())
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("%s: SIGTERM: %w; killed", s.name, err)
	}
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-s.done:
	case <-t.C:
		s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("%s did not stop within %v of SIGTERM; killed; its log:\n%s", s.name, stopGrace, s.logTail())
	}
	if s.waitErr != nil {
		return fmt.Errorf("%s did not stop cleanly: %w; its log:\n%s", s.name, s.waitErr, s.logTail())
	}
	return nil
}

// logTail is the end of the process's output, for an error to quote.
func (s *server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	const keep = 4 << 10
	if len(b) > keep {
		b = b[len(b)-keep:]
	}
	return string(bytes.TrimSpace(b))
}

// freeAddr returns a loopback address with a port free now. Another
// process could take it before the receiver listens; on a bench machine
// that is rare, and the receiver then fails to start, loudly.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// memory is a process's resident memory in KiB, from /proc/PID/status.
type memory struct {
	RSSKiB  int64 // VmRSS
	AnonKiB int64 // RssAnon: the heap and stacks, without mapped files such as the database
	PeakKiB int64 // VmHWM: the most resident at any time
}

func (m memory) worst(o memory) memory {
	return memory{max(m.RSSKiB, o.RSSKiB), max(m.AnonKiB, o.AnonKiB), max(m.PeakKiB, o.PeakKiB)}
}

// readMemory reads pid's memory; off Linux there is no /proc to read.
func readMemory(pid int) (memory, error) {
	var m memory
	if runtime.GOOS != "linux" {
		return m, errors.New("memory is read from /proc, which only Linux has")
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return m, fmt.Errorf("reading memory: %w", err)
	}
	fields := map[string]*int64{"VmRSS": &m.RSSKiB, "RssAnon": &m.AnonKiB, "VmHWM": &m.PeakKiB}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if dst := fields[name]; ok && dst != nil {
			// "   28252 kB"
			*dst, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		}
	}
	return m, nil
}

// userHZ is the unit of /proc/PID/stat's times: USER_HZ, 100 on every
// Linux architecture Go runs on.
const userHZ = 100

// readCPU reads the user and system time pid has taken so far, its
// threads' together, from /proc/PID/stat.
func readCPU(pid int) (time.Duration, error) {
	if runtime.GOOS != "linux" {
		return 0, errors.New("CPU time is read from /proc, which only Linux has")
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("reading CPU time: %w", err)
	}
	// After the command name, which may hold spaces, in parentheses:
	// state is field 3 and utime, stime are fields 14 and 15.
	_, rest, ok := bytes.Cut(b, []byte(") "))
	f := strings.Fields(string(rest))
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("reading CPU time: /proc/%d/stat has no times", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("reading CPU time: %w", err)
	}
	return time.Duration(utime+stime) * time.Second / userHZ, nil
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}
