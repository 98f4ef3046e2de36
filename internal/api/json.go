package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

const (
	contentTypeJSON = "application/json; charset=utf-8"
	cachePublic     = "public, max-age=60"
	cacheNone       = "no-store"
)

// writeJSON renders v with status. Successful responses may be cached for a
// minute (the directory is public and changes seldom); errors are not.
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		if status < 400 {
			s.fail(w, r, err)
			return
		}
		s.log.Error("api: encode error response", "err", err)
		b.Reset()
		b.WriteString(`{"error":{"status":500,"code":"internal_error","message":"internal error"}}` + "\n")
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	if status < 300 {
		h.Set("Cache-Control", cachePublic)
	} else {
		h.Set("Cache-Control", cacheNone)
	}
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// list is the envelope of every collection.
type list[T any] struct {
	Items []T `json:"items"`
}

func listOf[T any](items []T) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items}
}

// text is a language map, {"nb": "…", "en": "…"}; never null.
type text map[string]string

func textOf(t domain.Text) text {
	out := make(text, len(t))
	for k, v := range t {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// optString is s, or null when it is empty.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// optInt is n, or null when it is 0 (not set).
func optInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// timestamp is t in RFC 3339 with the offset of its location.
func timestamp(t time.Time) string { return t.Format(time.RFC3339) }

func optTimestamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := timestamp(t)
	return &s
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
