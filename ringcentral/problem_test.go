package ringcentral_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"webinarsync/ringcentral"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	api := func(status int, codes ...string) error {
		return fmt.Errorf("wrapped: %w", &ringcentral.APIError{Method: "GET", Path: "/x", Status: status, Codes: codes})
	}
	tests := []struct {
		name string
		err  error
		want ringcentral.ProblemKind
		code string
	}{
		{"401", api(http.StatusUnauthorized, "OAU-128"), ringcentral.ProblemLoginExpired, "OAU-128"},
		{"403", api(http.StatusForbidden, "CMN-408"), ringcentral.ProblemForbidden, "CMN-408"},
		{"404", api(http.StatusNotFound, "CMN-102"), ringcentral.ProblemNotFound, "CMN-102"},
		{"429", api(http.StatusTooManyRequests, "CMN-301"), ringcentral.ProblemRateLimited, "CMN-301"},
		{"503", api(http.StatusServiceUnavailable), ringcentral.ProblemDown, ""},
		{"400 SUB-525", api(http.StatusBadRequest, "SUB-525"), ringcentral.ProblemAddressRefused, "SUB-525"},
		{"400 other", api(http.StatusBadRequest, "CMN-101"), ringcentral.ProblemRefused, "CMN-101"},
		{"refresh refused", fmt.Errorf("%w: %w", ringcentral.ErrLoginExpired, &ringcentral.TokenError{Status: 400, Code: "invalid_grant", ErrorCodes: []string{"OAU-210"}}), ringcentral.ProblemLoginExpired, "OAU-210"},
		{"login refused", &ringcentral.TokenError{Status: 401, Code: "invalid_client", ErrorCodes: []string{"OAU-146"}}, ringcentral.ProblemLoginRefused, "OAU-146"},
		{"auth rate limited", &ringcentral.TokenError{Status: 429}, ringcentral.ProblemRateLimited, ""},
		{"not logged in", ringcentral.ErrNotLoggedIn, ringcentral.ProblemNotLoggedIn, ""},
		{"cancelled", context.Canceled, ringcentral.ProblemInterrupted, ""},
		{"deadline", context.DeadlineExceeded, ringcentral.ProblemTimeout, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if p := ringcentral.Classify(tt.err); p.Kind != tt.want || p.Code != tt.code {
				t.Errorf("Classify(%v) = %+v, want %s with code %q", tt.err, p, tt.want, tt.code)
			}
		})
	}
}
