package app

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"
)

func TestMain(m *testing.M) {
	// Most of this package's tests wait on real clocks, not on this
	// process's CPU: the demo's catch-up sync keeps GoTo's pace of 10
	// requests a second, webhooks are activated after a backoff, a second
	// instance waits out the lock. Let more of them wait at once than
	// -parallel's default (one per CPU), unless the command line says
	// otherwise. TestWebhook_StrangersStayCheap, which measures the whole
	// process's memory, is not parallel and still runs alone, first.
	flag.Parse()
	if p := flag.Lookup("test.parallel"); p != nil && p.Value.String() == strconv.Itoa(runtime.GOMAXPROCS(0)) {
		_ = p.Value.Set(strconv.Itoa(max(8, runtime.GOMAXPROCS(0))))
	}
	os.Exit(m.Run())
}
