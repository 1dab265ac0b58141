// Package ringcentral is everything that speaks RingCentral Webinar: login
// (OAuth with PKCE, or a JWT), the REST API for catch-up, the webhook
// subscription, and the Receiver that answers RingCentral's validation
// handshake and hands verified notifications to a sink.
//
// RingCentral documents the notification envelope but not the bodies of
// its four webinar events, so a Notification is a hint (which webinar,
// session or registrant changed) to be confirmed by REST, and its raw body
// is always kept.
package ringcentral
