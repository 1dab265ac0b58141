package gotowebinar_test

import (
	"bufio"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/gotowebinar"
)

// schema is a request schema of GoTo's published v2 spec: its property
// names and the required ones.
type schema struct {
	properties, required []string
}

// specSchemas are the request bodies of the webhook calls as GoTo's
// published spec (goto-webinar-v2-openapi.yml) defines them. Each body is
// a JSON array of these, or of strings (keys) for the deletes.
var specSchemas = map[string]schema{
	"SecretKeyRequest":               {properties: []string{"validFrom"}},
	"CreateWebhookRequest":           {properties: []string{"callbackUrl", "eventName", "eventVersion", "product"}, required: []string{"callbackUrl", "eventName", "eventVersion", "product"}},
	"UpdateWebhooksRequest":          {properties: []string{"callbackUrl", "webhookKey", "state"}, required: []string{"webhookKey"}},
	"CreateUserSubscriptionRequest":  {properties: []string{"callbackUrl", "webhookKey", "userSubscriptionState"}, required: []string{"webhookKey"}},
	"UpdateUserSubscriptionsRequest": {properties: []string{"callbackUrl", "webhookKey", "userSubscriptionKey", "userSubscriptionState"}, required: []string{"webhookKey", "userSubscriptionKey"}},
}

// specPath is the webhook schemas of the published spec, copied verbatim
// into the module so this check runs everywhere.
const specPath = "testdata/goto-webinar-v2-openapi.yml"

// TestSpecSchemas_MatchThePublishedSpec keeps specSchemas honest.
func TestSpecSchemas_MatchThePublishedSpec(t *testing.T) {
	t.Parallel()
	f, err := os.Open(specPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := readSchemas(t, f)
	if len(got) == 0 {
		t.Fatalf("read no schemas from %s", specPath)
	}
	for name, want := range specSchemas {
		s, ok := got[name]
		if !ok {
			t.Errorf("the spec has no schema %s", name)
			continue
		}
		if !sameSet(s.properties, want.properties) || !sameSet(s.required, want.required) {
			t.Errorf("%s: spec says properties %v required %v; we have %v and %v", name, s.properties, s.required, want.properties, want.required)
		}
	}
}

// readSchemas reads components.schemas from the spec's YAML just enough to
// list each schema's properties and required fields.
func readSchemas(t *testing.T, r io.Reader) map[string]schema {
	t.Helper()
	out := make(map[string]schema)
	var (
		inSchemas bool
		cur       string
		section   string
	)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		indent := len(line) - len(strings.TrimLeft(line, " "))
		text := strings.TrimSpace(line)
		switch {
		case text == "":
		case indent == 2:
			inSchemas = text == "schemas:"
			cur = ""
		case !inSchemas:
		case indent == 4 && strings.HasSuffix(text, ":"):
			cur, section = strings.TrimSuffix(text, ":"), ""
		case cur == "":
		case section == "required" && strings.HasPrefix(text, "- "):
			s := out[cur]
			s.required = append(s.required, strings.TrimPrefix(text, "- "))
			out[cur] = s
		case indent == 6:
			section = strings.TrimSuffix(text, ":")
		case indent == 8 && section == "properties" && strings.HasSuffix(text, ":"):
			s := out[cur]
			s.properties = append(s.properties, strings.TrimSuffix(text, ":"))
			out[cur] = s
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestRequestBodies_MatchTheSpecsSchemas checks what the Client sends:
// arrays of objects with only the spec's field names and every required one.
func TestRequestBodies_MatchTheSpecsSchemas(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	bodies := map[string][]byte{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies[r.Method+" "+r.URL.Path] = b
		mu.Unlock()
		if r.URL.Path == "/webhooks/secretkey" {
			io.WriteString(w, `{"id":1,"value":"v","validFrom":"2026-01-01T00:00:00Z"}`)
		}
	}))
	defer srv.Close()
	c := gotowebinar.NewClient(srv.URL, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"}), gotowebinar.WithRateLimit(0))
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.CreateSecretKey(ctx, time.Date(2026, 7, 1, 22, 0, 0, 0, time.UTC))
	must(err)
	_, err = c.CreateWebhooks(ctx, []gotowebinar.NewWebhook{{CallbackURL: "https://x/webhooks/gotowebinar", EventName: "registrant.added"}})
	must(err)
	must(c.UpdateWebhooks(ctx, []gotowebinar.WebhookUpdate{{WebhookKey: "w", CallbackURL: "https://y", State: "ACTIVE"}, {WebhookKey: "v", State: "INACTIVE"}}))
	_, err = c.CreateUserSubscriptions(ctx, []gotowebinar.NewUserSubscription{{WebhookKey: "w", CallbackURL: "https://y", UserSubscriptionState: "ACTIVE"}, {WebhookKey: "v"}})
	must(err)
	must(c.UpdateUserSubscriptions(ctx, []gotowebinar.UserSubscriptionUpdate{{UserSubscriptionKey: "s", WebhookKey: "w", CallbackURL: "https://y", UserSubscriptionState: "ACTIVE"}}))
	must(c.DeleteWebhooks(ctx, []gotowebinar.Key{"w", "v"}))
	must(c.DeleteUserSubscriptions(ctx, []gotowebinar.Key{"s"}))

	tests := []struct {
		call, schema string
		array        bool
	}{
		{"POST /webhooks/secretkey", "SecretKeyRequest", false},
		{"POST /webhooks", "CreateWebhookRequest", true},
		{"PUT /webhooks", "UpdateWebhooksRequest", true},
		{"POST /userSubscriptions", "CreateUserSubscriptionRequest", true},
		{"PUT /userSubscriptions", "UpdateUserSubscriptionsRequest", true},
	}
	for _, tt := range tests {
		body := bodies[tt.call]
		var items []map[string]any
		if tt.array {
			if err := json.Unmarshal(body, &items); err != nil {
				t.Errorf("%s body %s is not a JSON array of objects: %v", tt.call, body, err)
				continue
			}
		} else {
			var one map[string]any
			if err := json.Unmarshal(body, &one); err != nil {
				t.Errorf("%s body %s is not a JSON object: %v", tt.call, body, err)
				continue
			}
			items = append(items, one)
		}
		s := specSchemas[tt.schema]
		for _, it := range items {
			for k := range maps.Keys(it) {
				if !slices.Contains(s.properties, k) {
					t.Errorf("%s sends %q, which %s does not have", tt.call, k, tt.schema)
				}
			}
			for _, k := range s.required {
				if _, ok := it[k]; !ok {
					t.Errorf("%s lacks required %q in %s", tt.call, k, body)
				}
			}
		}
	}
	if got := string(bodies["POST /webhooks"]); !strings.Contains(got, `"eventVersion":"1.0.0"`) || !strings.Contains(got, `"product":"g2w"`) {
		t.Errorf("POST /webhooks body %s lacks eventVersion 1.0.0 or product g2w", got)
	}
	if got := string(bodies["POST /webhooks/secretkey"]); got != `{"validFrom":"2026-07-01T22:00:00Z"}` {
		t.Errorf("secret key body %s", got)
	}
	for _, call := range []string{"DELETE /webhooks", "DELETE /userSubscriptions"} {
		var keys []string
		if err := json.Unmarshal(bodies[call], &keys); err != nil || len(keys) == 0 {
			t.Errorf("%s body %s is not a JSON array of keys: %v", call, bodies[call], err)
		}
	}
}
