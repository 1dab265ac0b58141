package ngrok

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDescribe_PutsNgrokErrorsInWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		err       error
		want      []string
		permanent bool
	}{
		{"code from ngrok-go's Error", &codeError{"ERR_NGROK_105", "The authtoken you specified does not look like a proper ngrok authtoken.\nYour authtoken: " + testToken},
			[]string{"ngrok refused the authtoken: copy it again from https://dashboard.ngrok.com/get-started/your-authtoken", "ERR_NGROK_105"}, true},
		{"code only in the text", fmt.Errorf("failed to connect: %w", errors.New("authentication failed: The authtoken you specified is properly formed, but it is invalid.\r\n\r\nERR_NGROK_107\r\n")),
			[]string{"ngrok refused the authtoken", "ERR_NGROK_107"}, true},
		{"code in lower case", errors.New("see https://ngrok.com/docs/errors/err_ngrok_106"), []string{"ngrok refused the authtoken", "ERR_NGROK_106"}, true},
		{"session limit", &codeError{"ERR_NGROK_108", "Your account is limited to 1 simultaneous ngrok agent sessions."},
			[]string{"another ngrok agent is already running on this account", "ERR_NGROK_108"}, false},
		{"agent too old", errors.New("Your ngrok-go version \"2.0.0\" is too old.\n\nERR_NGROK_121"), []string{"update webinarsync", "ERR_NGROK_121"}, true},
		{"agent no longer supported", errors.New("ERR_NGROK_120"), []string{"update webinarsync", "ERR_NGROK_120"}, true},
		{"domain not reserved", errors.New("failed to start tunnel: The domain 'x.ngrok-free.app' is not reserved.\n\nERR_NGROK_319"),
			[]string{"not reserved on your ngrok account", "https://dashboard.ngrok.com/domains", "NGROK_DOMAIN", "ERR_NGROK_319"}, true},
		{"custom subdomain on a free plan", errors.New("Custom subdomains are a feature on ngrok's paid plans.\n\nERR_NGROK_313"), []string{"not reserved", "ERR_NGROK_313"}, true},
		{"domain of another account", &codeError{"ERR_NGROK_320", "This domain is reserved for another account."},
			[]string{"belongs to another ngrok account", "ERR_NGROK_320"}, true},
		{"endpoint online elsewhere", errors.New("The endpoint 'https://x.ngrok-free.app' is already online.\n\nERR_NGROK_334"),
			[]string{"already online from another ngrok agent", "ERR_NGROK_334"}, false},
		{"invalid URL", errors.New("Invalid URL 'https://x/y', path '/y' is not allowed.\n\nERR_NGROK_9037"), []string{"not a valid address", "ERR_NGROK_9037"}, true},
		{"unknown code", &codeError{"ERR_NGROK_8012", "Traffic was successfully tunneled to the ngrok agent, but the agent failed.\n\nhttps://ngrok.com/docs/errors/err_ngrok_8012"},
			[]string{"ngrok error ERR_NGROK_8012: Traffic was successfully tunneled to the ngrok agent, but the agent failed", "https://ngrok.com/docs/errors/err_ngrok_8012"}, false},
		{"deadline", context.DeadlineExceeded, []string{"ngrok did not answer within 20 s: check your internet connection"}, false},
		{"our listen deadline", &errListenTimeout{after: 1500 * time.Millisecond}, []string{"ngrok did not answer within 1.5s"}, false},
		{"our listen deadline after an error", &errListenTimeout{after: 20 * time.Second, last: errors.New("failed to send authentication request: EOF")},
			[]string{"ngrok did not answer within 20 s: check your internet connection (last error: failed to send authentication request: EOF)"}, false},
		{"code beats deadline", errors.Join(&codeError{"ERR_NGROK_107", "invalid"}, context.DeadlineExceeded), []string{"ngrok refused the authtoken", "ERR_NGROK_107"}, true},
		{"no network", errors.New(`failed to connect: failed to dial ngrok server with address "connect.ngrok-agent.com:443": dial tcp: lookup connect.ngrok-agent.com: no such host`),
			[]string{"could not reach ngrok: check your internet connection", "no such host"}, false},
		{"no token", ErrNoAuthtoken, []string{"NGROK_AUTHTOKEN", "https://dashboard.ngrok.com/get-started/your-authtoken"}, true},
		{"anything else", errors.New("agent not connected"), []string{"ngrok: agent not connected"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Describe(tc.err)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("Describe = %q, want it to contain %q", got, w)
				}
			}
			if strings.Contains(got, testToken) || strings.Contains(got, "\n") {
				t.Errorf("Describe = %q: the token or several lines", got)
			}
			if permanent(tc.err) != tc.permanent {
				t.Errorf("permanent = %v, want %v", !tc.permanent, tc.permanent)
			}
		})
	}
	if got := Describe(nil); got != "" {
		t.Errorf("Describe(nil) = %q", got)
	}
}

func TestDescribe_NeverEchoesTheToken(t *testing.T) {
	t.Parallel()
	err := errors.New("Something new went wrong.\nYour authtoken: " + testToken + "\n\nERR_NGROK_9999")
	got := Describe(err)
	if strings.Contains(got, testToken) || !strings.Contains(got, "[hidden]") || !strings.Contains(got, "ERR_NGROK_9999") {
		t.Errorf("Describe = %q", got)
	}
	if got := redact("token "+testToken+" again "+testToken, testToken); strings.Contains(got, testToken) {
		t.Errorf("redact = %q", got)
	}
}

func TestDescribe_KeepsLongMessagesShort(t *testing.T) {
	t.Parallel()
	got := Describe(errors.New(strings.Repeat("é", 1000) + " ERR_NGROK_4242"))
	if !utf8.ValidString(got) || len(got) > 500 {
		t.Errorf("Describe = %d bytes, valid UTF-8 %v", len(got), utf8.ValidString(got))
	}
}

func TestMaskToken_NeverRevealsToken(t *testing.T) {
	t.Parallel()
	if got := MaskToken(testToken); got != "2ab…xyz9" {
		t.Errorf("MaskToken(a real-looking token) = %q, want 2ab…xyz9", got)
	}
	if got := MaskToken(""); got != "" {
		t.Errorf("MaskToken(\"\") = %q", got)
	}
	for n := 1; n <= 60; n++ {
		tok := strings.Repeat("abcdefghij", 6)[:n]
		got := MaskToken(tok)
		if strings.Contains(got, tok) {
			t.Errorf("MaskToken(%d chars) = %q shows the whole token", n, got)
		}
		shown := utf8.RuneCountInString(strings.ReplaceAll(got, "…", ""))
		if shown*3 > n {
			t.Errorf("MaskToken(%d chars) = %q shows %d characters, more than a third", n, got, shown)
		}
		if !strings.Contains(got, "…") {
			t.Errorf("MaskToken(%d chars) = %q does not say it is masked", n, got)
		}
	}
	if got := MaskToken("  " + testToken + "\n"); got != "2ab…xyz9" {
		t.Errorf("MaskToken ignores surrounding space: %q", got)
	}
}
