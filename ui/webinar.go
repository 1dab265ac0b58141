package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"webinarsync/store"
)

// perPage is how many registrants one page lists.
const perPage = 50

// registrantFilter is the registrant list's query string.
type registrantFilter struct {
	Q      string
	Status string
	Sort   string // store.SortRegisteredDesc or store.SortRegisteredAsc
	Page   int    // from 1
}

// parseRegistrantFilter reads the query, falling back to the defaults for
// values it cannot use rather than refusing the page.
func parseRegistrantFilter(q url.Values) registrantFilter {
	f := registrantFilter{
		Q:      strings.TrimSpace(q.Get("q")),
		Status: strings.TrimSpace(q.Get("status")),
		Sort:   q.Get("sort"),
		Page:   1,
	}
	if f.Sort != store.SortRegisteredAsc {
		f.Sort = store.SortRegisteredDesc
	}
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 {
		f.Page = p
	}
	return f
}

// csvURL downloads just the registrants this filter shows.
func (f registrantFilter) csvURL(key string) string {
	v := url.Values{}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	return csvURL(key) + "?" + v.Encode()
}

// url is the webinar page with this filter, on page and in sort order.
func (f registrantFilter) url(key string, page int, sort string) string {
	v := url.Values{}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	if sort != store.SortRegisteredDesc {
		v.Set("sort", sort)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return webinarURL(key)
	}
	return webinarURL(key) + "?" + v.Encode()
}

// filtered reports whether the list is narrowed by search or status.
func (f registrantFilter) filtered() bool { return f.Q != "" || f.Status != "" }

// statusCount is how many registrants have one status.
type statusCount struct {
	Status string
	Count  int
}

// webinarView is the webinar page.
type webinarView struct {
	chrome
	Now          time.Time
	Webinar      store.Webinar
	Filter       registrantFilter
	Statuses     []string
	StatusCounts []statusCount
	Registrants  []store.Registrant
	Total        int // registrants matching Filter
	Pages        int
	Joins        []store.Join      // the latest few
	LiveNow      bool              // in session now (see liveNow)
	PerDay       dayChart          // registrations per day
	Actions      registrantActions // add and remove at GoTo (registrant_actions.go)
}

// webinar serves GET /webinars/{webinarKey}.
func (s *Server) webinar(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("webinarKey")
	wb, err := s.store.Webinar(key)
	if err != nil {
		return fmt.Errorf("webinar %s: %w", key, err)
	}
	v := webinarView{
		chrome:  s.chrome(webinarTitle(wb), "home"),
		Now:     s.now(),
		Webinar: wb,
		Filter:  parseRegistrantFilter(r.URL.Query()),
	}
	if v.Statuses, err = s.store.Statuses(key); err != nil {
		return fmt.Errorf("statuses of %s: %w", key, err)
	}
	for _, st := range v.Statuses {
		_, n, err := s.store.Registrants(key, store.RegistrantQuery{Status: st, Limit: 1})
		if err != nil {
			return fmt.Errorf("registrants of %s with status %s: %w", key, st, err)
		}
		v.StatusCounts = append(v.StatusCounts, statusCount{Status: st, Count: n})
	}

	q := store.RegistrantQuery{
		Search: v.Filter.Q,
		Status: v.Filter.Status,
		Sort:   v.Filter.Sort,
		Offset: (v.Filter.Page - 1) * perPage,
		Limit:  perPage,
	}
	if v.Registrants, v.Total, err = s.store.Registrants(key, q); err != nil {
		return fmt.Errorf("registrants of %s: %w", key, err)
	}
	v.Pages = max(1, (v.Total+perPage-1)/perPage)
	if v.Filter.Page > v.Pages {
		// A page past the end (an old link, fewer matches now): show the last.
		v.Filter.Page = v.Pages
		q.Offset = (v.Pages - 1) * perPage
		if v.Registrants, v.Total, err = s.store.Registrants(key, q); err != nil {
			return fmt.Errorf("registrants of %s: %w", key, err)
		}
	}
	if v.Joins, err = s.store.Joins(key, joinsShown); err != nil {
		return fmt.Errorf("joins of %s: %w", key, err)
	}
	live, err := s.liveWebinars([]store.Webinar{wb}, v.Now)
	if err != nil {
		return err
	}
	v.LiveNow = live[key]
	days, err := s.store.RegistrationsPerDay(key)
	if err != nil {
		return fmt.Errorf("registrations per day of %s: %w", key, err)
	}
	v.PerDay = drawDays(days)
	v.Actions = s.actionsFor(r, key)
	return s.render(w, r, http.StatusOK, webinarPage(v))
}

