package catchup

import (
	"fmt"
	"testing"
	"time"

	"webinarsync/gotowebinar/gotosim"
)

// BenchmarkSync_TenWebinarsOfAThousand measures how close a sync runs to
// GoTo's limit of about 10 requests per second, with the real limiter,
// against the simulator enforcing that limit over a real socket and in
// real time: 10 past webinars of 1,000 registrants, 98% of them already
// known from webhooks (the rest are asked for one by one), each with a
// session whose attendance is read. With network latency, the workers
// keep the pace. (TestSync_StaysUnderGoTosLimitAndNearIt checks the same
// in virtual time.) Run it with
//
//	go test ./gotowebinar/catchup -run '^$' -bench BenchmarkSync_TenWebinarsOfAThousand -benchtime 1x
func BenchmarkSync_TenWebinarsOfAThousand(b *testing.B) {
	for _, latency := range []time.Duration{0, 150 * time.Millisecond} {
		b.Run(fmt.Sprintf("latency=%v", latency), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				f := newFixture(b, fixtureConfig{limited: true,
					pop: gotosim.Population{Webinars: 10, Registrants: 1000, Sessions: 1, Attend: 60,
						Start: time.Now().Add(-30 * 24 * time.Hour), Every: 2 * 24 * time.Hour}})
				primeDetails(b, f, 0.98)
				f.sim.LimitRate(10)
				f.sim.SetLatency(latency)
				mark := len(f.sim.APIRequests())
				b.StartTimer()

				if err := f.sync.Sync(b.Context()); err != nil {
					b.Fatal(err)
				}

				b.StopTimer()
				reqs := f.sim.APIRequests()[mark:]
				refused := 0
				for _, r := range reqs {
					if r.Status != 0 {
						refused++
					}
				}
				span := reqs[len(reqs)-1].At.Sub(reqs[0].At)
				b.ReportMetric(float64(len(reqs)), "requests")
				b.ReportMetric(float64(len(reqs)-1)/span.Seconds(), "requests/s")
				b.ReportMetric(float64(gotosim.MaxInWindow(reqs, time.Second)), "max-in-1s")
				b.ReportMetric(float64(refused), "429s")
				b.StartTimer()
			}
		})
	}
}
