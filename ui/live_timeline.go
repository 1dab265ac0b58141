package ui

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"webinarsync/store"
)

// The board's "joins over time" chart, laid out on the server like every
// other fragment of the board: the stream sends it as ready SVG and live.js
// only swaps it in. These are pure functions of the board.

// The timeline's drawing area, in SVG user units; live.templ draws the
// axes at the same numbers.
const (
	tlLeft   = 36
	tlRight  = 890
	tlTop    = 14
	tlBase   = 140
	tlMaxBar = 90 // buckets at most; wider spans count per several minutes
	tlTicks  = 6  // time labels under the axis, about
)

// timeline is a session's joins per minute, laid out for SVG.
type timeline struct {
	Bars     []tlBar
	Ticks    []tlTick // between the first and last labels
	Max      int
	Unit     string // "minute", "5 minutes"
	From, To string // axis labels, in UTC (localtime.js rewrites them)
	FromAt   string // the moments of From and To, for localtime.js
	ToAt     string
	Label    string // the chart in words, for screen readers
	Empty    bool
}

// tlTick is a time label under the axis.
type tlTick struct {
	X, Label string
	At       string // the moment, for localtime.js
}

// tlBar is one bucket's bar.
type tlBar struct {
	X, Y, W, H string
	Class      string
	Title      string // "15:04 UTC: 3 joins"
	At, Joins  string // its parts, for localtime.js: the moment and "3 joins"
}

// tlSteps are the bucket widths in minutes a timeline may use: round ones,
// so bars and ticks fall on times people read easily.
var tlSteps = []int{1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440}

// timeline draws a session's joins, from its scheduled start (or first
// join) to its last join, or to now while it is live.
func (b *board) timeline(key string) timeline {
	joins := b.sessionJoins(key)
	if len(joins) == 0 {
		return timeline{Empty: true, Label: "No joins yet."}
	}
	ss := b.session(key)
	live := b.sessionLive(ss)
	start, end := ss.First, ss.Last
	if tr := ss.Scheduled; !tr.StartTime.IsZero() && tr.StartTime.Before(start) {
		start = tr.StartTime.Time
	}
	if live && b.Now.After(end) {
		end = b.Now
	}
	return drawTimeline(countJoins(joins, start, end), live)
}

// buckets are join counts per equal slice of time.
type buckets struct {
	start  time.Time // the first bucket's, on a whole minute in UTC
	step   int       // minutes per bucket
	counts []int
}

// at is when bucket i starts; at(len(counts)) is when the last one ends.
func (bk buckets) at(i int) time.Time {
	return bk.start.Add(time.Duration(i*bk.step) * time.Minute)
}

// end is when the last bucket ends.
func (bk buckets) end() time.Time { return bk.at(len(bk.counts)) }

// busiest is the first bucket with the most joins.
func (bk buckets) busiest() int {
	top := 0
	for i, c := range bk.counts {
		if c > bk.counts[top] {
			top = i
		}
	}
	return top
}

// countJoins buckets the joins between start and end: by the minute, or
// by the narrowest of tlSteps that keeps to tlMaxBar bars.
func countJoins(joins []store.Join, start, end time.Time) buckets {
	start = start.UTC().Truncate(time.Minute)
	minutes := int(end.Sub(start)/time.Minute) + 1
	step := narrowestStep(func(s int) bool { return ceilDiv(minutes, s) <= tlMaxBar })
	for ceilDiv(minutes, step) > tlMaxBar { // a span of months: bad data, still drawn
		step *= 2
	}
	bk := buckets{start: start, step: step, counts: make([]int, ceilDiv(minutes, step))}
	width := time.Duration(step) * time.Minute
	for _, j := range joins {
		if i := int(j.JoinTime.Sub(start) / width); i >= 0 && i < len(bk.counts) {
			bk.counts[i]++
		}
	}
	return bk
}

// drawTimeline lays out the buckets; live marks the last as the current one.
func drawTimeline(bk buckets, live bool) timeline {
	tl := timeline{Unit: "minute"}
	if bk.step > 1 {
		tl.Unit = fmt.Sprintf("%d minutes", bk.step)
	}
	busiest := bk.busiest()
	tl.Max = max(1, bk.counts[busiest])
	tl.Bars = bars(bk, tl.Max, live)
	tl.Ticks = ticks(bk.start, bk.end())
	last := clockLabel(bk.end(), bk.start)
	tl.From, tl.To = clockLabel(bk.start, bk.end()), last+" UTC"
	tl.FromAt, tl.ToAt = isoTime(bk.start), isoTime(bk.end())
	tl.Label = fmt.Sprintf("Joins per %s from %s to %s UTC; the busiest %s began %s UTC with %s.",
		tl.Unit, tl.From, last, tl.Unit, bk.at(busiest).Format("15:04"), plural(bk.counts[busiest], "join", "joins"))
	return tl
}

// bars are the buckets' bars, scaled so that top reaches the top line.
func bars(bk buckets, top int, live bool) []tlBar {
	n := len(bk.counts)
	slot := float64(tlRight-tlLeft) / float64(n)
	gap := math.Min(2, slot*0.2)
	out := make([]tlBar, 0, n)
	for i, c := range bk.counts {
		h := float64(tlBase-tlTop) * float64(c) / float64(top)
		class := "tl-bar"
		if i == n-1 && live {
			class += " tl-now"
		}
		out = append(out, tlBar{
			X:     svgNum(tlLeft + float64(i)*slot + gap/2),
			Y:     svgNum(tlBase - h),
			W:     svgNum(slot - gap),
			H:     svgNum(h),
			Class: class,
			Title: bk.at(i).Format("15:04") + " UTC: " + plural(c, "join", "joins"),
			At:    isoTime(bk.at(i)),
			Joins: plural(c, "join", "joins"),
		})
	}
	return out
}

// ticks are labels on round times between start and end, about tlTicks
// of them, kept clear of the end labels so they do not overlap.
func ticks(start, end time.Time) []tlTick {
	span := end.Sub(start)
	every := time.Duration(narrowestStep(func(s int) bool {
		return span/(time.Duration(s)*time.Minute) <= tlTicks
	})) * time.Minute
	perMinute := float64(tlRight-tlLeft) / span.Minutes()
	var out []tlTick
	for at := start.Truncate(every).Add(every); at.Before(end); at = at.Add(every) {
		x := tlLeft + at.Sub(start).Minutes()*perMinute
		if x-tlLeft < 60 || tlRight-x < 90 {
			continue
		}
		out = append(out, tlTick{X: svgNum(x), Label: clockLabel(at, start), At: isoTime(at)})
	}
	return out
}

// narrowestStep is the first of tlSteps that fits, else the widest.
func narrowestStep(fits func(minutes int) bool) int {
	for _, s := range tlSteps {
		if fits(s) {
			return s
		}
	}
	return tlSteps[len(tlSteps)-1]
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// clockLabel is t's time of day, with its date when other is another day.
func clockLabel(t, other time.Time) string {
	if !sameUTCDay(t, other) {
		return t.UTC().Format("2 Jan 15:04")
	}
	return t.UTC().Format("15:04")
}

// sameUTCDay reports whether a and b fall on the same date in UTC, the
// board's time zone.
func sameUTCDay(a, b time.Time) bool {
	a, b = a.UTC(), b.UTC()
	return a.YearDay() == b.YearDay() && a.Year() == b.Year()
}

// svgNum writes a coordinate: a tenth of a unit is finer than a pixel.
func svgNum(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