// joinsLabel names the live join count; "seen live" where the attendance
// figure beside it comes from the provider's report and not from joins.
func (v webinarView) joinsLabel() string {
	if v.Webinar.Attended > v.Webinar.Joined {
		return "joins seen live, counting people who rejoined"
	}
	return "joins, counting people who rejoined"
}

// noJoinsWords is the latest joins' empty state: "nobody" only when
// nobody joined, not when the joins are known from the attendance report
// alone (the catch-up sync after a webinar webinarsync did not watch).
func (v webinarView) noJoinsWords() string {
	n := v.Webinar.Present()
	if n == 0 {
		return "Nobody has joined yet."
	}
	return fmt.Sprintf("None seen live. %s's attendance report lists %s: see the Joined column below.",
		providerName(v.Webinar.WebinarKey), plural(n, "person who joined", "people who joined"))
}

// showing says which rows the page lists: "Showing 51–100 of 1,234".
func (v webinarView) showing() string {
	if v.Total == 0 {
		return ""
	}
	from := (v.Filter.Page-1)*perPage + 1
	to := from + len(v.Registrants) - 1
	return "Showing " + num(from) + "–" + num(to) + " of " + num(v.Total)
}

// sortURL is the column header's link: it flips the registration order.
func (v webinarView) sortURL() string {
	next := store.SortRegisteredAsc
	if v.Filter.Sort == store.SortRegisteredAsc {
		next = store.SortRegisteredDesc
	}
	return v.Filter.url(v.Webinar.WebinarKey, 1, next)
}

// sortLabel is the header's arrow, and its words for screen readers.
func (v webinarView) sortArrow() (arrow, words string) {
	if v.Filter.Sort == store.SortRegisteredAsc {
		return "↑", "oldest first; click for newest first"
	}
	return "↓", "newest first; click for oldest first"
}

func (v webinarView) prevURL() string {
	return v.Filter.url(v.Webinar.WebinarKey, v.Filter.Page-1, v.Filter.Sort)
}

func (v webinarView) nextURL() string {
	return v.Filter.url(v.Webinar.WebinarKey, v.Filter.Page+1, v.Filter.Sort)
}

// segment is one status's slice of the registrant breakdown bar.
type segment struct {
	statusCount
	X, Width string // in percent of the bar
	Class    string
}

// segments lays the status counts out along a 100-wide bar.
func (v webinarView) segments() []segment {
	total := 0
	for _, sc := range v.StatusCounts {
		total += sc.Count
	}
	if total == 0 {
		return nil
	}
	var out []segment
	x := 0.0
	for _, sc := range v.StatusCounts {
		w := float64(sc.Count) * 100 / float64(total)
		out = append(out, segment{
			statusCount: sc,
			X:           strconv.FormatFloat(x, 'f', 2, 64),
			Width:       strconv.FormatFloat(w, 'f', 2, 64),
			Class:       "seg seg-" + statusClass(sc.Status),
		})
		x += w
	}
	return out
}

// statusClass names the colour of a registrant status.
func statusClass(status string) string {
	switch strings.ToLower(status) {
	case "approved":
		return "approved"
	case "waiting":
		return "waiting"
	case "cancelled", "canceled":
		return "cancelled"
	case "denied":
		return "denied"
	}
	return "other"
}

// registrantDetails lists a registrant's other fields worth a look, in
// the order of GoTo's form.
func registrantDetails(r store.Registrant) [][2]string {
	var out [][2]string
	add := func(label, value string) {
		if strings.TrimSpace(value) != "" {
			out = append(out, [2]string{label, value})
		}
	}
	add("Job title", r.JobTitle)
	add("Phone", r.Phone)
	add("Address", r.Address)
	add("City", r.City)
	add("State or region", r.State)
	add("Postal code", r.ZipCode)
	add("Country", r.Country)
	add("Industry", r.Industry)
	add("Employees", r.NumberOfEmployees)
	add("Purchasing role", r.PurchasingRole)
	add("Purchasing time frame", r.PurchasingTimeFrame)
	add("Comments", r.Comments)
	add("Came from", r.RegistrationSource)
	add("Registrant key", r.RegistrantKey)
	return out
}

