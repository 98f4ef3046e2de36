package web

import (
	"net/http"

	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/logpath"
	"github.com/fellesrom/fellesrom/internal/meetingguide"
)

// The Meeting Guide JSON feed of open meetings, once for the site (it has no
// language: the format has none):
//
//	GET /feeds/meeting-guide.json
func init() {
	staffAreas = append(staffAreas, func(s *site, mux *http.ServeMux, lang, _ string) {
		if lang != i18n.Default {
			return
		}
		// The pattern is written out (it is meetingguide.Path): the role
		// matrix reads the patterns of every registration from the source.
		mux.Handle("/feeds/meeting-guide.json", meetingguide.NewFeed(s.store, s.finder, s.accountLinkBase,
			func(r *http.Request, err error) {
				s.log.Error("web: meeting guide feed failed", "path", logpath.Of(r), "err", err)
			}))
	})
}
