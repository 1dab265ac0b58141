package gotowebinar_test

import "fmt"

// Realistic deliveries, one per event, shaped as GoTo's webhooks guide lists
// the fields (keys as bare JSON numbers well beyond 2^64, ISO times, the
// guide's "Industry" spelling and [question, type, [answers]] tuples).
const (
	sampleWebinarKey    = "98765432109876543210123"
	sampleRegistrantKey = "12345678901234567890"
	sampleSessionKey    = "55555555555555555555"
	sampleCreatorKey    = "18446744073709551616"
)

func sampleRegistrantAdded(eventKey string) string {
	return fmt.Sprintf(`{
  "eventName": "registrant.added",
  "eventVersion": "1.0.0",
  "product": "g2w",
  "eventKey": %q,
  "firstName": "Ada",
  "lastName": "Lovelace",
  "email": "ada@example.com",
  "phone": "+44 20 7946 0000",
  "address": "12 St James's Square",
  "city": "London",
  "state": "Greater London",
  "country": "United Kingdom",
  "zipCode": "SW1Y 4JH",
  "organization": "Analytical Engines Ltd",
  "jobTitle": "Programmer",
  "Industry": "Computing",
  "comments": "Looking forward to it",
  "registrationDate": "2024-03-15T10:00:00Z",
  "numberOfEmployees": "1-20",
  "purchasingRole": "Decision Maker",
  "purchasingTimeFrame": "1-3 months",
  "status": "Approved",
  "webinarKey": %s,
  "webinarTitle": "Notes on the Engine",
  "experienceType": "CLASSIC",
  "recurrenceType": "single_session",
  "webinarCreatorKey": %s,
  "registrationSource": "Email",
  "joinUrl": "https://global.gotowebinar.com/join/1/2",
  "registrantKey": %s,
  "timestamp": "2024-03-15T10:00:01.123Z",
  "responses": [["Favourite number?", "MULTIPLE_CHOICE", ["7", "42"]], ["Why attend?", "SHORT_ANSWER", ["Curiosity"]]]
}`, eventKey, sampleWebinarKey, sampleCreatorKey, sampleRegistrantKey)
}

func sampleRegistrantJoined(eventKey string) string {
	return fmt.Sprintf(`{
  "eventName": "registrant.joined",
  "eventVersion": "1.0.0",
  "product": "g2w",
  "eventKey": %q,
  "firstName": "Ada",
  "lastName": "Lovelace",
  "email": "ada@example.com",
  "webinarKey": %s,
  "sessionKey": %s,
  "webinarTitle": "Notes on the Engine",
  "experienceType": "CLASSIC",
  "recurrenceType": "single_session",
  "registrantKey": %s,
  "webinarCreatorKey": %s,
  "joinTime": "2024-03-20T15:01:02Z",
  "timestamp": "2024-03-20T15:01:03Z"
}`, eventKey, sampleWebinarKey, sampleSessionKey, sampleRegistrantKey, sampleCreatorKey)
}

func sampleWebinarEvent(name, eventKey, status string) string {
	return fmt.Sprintf(`{
  "eventName": %q,
  "eventVersion": "1.0.0",
  "accountKey": 11111111111111111111,
  "organizerKey": 22222222222222222222,
  "product": "g2w",
  "eventKey": %q,
  "webinarKey": %s,
  "webinarTitle": "Notes on the Engine",
  "description": "A first program",
  "experienceType": "CLASSIC",
  "recurrenceType": "single_session",
  "recurrenceKey": null,
  "webinarCreationDate": "2024-03-01T09:00:00Z",
  "status": %q,
  "times": [["2024-03-20T15:00:00Z", "2024-03-20T16:00:00Z"]],
  "startTime": "2024-03-20T15:00:00Z",
  "endTime": "2024-03-20T16:00:00Z",
  "timeZone": "Europe/London"
}`, name, eventKey, sampleWebinarKey, status)
}
