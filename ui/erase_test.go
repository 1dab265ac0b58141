package ui

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"webinarsync/store"
)

const juergen = "11111111111111111111"

func TestEraseRegistrant_AsksFirstThenErasesEverywhereAndSaysWhat(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	h := handler(t, Config{Store: st})
	row := eraseURL(launchKey, juergen)

	page := get(t, h, webinarURL(launchKey)).Body.String()
	mustContain(t, page, `href="`+deleteWebinarURL(launchKey)+`"`, "Delete webinar…", `href="`+row+`"`, "Erase…")

	confirm := get(t, h, row)
	if confirm.Code != http.StatusOK {
		t.Fatalf("GET %s = %d", row, confirm.Code)
	}
	mustContain(t, confirm.Body.String(), "Erase Jürgen Müller?", "juergen@example.de", "Registered for:",
		"Quarterly Launch — Q1 2026", `method="post" action="`+row+`"`, "Erase for good", "Keep them")
	mustRegistrantStill(t, st, juergen) // asking erases nothing

	// Another site cannot make the browser erase.
	if rec := post(t, h, row, nil, map[string]string{"Sec-Fetch-Site": "cross-site"}); rec.Code != http.StatusForbidden {
		t.Errorf("cross-site erase = %d, want 403", rec.Code)
	}
	mustRegistrantStill(t, st, juergen)

	done := post(t, h, row, nil, nil)
	if done.Code != http.StatusOK {
		t.Fatalf("POST %s = %d:\n%s", row, done.Code, done.Body)
	}
	mustContain(t, done.Body.String(), "Erased Jürgen Müller", "Removed 1 registration (1 webinar), 1 join.",
		"The database file was rewritten, so no copy is left in it.", "At GoTo they are still registered", `href="`+webinarURL(launchKey)+`"`)
	if _, err := st.Registrant(launchKey, juergen); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after the erasure: %v, want ErrNotFound", err)
	}
	mustNotContain(t, get(t, h, webinarURL(launchKey)).Body.String(), "juergen@example.de", "Müller")
	if rec := get(t, h, row); rec.Code != http.StatusNotFound {
		t.Errorf("the erased registrant's page = %d, want 404", rec.Code)
	}
}

func mustRegistrantStill(t *testing.T, st *store.Store, key string) {
	t.Helper()
	if _, err := st.Registrant(launchKey, key); err != nil {
		t.Fatalf("registrant %s: %v", key, err)
	}
}

func TestEraseByAddress_FindsInAnyCaseAsksThenErases(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	h := handler(t, Config{Store: st, Login: loggedIn()})

	settings := get(t, h, "/settings").Body.String()
	mustContain(t, settings, `id="privacy"`, `action="/settings/retention"`, `action="/erase"`, `name="email"`)

	if rec := post(t, h, "/erase", url.Values{"email": {"  "}}, nil); rec.Code != http.StatusBadRequest {
		t.Errorf("erase without an address = %d, want 400", rec.Code)
	} else {
		mustContain(t, rec.Body.String(), noAddressWords)
	}
	ask := post(t, h, "/erase", url.Values{"email": {"ZOE@Example.se"}}, nil)
	mustContain(t, ask.Body.String(), "Erase Zoë Ångström?", "Quarterly Launch — Q1 2026",
		`name="email" value="ZOE@Example.se"`, `name="confirm" value="1"`, "Erase for good")
	mustRegistrantStill(t, st, "22222222222222222222")

	done := post(t, h, "/erase", url.Values{"email": {"ZOE@Example.se"}, "confirm": {"1"}}, nil)
	mustContain(t, done.Body.String(), "Erased ZOE@Example.se", "Removed 1 registration", `href="/settings#privacy"`)
	if _, err := st.Registrant(launchKey, "22222222222222222222"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after the erasure: %v", err)
	}
	again := post(t, h, "/erase", url.Values{"email": {"zoe@example.se"}, "confirm": {"1"}}, nil)
	mustContain(t, again.Body.String(), "Nothing to erase", "Nobody with that address was found: nothing was erased.")
}

// `webinarsync erase` asks the running app through /api/erase.
func TestAPIErase_AnswersTheCountsAsJSON(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	h := handler(t, Config{Store: st})
	rec := post(t, h, "/api/erase", url.Values{"email": {"li@EXAMPLE.cn"}}, nil)
	var er store.Erasure
	if err := json.Unmarshal(rec.Body.Bytes(), &er); rec.Code != http.StatusOK || err != nil {
		t.Fatalf("POST /api/erase = %d %s", rec.Code, rec.Body)
	}
	if er.Registrants != 1 || er.Events != 1 || !er.Compacted {
		t.Errorf("erasure = %+v", er)
	}
	if rec := post(t, h, "/api/erase", url.Values{"email": {"nobody"}}, nil); rec.Code != http.StatusBadRequest {
		t.Errorf("POST /api/erase without an address = %d %s, want 400", rec.Code, rec.Body)
	}
}

func TestDeleteWebinar_AsksFirstThenDeletesIt(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	h := handler(t, Config{Store: st})
	page := deleteWebinarURL(launchKey)
	mustContain(t, get(t, h, page).Body.String(), "Delete Quarterly Launch — Q1 2026?", "3 registrants", "2 joins",
		`method="post" action="`+page+`"`, "Delete for good", "Keep it")
	if _, err := st.Webinar(launchKey); err != nil {
		t.Fatalf("asking deleted the webinar: %v", err)
	}
	done := post(t, h, page, nil, nil)
	if done.Code != http.StatusOK {
		t.Fatalf("POST %s = %d:\n%s", page, done.Code, done.Body)
	}
	mustContain(t, done.Body.String(), "Deleted Quarterly Launch — Q1 2026", "Removed 3 registrations, 2 joins.",
		"6 events GoTo sent were replaced by a note of the erasure", "At GoTo the webinar still exists", `href="/"`)
	if rec := get(t, h, webinarURL(launchKey)); rec.Code != http.StatusNotFound {
		t.Errorf("the deleted webinar's page = %d, want 404", rec.Code)
	}
	mustNotContain(t, get(t, h, "/").Body.String(), "Quarterly Launch")
}

func TestRetention_TheSettingsChangeItAndTheHomePageSaysIt(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	h := handler(t, Config{Store: st, Login: loggedIn()})
	mustContain(t, get(t, h, "/").Body.String(),
		"Raw events and delivery records are kept 90 days; registrants are kept until you erase them.", `href="/settings#privacy"`)
	mustContain(t, get(t, h, "/settings").Body.String(), `name="days"`, `value="90"`, `min="1"`, `max="3650"`)

	for _, bad := range []string{"0", "3651", "ninety", ""} {
		rec := post(t, h, "/settings/retention", url.Values{"days": {bad}}, nil)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("retention %q = %d, want 400", bad, rec.Code)
		}
		mustContain(t, rec.Body.String(), "Retention not saved", "The number of days must be a whole number from 1 to 3650")
	}
	rec := post(t, h, "/settings/retention", url.Values{"days": {"30"}}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings?saved=1#privacy" {
		t.Errorf("saving 30 days = %d → %q", rec.Code, rec.Header().Get("Location"))
	}
	if r, _ := st.Retention(); r.Days != 30 {
		t.Errorf("retention saved as %d days", r.Days)
	}
	mustContain(t, get(t, h, "/").Body.String(), "Raw events and delivery records are kept 30 days;")
}
