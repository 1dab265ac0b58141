package ui

import (
	"testing"
	"time"
)

func TestRemoveConfirmation_OffersTheButtonBeforeTheEndOnly(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		start  time.Time
		button bool
	}{
		{"upcoming", testNow.Add(24 * time.Hour), true},
		{"going on", testNow.Add(-30 * time.Minute), true}, // a one-hour session
		{"ended", testNow.Add(-2 * time.Hour), false},
	} {
		st := openStore(t)
		put(t, st, testNow, webinarEvent("webinar.created", "ev-w", workshopKey, "Workshop", "NEW", c.start))
		put(t, st, testNow, registrantAdded("ev-r", workshopKey, "Workshop", registrant{key: "1", first: "Ada", last: "Lovelace",
			email: "ada@example.com", registered: testNow}))
		h := handler(t, Config{Store: st, Registrants: &fakeRegistrants{canChange: true}})
		body := get(t, h, "/webinars/"+workshopKey+"/registrants/1/remove").Body.String()
		ended := "Workshop has ended, and GoTo refuses changes to ended webinars: the registration cannot be removed there any more."
		if c.button {
			mustContain(t, body, "Remove Ada Lovelace?", `method="post"`, "Remove at GoTo", "Keep them")
			mustNotContain(t, body, ended)
		} else {
			mustContain(t, body, "Remove Ada Lovelace?", ended, `href="/webinars/`+workshopKey+`">Back to the webinar</a>`)
			mustNotContain(t, body, `method="post"`, "Remove at GoTo")
		}
	}
}
