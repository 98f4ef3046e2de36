package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/finder"
)

type pageLinks struct {
	Self string `json:"self"`
	Next string `json:"next,omitempty"`
	Prev string `json:"prev,omitempty"`
}

type groupPage struct {
	Total   int            `json:"total"`
	Page    int            `json:"page"`
	PerPage int            `json:"per_page"`
	Pages   int            `json:"pages"`
	Items   []groupSummary `json:"items"`
	Links   pageLinks      `json:"links"`
}

// searchGroups is GET /api/v1/groups: the finder's search, with the finder's
// parameters (finder.ParseQuery), so that the site and the API agree.
func (s *server) searchGroups(w http.ResponseWriter, r *http.Request, v url.Values) {
	q, err := finder.ParseQuery(v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.finder.Search(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	listings, err := s.finder.Listings(r.Context(), res.Hits)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	page := groupPage{Total: res.Total, Page: res.Page, PerPage: res.PerPage, Pages: res.Pages(),
		Items: make([]groupSummary, 0, len(listings))}
	for _, l := range listings {
		page.Items = append(page.Items, groupSummaryOf(l, now))
	}
	page.Links = pageLinksOf(q, res)
	s.writeJSON(w, r, http.StatusOK, page)
}

// pageLinksOf links this page and its neighbours with the same query. A page
// past the end links back to the last page.
func pageLinksOf(q finder.Query, res finder.Result) pageLinks {
	link := func(page int) string {
		v := q.Values()
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		if len(v) == 0 {
			return "/api/v1/groups"
		}
		return "/api/v1/groups?" + v.Encode()
	}
	pages := res.Pages()
	l := pageLinks{Self: link(res.Page)}
	if res.Page < pages && res.Page < finder.MaxPage {
		l.Next = link(res.Page + 1)
	}
	if res.Page > 1 {
		l.Prev = link(min(res.Page-1, max(pages, 1)))
	}
	return l
}

// getGroup is GET /api/v1/groups/{id}: one group by id or slug, also ended.
func (s *server) getGroup(w http.ResponseWriter, r *http.Request, _ url.Values) {
	id, ok := identifier(r)
	if !ok {
		s.fail(w, r, errNotFound("no such group"))
		return
	}
	l, err := s.finder.Listing(r.Context(), id)
	if err != nil {
		if isNotFound(err) {
			err = errNotFound("no such group")
		}
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, groupDetailOf(l, s.now()))
}
