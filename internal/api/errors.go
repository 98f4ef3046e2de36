package api

import (
	"errors"
	"github.com/fellesrom/fellesrom/internal/logpath"
	"net/http"

	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Error codes, as in the contract's Error schema.
const (
	codeBadParameter     = "bad_parameter"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeInternal         = "internal_error"
)

// apiError is the body of every error: {"error": {…}}. Its message never
// repeats what the client sent.
type apiError struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

func errNotFound(msg string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: codeNotFound, Message: msg}
}

func errBadParameter(param, reason string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeBadParameter, Param: param,
		Message: (&finder.QueryError{Param: param, Reason: reason}).Error()}
}

// fail answers with the error err stands for: an *apiError as it is, a
// finder.QueryError as a 400 naming the parameter, store.ErrNotFound as a
// 404, and anything else as a 500, logged without the query string.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var qe *finder.QueryError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &qe):
		ae = errBadParameter(qe.Param, qe.Reason)
	case errors.Is(err, store.ErrNotFound):
		ae = errNotFound("not found")
	default:
		s.log.Error("api: request failed", "method", r.Method, "path", logpath.Of(r), "err", err)
		ae = &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: "internal error"}
	}
	s.writeJSON(w, r, ae.Status, struct {
		Error *apiError `json:"error"`
	}{ae})
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
