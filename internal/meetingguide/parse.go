package meetingguide

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors of Parse for a feed as a whole.
var (
	ErrTooLarge = errors.New("meeting guide feed: larger than the limit")
	ErrNotFeed  = errors.New("meeting guide feed: not a JSON array of meetings")
)

// MaxFieldRunes is the longest text kept from one field; longer ones are cut
// and reported.
const MaxFieldRunes = 4000

// Parse reads a Meeting Guide feed of at most limit bytes. It is tolerant:
// day as a number, a numeric string or an array of them; time as "19:00",
// "19:00:00" or "7:00 PM"; types as an array or a comma-separated string;
// coordinates as numbers or strings. A meeting that cannot be used (no slug
// or name, an unreadable day or time) is left out and reported; every other
// oddity (an unknown type code, a cut text) is reported with the meeting
// kept. The error is for the feed as a whole: not JSON, not an array, or
// larger than limit (ErrTooLarge).
func Parse(r io.Reader, limit int64) ([]Meeting, []Problem, error) {
	if limit <= 0 {
		return nil, nil, ErrTooLarge
	}
	lr := &io.LimitedReader{R: r, N: limit + 1}
	dec := json.NewDecoder(lr)
	dec.UseNumber()
	tooLarge := func(err error) error {
		if lr.N <= 0 {
			return ErrTooLarge
		}
		return fmt.Errorf("%w: %v", ErrNotFeed, err)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, tooLarge(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, nil, ErrNotFeed
	}
	var out []Meeting
	var problems []Problem
	seen := map[string]int{}
	for i := 0; dec.More(); i++ {
		var raw map[string]json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && lr.N > 0 {
				problems = append(problems, Problem{Index: i, Reason: "not a JSON object"})
				continue
			}
			return nil, nil, tooLarge(err)
		}
		m, ps, ok := parseMeeting(i, raw)
		problems = append(problems, ps...)
		if !ok {
			continue
		}
		if j, dup := seen[m.Slug]; dup {
			problems = append(problems, Problem{Index: i, Slug: m.Slug, Field: "slug",
				Reason: "the same slug as meeting " + strconv.Itoa(j) + "; left out"})
			continue
		}
		seen[m.Slug] = i
		out = append(out, m)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, tooLarge(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if lr.N <= 0 {
			return nil, nil, ErrTooLarge
		}
		return nil, nil, fmt.Errorf("%w: data after the array", ErrNotFeed)
	}
	if lr.N <= 0 {
		return nil, nil, ErrTooLarge
	}
	return out, problems, nil
}

// parseMeeting reads one meeting; ok is false when it cannot be used.
func parseMeeting(i int, raw map[string]json.RawMessage) (m Meeting, problems []Problem, ok bool) {
	report := func(field, reason string) {
		problems = append(problems, Problem{Index: i, Slug: m.Slug, Field: field, Reason: reason})
	}
	text := func(field string) string {
		v, present := raw[field]
		if !present {
			return ""
		}
		s, good := jsonString(v)
		if !good {
			report(field, "not a text")
			return ""
		}
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) > MaxFieldRunes {
			s = string([]rune(s)[:MaxFieldRunes])
			report(field, "longer than "+strconv.Itoa(MaxFieldRunes)+" characters; cut")
		}
		return s
	}
	m.Slug = text("slug")
	m.Name = text("name")
	if m.Slug == "" {
		report("slug", "missing; meeting left out")
		return m, problems, false
	}
	if m.Name == "" {
		report("name", "missing; meeting left out")
		return m, problems, false
	}
	if v, present := raw["day"]; present && !isNull(v) {
		days, err := parseDays(v)
		if err != nil {
			report("day", err.Error()+"; meeting left out")
			return m, problems, false
		}
		m.Days = days
	}
	var err error
	if m.Time, err = parseClock(text("time")); err != nil {
		report("time", err.Error()+"; meeting left out")
		return m, problems, false
	}
	if m.EndTime, err = parseClock(text("end_time")); err != nil {
		report("end_time", err.Error()+"; left out")
		m.EndTime = ""
	}
	if m.TimeZone = text("timezone"); m.TimeZone != "" {
		if _, err := time.LoadLocation(m.TimeZone); err != nil || m.TimeZone == "Local" {
			report("timezone", "not a known time zone; left out")
			m.TimeZone = ""
		}
	}
	if v, present := raw["types"]; present && !isNull(v) {
		types, good := parseTypes(v)
		if !good {
			report("types", "not a list of codes")
		}
		for _, t := range types {
			if !KnownType(t) && t != typeOnlineNonSpec {
				report("types", "unknown type code "+strconv.Quote(shorten(t, 20)))
			}
			m.Types = append(m.Types, t)
		}
	}
	m.Location = text("location")
	m.FormattedAddress = text("formatted_address")
	m.Address = text("address")
	m.City = text("city")
	m.State = text("state")
	m.PostalCode = text("postal_code")
	m.Country = text("country")
	lat, latOK := number(raw["latitude"])
	lon, lonOK := number(raw["longitude"])
	switch {
	case latOK && lonOK && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && (lat != 0 || lon != 0):
		m.Latitude, m.Longitude, m.HasCoordinates = lat, lon, true
	case raw["latitude"] != nil || raw["longitude"] != nil:
		if !isNull(raw["latitude"]) || !isNull(raw["longitude"]) {
			report("latitude", "no usable coordinates; left out")
		}
	}
	if a := strings.ToLower(text("approximate")); a == "yes" || a == "true" || a == "1" {
		m.Approximate = true
	}
	if v, present := raw["regions"]; present && !isNull(v) {
		var rs []string
		if err := json.Unmarshal(v, &rs); err != nil {
			report("regions", "not a list of texts")
		}
		for _, r := range rs {
			if r = strings.TrimSpace(r); r != "" {
				m.Regions = append(m.Regions, shorten(r, 200))
			}
		}
	}
	if len(m.Regions) == 0 {
		if r := text("region"); r != "" {
			m.Regions = append(m.Regions, r)
		}
		if r := text("sub_region"); r != "" {
			m.Regions = append(m.Regions, r)
		}
	}
	m.ConferenceURL = text("conference_url")
	if m.ConferenceURL != "" && !strings.HasPrefix(m.ConferenceURL, "https://") && !strings.HasPrefix(m.ConferenceURL, "http://") {
		report("conference_url", "not a web address; left out")
		m.ConferenceURL = ""
	}
	m.ConferenceURLNotes = text("conference_url_notes")
	m.ConferencePhone = text("conference_phone")
	m.ConferencePhoneNotes = text("conference_phone_notes")
	m.Notes = text("notes")
	m.LocationNotes = text("location_notes")
	m.Group = text("group")
	m.GroupNotes = text("group_notes")
	if u := text("updated"); u != "" {
		if t, err := parseUpdated(u); err == nil {
			m.Updated = t
		} else {
			report("updated", "not a date and time; left out")
		}
	}
	m.URL = text("url")
	m.Entity = text("entity")
	if m.EntityURL = text("entity_website_url"); m.EntityURL == "" {
		m.EntityURL = text("entity_url")
	}
	return m, problems, true
}

