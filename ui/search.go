package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"webinarsync/store"
)

// peopleShown is how many people the search page lists.
const peopleShown = 100

// searchView is the search results page.
type searchView struct {
	chrome
	Q           string
	Webinars    []store.Webinar // titles that match
	People      []store.PersonMatch
	PeopleTotal int
}

// search serves GET /search?q=: webinars by title and people by name,
// e-mail or organization, across every webinar.
func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	v := searchView{chrome: s.chrome("Search", "home"), Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	if v.Q != "" {
		v.chrome.Title = "Search: " + v.Q
		ws, err := s.store.Webinars()
		if err != nil {
			return fmt.Errorf("webinars: %w", err)
		}
		needle := strings.ToLower(v.Q)
		for _, wb := range ws {
			if strings.Contains(strings.ToLower(webinarTitle(wb)), needle) || wb.WebinarKey == v.Q {
				v.Webinars = append(v.Webinars, wb)
			}
		}
		if v.People, v.PeopleTotal, err = s.store.SearchPeople(v.Q, peopleShown); err != nil {
			return fmt.Errorf("search people: %w", err)
		}
	}
	return s.render(w, r, http.StatusOK, searchPage(v))
}

// registrantSearchURL is the webinar page listing just this person.
func registrantSearchURL(m store.PersonMatch) string {
	q := m.Registrant.Email
	if q == "" {
		q = strings.TrimSpace(m.Registrant.FirstName + " " + m.Registrant.LastName)
	}
	return webinarURL(m.Webinar.WebinarKey) + "?q=" + url.QueryEscape(q)
}
