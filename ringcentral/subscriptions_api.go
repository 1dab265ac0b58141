package ringcentral

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// SubscriptionsPath is the root of RingCentral's webinar webhook
// subscriptions (not /restapi/v1.0/subscription: webinar has its own).
const SubscriptionsPath = "/webinar/notifications/v1/subscriptions"

// The webinar event filters. Each may take ?webinarId= or ?hostUserId=.
const (
	FilterSessionConfiguration = "/webinar/configuration/v1/company/sessions"            // a session created or changed
	FilterSessionState         = "/webinar/runtime/v1/company/sessions/state"            // a session starts or ends
	FilterRegistrationState    = "/webinar/registration/v1/company/sessions/state"       // a session's registration opened or closed
	FilterRegistrants          = "/webinar/registration/v1/company/sessions/registrants" // a registrant created or changed
)

// EventFilters are the four filters webinarsync subscribes to.
func EventFilters() []string {
	return []string{FilterSessionConfiguration, FilterSessionState, FilterRegistrationState, FilterRegistrants}
}

// TransportWebHook is the only delivery transport webinar subscriptions take.
const TransportWebHook = "WebHook"

// SubscriptionStatus is a subscription's state. The current spec knows
// Active and Blacklisted; an older one also Suspended. Anything but Active
// means no deliveries.
type SubscriptionStatus string

// The documented states.
const (
	SubscriptionActive      SubscriptionStatus = "Active"
	SubscriptionBlacklisted SubscriptionStatus = "Blacklisted"
	SubscriptionSuspended   SubscriptionStatus = "Suspended"
)

// Subscription is a webhook subscription as RingCentral shows it. The
// verification token is write-only: it never comes back.
type Subscription struct {
	ID                string
	URI               string
	EventFilters      []string
	DisabledFilters   []DisabledFilter
	Status            SubscriptionStatus
	Address           string // deliveryMode.address
	TransportType     string
	CreationTime      time.Time
	ExpirationTime    time.Time
	BlacklistedAt     time.Time // only when Blacklisted
	BlacklistedReason string
}

// DisabledFilter is an event filter RingCentral refused to deliver.
type DisabledFilter struct {
	Filter  string `json:"filter"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// Active reports whether RingCentral delivers to s at now: its status is
// Active and it has not expired.
func (s Subscription) Active(now time.Time) bool {
	return s.Status == SubscriptionActive && (s.ExpirationTime.IsZero() || now.Before(s.ExpirationTime))
}

// UnmarshalJSON reads SubscriptionInfo.
func (s *Subscription) UnmarshalJSON(b []byte) error {
	var v struct {
		ID, URI, Status              string
		EventFilters                 []string
		DisabledFilters              []DisabledFilter
		CreationTime, ExpirationTime flexTime
		DeliveryMode                 struct{ TransportType, Address string }
		BlacklistedData              *struct {
			BlacklistedAt flexTime
			Reason        string
		}
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("a subscription: %w", err)
	}
	*s = Subscription{ID: v.ID, URI: v.URI, EventFilters: v.EventFilters, DisabledFilters: v.DisabledFilters,
		Status: SubscriptionStatus(v.Status), Address: v.DeliveryMode.Address, TransportType: v.DeliveryMode.TransportType,
		CreationTime: v.CreationTime.Time(), ExpirationTime: v.ExpirationTime.Time()}
	if d := v.BlacklistedData; d != nil {
		s.BlacklistedAt, s.BlacklistedReason = d.BlacklistedAt.Time(), d.Reason
	}
	return nil
}

// NewSubscription is what to subscribe to and where to deliver.
type NewSubscription struct {
	EventFilters      []string      // nil: EventFilters()
	Address           string        // our public webhook URL
	VerificationToken string        // sent back on every delivery
	ExpiresIn         time.Duration // 0: RingCentral's default
}

type deliveryModeJSON struct {
	TransportType     string `json:"transportType"`
	Address           string `json:"address"`
	VerificationToken string `json:"verificationToken,omitempty"`
}

type subscriptionRequestJSON struct {
	EventFilters []string          `json:"eventFilters"`
	DeliveryMode *deliveryModeJSON `json:"deliveryMode,omitempty"`
	ExpiresIn    int64             `json:"expiresIn,omitempty"`
}

func expiresInSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return max(int64(d/time.Second), 1)
}

// Subscriptions lists the user's subscriptions for this app (at most 20;
// the listing is not paged).
func (c *Client) Subscriptions(ctx context.Context) ([]Subscription, error) {
	var list struct {
		Records []Subscription `json:"records"`
	}
	err := c.call(ctx, request{method: "GET", path: SubscriptionsPath, group: GroupLight}, &list)
	return list.Records, err
}

// CreateSubscription subscribes. RingCentral first POSTs a Validation-Token
// to the address and refuses the subscription (ProblemAddressRefused)
// unless it is echoed in time.
func (c *Client) CreateSubscription(ctx context.Context, ns NewSubscription) (Subscription, error) {
	if ns.Address == "" {
		return Subscription{}, errors.New("ringcentral: creating a subscription: the address is empty")
	}
	filters := ns.EventFilters
	if len(filters) == 0 {
		filters = EventFilters()
	}
	body := subscriptionRequestJSON{
		EventFilters: filters,
		DeliveryMode: &deliveryModeJSON{TransportType: TransportWebHook, Address: ns.Address, VerificationToken: ns.VerificationToken},
		ExpiresIn:    expiresInSeconds(ns.ExpiresIn),
	}
	var s Subscription
	err := c.call(ctx, request{method: "POST", path: SubscriptionsPath, group: GroupMedium, body: body}, &s)
	return s, err
}

// Subscription gets one subscription.
func (c *Client) Subscription(ctx context.Context, id string) (Subscription, error) {
	var s Subscription
	err := c.call(ctx, request{method: "GET", path: SubscriptionsPath + "/" + url.PathEscape(id), group: GroupLight}, &s)
	return s, err
}

// UpdateSubscription replaces the event filters (nil: EventFilters()) and
// renews the expiry. The filters are always sent: an empty body would
// only renew, and the spec marks them required. The address cannot be
// changed this way; re-pointing is create and delete.
func (c *Client) UpdateSubscription(ctx context.Context, id string, eventFilters []string, expiresIn time.Duration) (Subscription, error) {
	if len(eventFilters) == 0 {
		eventFilters = EventFilters()
	}
	body := subscriptionRequestJSON{EventFilters: eventFilters, ExpiresIn: expiresInSeconds(expiresIn)}
	var s Subscription
	err := c.call(ctx, request{method: "PUT", path: SubscriptionsPath + "/" + url.PathEscape(id), group: GroupMedium, body: body}, &s)
	return s, err
}

// RenewSubscription extends a subscription by its expiresIn.
func (c *Client) RenewSubscription(ctx context.Context, id string) (Subscription, error) {
	var s Subscription
	err := c.call(ctx, request{method: "POST", path: SubscriptionsPath + "/" + url.PathEscape(id) + "/renew", group: GroupLight}, &s)
	return s, err
}

// DeleteSubscription ends a subscription.
func (c *Client) DeleteSubscription(ctx context.Context, id string) error {
	return c.call(ctx, request{method: "DELETE", path: SubscriptionsPath + "/" + url.PathEscape(id), group: GroupMedium}, nil)
}