// ariaSort is the registration column's aria-sort value.
func ariaSort(sort string) string {
	if sort == store.SortRegisteredAsc {
		return "ascending"
	}
	return "descending"
}

// statusURL lists only the registrants with status.
func (v webinarView) statusURL(status string) string {
	f := v.Filter
	f.Status = status
	return f.url(v.Webinar.WebinarKey, 1, f.Sort)
}

// joinsShown is how many of the latest joins the webinar page lists.
const joinsShown = 6

// upcoming reports whether the webinar has not started yet and nobody has
// joined: its attendance rate would be a meaningless 0%.
func upcoming(w store.Webinar, now time.Time) bool {
	start := firstStart(w)
	return w.Present() == 0 && !start.IsZero() && start.After(now)
}

// firstStart is when the webinar's first session starts (zero if unknown).
func firstStart(w store.Webinar) time.Time {
	var first time.Time
	for _, tr := range sessions(w) {
		if t := tr.StartTime.Time; !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first
}

// noMatchWords says that the filter matched nobody, and what it was.
func (f registrantFilter) noMatchWords() string {
	s := "No registrants match"
	if f.Q != "" {
		s += " “" + f.Q + "”"
	}
	if f.Status != "" {
		s += " with status " + humanize(f.Status)
	}
	return s + "."
}

// dayChart is registrations per day, laid out for SVG on the live board's
// timeline grid (live_timeline.go) and drawn in its style.
type dayChart struct {
	Bars     []tlBar
	Ticks    []tlTick
	Max      int
	From, To string // the first and last day; To is "" for one day
	ToX      string // where To ends
	Label    string // the chart in words, for screen readers
	Days     int
}

// drawDays lays out one bar per day, with about tlTicks day labels.
func drawDays(days []store.DayCount) dayChart {
	if len(days) == 0 {
		return dayChart{}
	}
	c := dayChart{Days: len(days), Max: 1}
	busiest := 0
	for i, d := range days {
		if d.Count > days[busiest].Count {
			busiest = i
		}
	}
	c.Max = max(1, days[busiest].Count)
	// At least two weeks of slots, so a new webinar's first day or two are
	// bars, not a wall; the bars start at the left.
	slot := float64(tlRight-tlLeft) / float64(max(len(days), 14))
	gap := min(4, slot*0.2)
	for i, d := range days {
		h := float64(tlBase-tlTop) * float64(d.Count) / float64(c.Max)
		c.Bars = append(c.Bars, tlBar{
			X:     svgNum(tlLeft + float64(i)*slot + gap/2),
			Y:     svgNum(tlBase - h),
			W:     svgNum(slot - gap),
			H:     svgNum(h),
			Class: "tl-bar",
			Title: d.Day.Format("Mon 2 Jan") + ": " + plural(d.Count, "registration", "registrations"),
		})
	}
	every := max(1, ceilDiv(len(days), tlTicks))
	for i := every; i < len(days)-1; i += every {
		x := tlLeft + (float64(i)+0.5)*slot
		if end := tlLeft + float64(len(days))*slot; x-tlLeft < 60 || end-x < 60 {
			continue
		}
		c.Ticks = append(c.Ticks, tlTick{X: svgNum(x), Label: days[i].Day.Format("2 Jan")})
	}
	c.From = days[0].Day.Format("2 Jan")
	if len(days) > 1 {
		c.To = days[len(days)-1].Day.Format("2 Jan")
		c.ToX = svgNum(tlLeft + float64(len(days))*slot)
	}
	c.Label = fmt.Sprintf("Registrations per day (UTC) from %s to %s; the busiest day, %s, had %s.",
		days[0].Day.Format("2 Jan 2006"), days[len(days)-1].Day.Format("2 Jan 2006"),
		days[busiest].Day.Format("Mon 2 Jan"), plural(days[busiest].Count, "registration", "registrations"))
	return c
}
