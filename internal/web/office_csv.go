package web

// CSV import and export of groups and venues: /kontor/csv (the page, with
// the upload form), /kontor/csv/grupper.csv and /kontor/csv/steder.csv (the
// export), /kontor/csv/provekjoring (the dry run) and /kontor/csv/importer
// (the import of exactly the plan the dry run showed). The column layout
// and the rules live in package csvio and the README.

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/csvio"
	"github.com/fellesrom/fellesrom/internal/store"
)

func init() { staffAreas = append(staffAreas, officeCSVRoutes) }

func officeCSVRoutes(s *site, mux *http.ServeMux, lang, p string) {
	h := s.staffHandlers(lang)
	k := p + "/kontor/csv"
	mux.Handle(k, h(s.officeCSVPage, nil))
	mux.Handle(k+"/grupper.csv", h(s.officeCSVExport("groups"), nil))
	mux.Handle(k+"/steder.csv", h(s.officeCSVExport("venues"), nil))
	mux.Handle(k+"/provekjoring", h(nil, s.officeCSVDryRun))
	mux.Handle(k+"/importer", h(nil, s.officeCSVImport))
}

type officeCSVView struct {
	*officeView
	CanImport   bool
	Plan        *csvio.Plan
	Kind        string
	Org         string
	Data        string // the file, base64, carried to the import
	Fingerprint string
	Changed     bool // the plan differed at import: shown again
	Done        *csvio.Result
}

// KindLabel is the message id of the kind of rows.
func (v *officeCSVView) KindLabel() string { return "csvio.kind_" + v.Kind }

// ActionLabel is the message id of an action.
func (v *officeCSVView) ActionLabel(a csvio.Action) string { return "csvio.action_" + string(a) }

// Problem is the sentence of a problem of a row.
func (v *officeCSVView) Problem(p csvio.Problem) Phrase {
	return v.L(p.Message, "Value", p.Value, "Column", p.Column)
}

// failRow marks the plan's row of a failed import as rejected, with the
// reason; false if the plan has no such row.
func (v *officeCSVView) failRow(e *store.RowError) bool {
	for i := range v.Plan.Rows {
		r := &v.Plan.Rows[i]
		if r.Line != e.Line {
			continue
		}
		p := csvio.Problem{Message: "csvio.err_apply_failed"}
		switch {
		case e.Invalid:
			p = csvio.Problem{Message: "csvio.err_apply_invalid", Value: e.Err.Error()}
		case errors.Is(e, store.ErrNotFound):
			p.Message = "csvio.err_apply_gone"
		}
		r.Action, r.Changed, r.NewVenue = csvio.Reject, nil, ""
		r.Problems = append(r.Problems, p)
		return true
	}
	return false
}

// MissingText lists the required columns the file lacks.
func (v *officeCSVView) MissingText() string { return strings.Join(v.Plan.Missing, ", ") }

// IgnoredText lists the columns of the file that are not read.
func (v *officeCSVView) IgnoredText() string { return strings.Join(v.Plan.Ignored, ", ") }

// NewVenueCount is the number of venues the import creates.
func (v *officeCSVView) NewVenueCount() int { return len(v.Plan.NewVenues) }

// Pending says whether the plan has anything to import.
func (v *officeCSVView) Pending() bool {
	return v.Plan != nil && len(v.Plan.Missing) == 0 && (v.Plan.Count(csvio.Create) > 0 || v.Plan.Count(csvio.Change) > 0)
}

// officeCSVOrgs are the organisations the user may use with perm.
func officeCSVOrgs(sc *officeScope, perm auth.Permission) []string {
	var out []string
	for _, o := range sc.orgs {
		if sc.can(perm, o.ID) {
			out = append(out, o.ID)
		}
	}
	return out
}

func (s *site) newOfficeCSVView(r *http.Request, lang string, me *auth.Current, sc *officeScope) *officeCSVView {
	v := &officeCSVView{officeView: s.newOfficeView(r, lang, "/kontor/csv", me, "csv", "csvio.title")}
	v.CanImport = sc.canAny(auth.EditListing)
	v.opts("organisation", officeOrgOptions(sc.ordered(auth.EditListing)))
	v.opts("kind", []officeOption{{Value: "groups", Text: v.S("csvio.kind_groups")}, {Value: "venues", Text: v.S("csvio.kind_venues")}})
	return v
}

// officeCSVPage is GET /kontor/csv: the export links and the upload form.
func (s *site) officeCSVPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !sc.canAny(auth.ViewListing) {
		s.notFound(w, r, lang)
		return
	}
	v := s.newOfficeCSVView(r, lang, me, sc)
	v.set("kind", "groups")
	if edit := officeCSVOrgs(sc, auth.EditListing); len(edit) > 0 {
		v.set("organisation", edit[0])
	}
	q := r.URL.Query()
	if q.Has("opprettet") {
		c, _ := strconv.Atoi(q.Get("opprettet"))
		ch, _ := strconv.Atoi(q.Get("endret"))
		ve, _ := strconv.Atoi(q.Get("steder"))
		v.Done = &csvio.Result{Created: c, Changed: ch, Venues: ve}
	}
	s.render(w, r, http.StatusOK, "office_csv", v)
}

