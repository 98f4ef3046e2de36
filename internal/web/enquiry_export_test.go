package web

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
)

// SetEnquiryLimits sets the rate limits of the enquiry pages for a test
// (0 keeps a limit as it is), and puts them back when it ends.
func SetEnquiryLimits(t testing.TB, perSource, perToken, perContact int) {
	old := enquiryLimit
	t.Cleanup(func() { enquiryLimit = old })
	if perSource > 0 {
		enquiryLimit.PerSource = perSource
	}
	if perToken > 0 {
		enquiryLimit.PerToken = perToken
	}
	if perContact > 0 {
		enquiryLimit.PerContact = perContact
	}
}

// EnquiryStamp is the spam guard's stamp of a form served at at, for tests
// that cannot move the site's clock (the whole application's handler).
func EnquiryStamp(ctx context.Context, st *store.Store, at time.Time) (string, error) {
	key, err := st.ServerKey(ctx, "enquiry-form", 32)
	if err != nil {
		return "", err
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	return ts + "." + enquiryMAC(key, "stamp:"+ts), nil
}
