package web

import (
	"net/http"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
)

// Group models (Selvhjelp Norge closed groups, 12-step open meetings, peer
// groups …) as data, for administrators (auth.ManageTaxonomy).

var (
	officeIntakes     = []domain.Intake{domain.IntakeClosed, domain.IntakeOpen, domain.IntakeVaries}
	officeLeaderships = []domain.Leadership{domain.LeadStarter, domain.LeadChair, domain.LeadPeer, domain.LeadOther}
	officeModelLangs  = []string{"nb", "nn", "en"}
	officeModelFields = []string{"slug", "name_nb", "name_nn", "name_en", "description_nb", "description_en", "intake",
		"leadership", "who_nb", "who_en", "size_min", "size_max", "default_join", "sort_order"}
)

type officeModelsView struct {
	*officeView
	Models []domain.Model
}

// officeModelsPage is GET /kontor/modeller.
func (s *site) officeModelsPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.officeTaxonomy(w, r, lang, me) {
		return
	}
	models, err := s.store.Models(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &officeModelsView{officeView: s.newOfficeView(r, lang, "/kontor/modeller", me, "models", "office.models_title"), Models: models}
	s.render(w, r, http.StatusOK, "office_models", v)
}

type officeModelView struct {
	*officeView
	Model  domain.Model
	New    bool
	Action string
}

func officeModelForm(v *officeView, m domain.Model) {
	v.set("slug", m.Slug)
	for _, l := range officeModelLangs {
		v.set("name_"+l, m.Name[l])
	}
	v.set("description_nb", m.Description["nb"])
	v.set("description_en", m.Description["en"])
	v.set("intake", string(m.Intake))
	v.set("leadership", string(m.Leadership))
	v.set("who_nb", m.WhoMayCome["nb"])
	v.set("who_en", m.WhoMayCome["en"])
	if m.SizeMin > 0 {
		v.set("size_min", strconv.Itoa(m.SizeMin))
	}
	if m.SizeMax > 0 {
		v.set("size_max", strconv.Itoa(m.SizeMax))
	}
	v.set("default_join", string(m.DefaultJoin))
	v.set("sort_order", strconv.Itoa(m.SortOrder))
}

func (s *site) newOfficeModelView(r *http.Request, lang string, me *auth.Current, m domain.Model) *officeModelView {
	var v *officeModelView
	if m.ID == "" {
		v = &officeModelView{officeView: s.newOfficeView(r, lang, "/kontor/modeller/ny", me, "models", "office.model_new_title"), New: true}
		v.Action = v.Href("/kontor/modeller/ny")
	} else {
		path := "/kontor/modeller/" + m.ID
		v = &officeModelView{officeView: s.newOfficeView(r, lang, path, me, "models", "office.model_edit_title", "Name", m.Name.In(lang)), Model: m}
		v.Action = v.Href(path)
	}
	v.opts("intake", officeEnum(v.officeView, "office.intake.", officeIntakes))
	v.opts("leadership", officeEnum(v.officeView, "office.lead.", officeLeaderships))
	v.opts("default_join", officeEnum(v.officeView, "office.join.", domain.JoinMethods))
	return v
}

// officeModelLoad loads the model of the path.
func (s *site) officeModelLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) ([]domain.Model, domain.Model, bool) {
	if !s.officeTaxonomy(w, r, lang, me) {
		return nil, domain.Model{}, false
	}
	models, err := s.store.Models(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, domain.Model{}, false
	}
	if id := officePathID(r, "id"); id != "" {
		for _, m := range models {
			if m.ID == id {
				return models, m, true
			}
		}
	}
	s.notFound(w, r, lang)
	return nil, domain.Model{}, false
}

// officeModelNewPage is GET /kontor/modeller/ny.
func (s *site) officeModelNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.officeTaxonomy(w, r, lang, me) {
		return
	}
	v := s.newOfficeModelView(r, lang, me, domain.Model{})
	officeModelForm(v.officeView, domain.Model{Intake: domain.IntakeVaries, Leadership: domain.LeadPeer, DefaultJoin: domain.JoinContactOrg})
	s.render(w, r, http.StatusOK, "office_model_form", v)
}

// officeModelNewPost is POST /kontor/modeller/ny.
func (s *site) officeModelNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.officeTaxonomy(w, r, lang, me) {
		return
	}
	models, err := s.store.Models(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.officeModelSave(w, r, lang, me, models, domain.Model{})
}

// officeModelEditPage is GET /kontor/modeller/{id}.
func (s *site) officeModelEditPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, m, ok := s.officeModelLoad(w, r, lang, me)
	if !ok {
		return
	}
	v := s.newOfficeModelView(r, lang, me, m)
	officeModelForm(v.officeView, m)
	s.render(w, r, http.StatusOK, "office_model_form", v)
}

// officeModelEditPost is POST /kontor/modeller/{id}.
func (s *site) officeModelEditPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	models, m, ok := s.officeModelLoad(w, r, lang, me)
	if ok {
		s.officeModelSave(w, r, lang, me, models, m)
	}
}

func (s *site) officeModelSave(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, models []domain.Model, m domain.Model) {
	if !s.officeParse(w, r, lang) {
		return
	}
	v := s.newOfficeModelView(r, lang, me, m)
	v.keep(r.PostForm, officeModelFields...)
	for _, l := range officeModelLangs {
		name := v.line("name_"+l, 100)
		if l == "nb" && name == "" && v.Err("name_nb") == nil {
			v.fail("name_nb", "office.err_name")
		}
		m.Name = officeWithText(m.Name, l, name)
	}
	m.Slug = v.slugField(m.Name["nb"])
	for _, other := range models {
		if other.Slug == m.Slug && other.ID != m.ID && v.Err("slug") == nil {
			v.fail("slug", "office.err_slug_taken")
		}
	}
	m.Description = officeWithText(m.Description, "nb", v.text("description_nb", 5000))
	m.Description = officeWithText(m.Description, "en", v.text("description_en", 5000))
	m.Intake = officeChoice(v.officeView, "intake", officeIntakes, "office.err_choose")
	m.Leadership = officeChoice(v.officeView, "leadership", officeLeaderships, "office.err_choose")
	m.WhoMayCome = officeWithText(m.WhoMayCome, "nb", v.text("who_nb", 2000))
	m.WhoMayCome = officeWithText(m.WhoMayCome, "en", v.text("who_en", 2000))
	m.SizeMin = v.integer("size_min", 0, 1000, 0)
	m.SizeMax = v.integer("size_max", 0, 1000, 0)
	if m.SizeMax > 0 && m.SizeMin > m.SizeMax && v.Err("size_min") == nil && v.Err("size_max") == nil {
		v.fail("size_max", "office.err_size")
	}
	m.DefaultJoin = officeChoice(v.officeView, "default_join", domain.JoinMethods, "office.err_choose")
	m.SortOrder = v.integer("sort_order", -10000, 10000, 0)
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "office_model_form", v)
		return
	}
	isNew := m.ID == ""
	if err := s.store.SaveModel(officeCtx(r, me), &m); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	notice := "lagret"
	if isNew {
		notice = "opprettet"
	}
	s.officeDone(w, r, lang, "/kontor/modeller", notice)
}