// officeCSVExport is GET /kontor/csv/grupper.csv and /kontor/csv/steder.csv:
// the groups or venues of every organisation the user may see, streamed.
func (s *site) officeCSVExport(kind string) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
		ctx := r.Context()
		sc, err := s.officeScope(ctx, me)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		view := officeCSVOrgs(sc, auth.ViewListing)
		if len(view) == 0 {
			s.notFound(w, r, lang)
			return
		}
		ref, err := csvio.Load(ctx, s.store, view, "")
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		// A hidden address only for those who may edit it, as on /kontor/steder.
		ref.Edit = map[string]bool{}
		for _, id := range officeCSVOrgs(sc, auth.EditListing) {
			ref.Edit[id] = true
		}
		name := "grupper.csv"
		write := csvio.WriteGroups
		if kind == "venues" {
			name, write = "steder.csv", csvio.WriteVenues
		}
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		if err := write(w, ref); err != nil {
			s.log.Warn("csv export", "err", err)
		}
	}
}

// officeCSVDryRun is POST /kontor/csv/provekjoring (multipart): the plan,
// row by row; nothing is written.
func (s *site) officeCSVDryRun(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	ctx := r.Context()
	sc, err := s.officeScope(ctx, me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !sc.canAny(auth.EditListing) {
		s.notFound(w, r, lang)
		return
	}
	v := s.newOfficeCSVView(r, lang, me, sc)
	r.Body = http.MaxBytesReader(w, r.Body, csvio.MaxBytes+64<<10)
	var data []byte
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			v.fail("file", "csvio.err_file_too_big")
		} else {
			v.fail("file", "csvio.err_file_missing")
		}
		s.officeFail(w, r, "office_csv", v)
		return
	}
	defer r.MultipartForm.RemoveAll()
	v.keep(r.MultipartForm.Value, "kind", "organisation")
	f, _, err := r.FormFile("file")
	if err == nil {
		data, err = io.ReadAll(io.LimitReader(f, csvio.MaxBytes+1))
		f.Close()
	}
	if err != nil || len(data) == 0 {
		v.fail("file", "csvio.err_file_missing")
	}
	s.officeCSVPlan(w, r, lang, me, sc, v, data, "")
}

// officeCSVImport is POST /kontor/csv/importer: the plan made again from
// the same file; applied only if it is the plan the user saw.
func (s *site) officeCSVImport(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	ctx := r.Context()
	sc, err := s.officeScope(ctx, me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !sc.canAny(auth.EditListing) {
		s.notFound(w, r, lang)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 2*csvio.MaxBytes)
	if !s.officeParse(w, r, lang) {
		return
	}
	v := s.newOfficeCSVView(r, lang, me, sc)
	v.keep(r.PostForm, "kind", "organisation")
	data, err := base64.StdEncoding.DecodeString(r.PostForm.Get("data"))
	if err != nil || len(data) == 0 {
		s.badAddress(w, r, lang)
		return
	}
	s.officeCSVPlan(w, r, lang, me, sc, v, data, r.PostForm.Get("fingerprint"))
}

// officeCSVPlan makes the plan of data and shows it; with a fingerprint
// (the import), it applies the plan if it is unchanged.
func (s *site) officeCSVPlan(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, sc *officeScope, v *officeCSVView, data []byte, want string) {
	ctx := r.Context()
	v.Kind = "groups"
	if v.Val("kind") == "venues" {
		v.Kind = "venues"
	}
	v.Org = v.Val("organisation")
	if v.Org != "" && !sc.can(auth.EditListing, v.Org) {
		s.notFound(w, r, lang)
		return
	}
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "office_csv", v)
		return
	}
	tab, err := csvio.Decode(bytes.NewReader(data))
	if err != nil {
		msg := map[error]string{csvio.ErrEmpty: "csvio.err_file_empty", csvio.ErrTooBig: "csvio.err_file_too_big",
			csvio.ErrTooMany: "csvio.err_file_rows", csvio.ErrEncoding: "csvio.err_file_encoding"}[err]
		if msg == "" {
			msg = "csvio.err_file_syntax"
		}
		v.fail("file", msg)
		s.officeFail(w, r, "office_csv", v)
		return
	}
	ref, err := csvio.Load(ctx, s.store, officeCSVOrgs(sc, auth.EditListing), v.Org)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if v.Kind == "venues" {
		v.Plan = csvio.PlanVenues(tab, ref)
	} else {
		v.Plan = csvio.PlanGroups(tab, ref)
	}
	v.Data = base64.StdEncoding.EncodeToString(data)
	v.Fingerprint = v.Plan.Fingerprint()
	if want != "" {
		res, err := csvio.Apply(officeCtx(r, me), s.store, v.Plan, want, me.User.ID)
		if errors.Is(err, csvio.ErrPlanChanged) {
			v.Changed = true
			s.render(w, r, http.StatusConflict, "office_csv_plan", v)
			return
		}
		var rowErr *store.RowError
		if errors.As(err, &rowErr) && v.failRow(rowErr) {
			// Nothing was written: the plan again, the row that failed
			// marked with why. Importing again makes the plan anew.
			if !rowErr.Invalid && !errors.Is(err, store.ErrNotFound) {
				s.log.Warn("csv import", "line", rowErr.Line, "err", err)
			}
			s.render(w, r, http.StatusConflict, "office_csv_plan", v)
			return
		}
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		s.seeOther(w, r, v.HrefQuery("/kontor/csv", "opprettet", strconv.Itoa(res.Created), "endret", strconv.Itoa(res.Changed),
			"steder", strconv.Itoa(res.Venues)))
		return
	}
	s.render(w, r, http.StatusOK, "office_csv_plan", v)
}