func isNull(v json.RawMessage) bool { return len(v) == 0 || string(v) == "null" }

// jsonString reads a JSON string, number or boolean as text.
func jsonString(v json.RawMessage) (string, bool) {
	if isNull(v) {
		return "", true
	}
	switch v[0] {
	case '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err == nil
	case '[', '{':
		return "", false
	}
	return string(v), true // a number or a boolean
}

func number(v json.RawMessage) (float64, bool) {
	s, ok := jsonString(v)
	if !ok || s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

var dayNames = map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}

// parseDays reads a day (0–6, Sunday 0) or an array of them.
func parseDays(v json.RawMessage) ([]time.Weekday, error) {
	var items []json.RawMessage
	if v[0] == '[' {
		if err := json.Unmarshal(v, &items); err != nil {
			return nil, errors.New("not a day or a list of days")
		}
		if len(items) > 7 {
			return nil, errors.New("more than seven days")
		}
	} else {
		items = []json.RawMessage{v}
	}
	var out []time.Weekday
	for _, it := range items {
		s, ok := jsonString(it)
		if !ok {
			return nil, errors.New("not a day")
		}
		s = strings.ToLower(strings.TrimSpace(s))
		var d time.Weekday
		if wd, named := dayNames[s]; named {
			d = wd
		} else {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > 6 {
				return nil, errors.New("not a day from 0 (Sunday) to 6")
			}
			d = time.Weekday(n)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// parseClock reads "19:00", "19:00:00", "7:00 PM", "7 pm", "7:00pm" and
// "noon"/"midnight" into "HH:MM"; "" stays "".
func parseClock(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "":
		return "", nil
	case "noon":
		return "12:00", nil
	case "midnight":
		return "00:00", nil
	}
	bad := errors.New("not a time of day")
	if len(s) > 16 {
		return "", bad
	}
	ampm := ""
	for _, suf := range []string{"am", "pm", "a.m.", "p.m."} {
		if strings.HasSuffix(s, suf) {
			ampm = suf[:1]
			s = strings.TrimSpace(strings.TrimSuffix(s, suf))
			break
		}
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 || parts[0] == "" {
		return "", bad
	}
	nums := make([]int, 3)
	for i, p := range parts {
		if len(p) == 0 || len(p) > 2 {
			return "", bad
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return "", bad
		}
		nums[i] = n
	}
	h, min := nums[0], nums[1]
	if min > 59 || nums[2] > 59 {
		return "", bad
	}
	switch ampm {
	case "a", "p":
		if h < 1 || h > 12 {
			return "", bad
		}
		h %= 12
		if ampm == "p" {
			h += 12
		}
	default:
		if h == 24 && min == 0 {
			h = 0
		}
		if h > 23 {
			return "", bad
		}
	}
	return fmt.Sprintf("%02d:%02d", h, min), nil
}

// parseTypes reads an array of codes or a comma-separated text of them.
func parseTypes(v json.RawMessage) ([]string, bool) {
	var raw []string
	ok := true
	if v[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(v, &items); err != nil {
			return nil, false
		}
		for _, it := range items {
			s, good := jsonString(it)
			if !good {
				ok = false
				continue
			}
			raw = append(raw, s)
		}
	} else {
		s, good := jsonString(v)
		if !good {
			return nil, false
		}
		raw = strings.Split(s, ",")
	}
	var out []string
	for _, t := range raw {
		t = strings.TrimSpace(t)
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
		if len(out) >= 100 {
			break
		}
	}
	return out, ok
}

// UpdatedLayout is the format's layout of "updated".
const UpdatedLayout = "2006-01-02 15:04:05"

func parseUpdated(s string) (time.Time, error) {
	for _, layout := range []string{UpdatedLayout, time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("bad time")
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
