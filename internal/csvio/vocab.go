package csvio

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// parseBool reads yes/no in English or Norwegian, 1/0, true/false, x.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "ja", "j", "true", "1", "x", "sann":
		return true, true
	case "no", "n", "nei", "false", "0", "", "usann":
		return false, true
	}
	return false, false
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

var weekdayWords = map[string]time.Weekday{
	"mo": time.Monday, "mon": time.Monday, "monday": time.Monday, "man": time.Monday, "mandag": time.Monday, "måndag": time.Monday, "mán": time.Monday,
	"tu": time.Tuesday, "tue": time.Tuesday, "tuesday": time.Tuesday, "tir": time.Tuesday, "tirsdag": time.Tuesday, "tysdag": time.Tuesday,
	"we": time.Wednesday, "wed": time.Wednesday, "wednesday": time.Wednesday, "ons": time.Wednesday, "onsdag": time.Wednesday,
	"th": time.Thursday, "thu": time.Thursday, "thursday": time.Thursday, "tor": time.Thursday, "torsdag": time.Thursday,
	"fr": time.Friday, "fri": time.Friday, "friday": time.Friday, "fre": time.Friday, "fredag": time.Friday,
	"sa": time.Saturday, "sat": time.Saturday, "saturday": time.Saturday, "lør": time.Saturday, "lørdag": time.Saturday, "laurdag": time.Saturday,
	"su": time.Sunday, "sun": time.Sunday, "sunday": time.Sunday, "søn": time.Sunday, "søndag": time.Sunday, "sundag": time.Sunday,
}

var dayEnglish = [...]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

var reWords = regexp.MustCompile(`[\p{L}]+`)

// parseWeekdays reads one or more weekdays ("tirsdag", "mon, thu",
// "mandag og torsdag").
func parseWeekdays(s string) ([]time.Weekday, bool) {
	var out []time.Weekday
	for _, w := range reWords.FindAllString(strings.ToLower(s), -1) {
		if w == "og" || w == "and" {
			continue
		}
		d, ok := weekdayWords[strings.TrimSuffix(w, "er")]
		if !ok {
			d, ok = weekdayWords[w]
		}
		if !ok {
			return nil, false
		}
		out = append(out, d)
	}
	return out, len(out) > 0
}

var reClock = regexp.MustCompile(`^(?:kl\.?\s*)?([0-9]{1,2})(?:[:.]([0-9]{2}))?$`)

// parseClock reads a time of day: 18:00, 18.00, kl. 18, 1800.
func parseClock(s string) (int, int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) == 4 && !strings.ContainsAny(s, ":.") {
		s = s[:2] + ":" + s[2:]
	}
	m := reClock.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	h, _ := strconv.Atoi(m[1])
	min := 0
	if m[2] != "" {
		min, _ = strconv.Atoi(m[2])
	}
	if h > 23 || min > 59 {
		return 0, 0, false
	}
	return h, min, true
}

var reLength = regexp.MustCompile(`^([0-9]+(?:[.,][0-9]+)?)\s*(min|minutes|minutter|m|t|h|timer|hours|hour|time)?$`)

// parseLength reads a meeting's length in minutes: 90, 90 min, 1,5 t, 1:30.
func parseLength(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if h, m, ok := strings.Cut(s, ":"); ok {
		hh, e1 := strconv.Atoi(h)
		mm, e2 := strconv.Atoi(m)
		if e1 != nil || e2 != nil || mm > 59 || hh < 0 || mm < 0 {
			return 0, false
		}
		n := hh*60 + mm
		return n, n > 0 && n <= 24*60
	}
	m := reLength.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.Replace(m[1], ",", ".", 1), 64)
	if err != nil {
		return 0, false
	}
	switch m[2] {
	case "t", "h", "timer", "hours", "hour", "time":
		f *= 60
	}
	n := int(f + 0.5)
	return n, n > 0 && n <= 24*60
}

var reDate = regexp.MustCompile(`^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$`)

// parseDate reads 2026-03-03 or 3.3.2026.
func parseDate(s string) (int, time.Month, int, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Year(), t.Month(), t.Day(), true
	}
	if m := reDate.FindStringSubmatch(s); m != nil {
		d, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Day() == d && int(t.Month()) == mo {
			return y, time.Month(mo), d, true
		}
	}
	return 0, 0, 0, false
}

var ordinalWords = map[string]int{"first": 1, "første": 1, "fyrste": 1, "second": 2, "andre": 2, "third": 3, "tredje": 3,
	"fourth": 4, "fjerde": 4, "last": -1, "siste": -1}

var reOrdinal = regexp.MustCompile(`\b([1-4])(?:st|nd|rd|th|\.)?(?:\s|$)`)
var reEvery = regexp.MustCompile(`(?:every|hver)\s+([2-9])(?:nd|rd|th|\.)?\s*(?:weeks?|uke|veke)`)

// parseFrequency turns a frequency as people write it into an RRULE (""
// for a single meeting). days are the weekdays of the weekday column.
// It returns false when the frequency cannot be read.
func parseFrequency(s string, days []time.Weekday) (string, bool) {
	f := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(f, "freq=") {
		r, err := domain.ParseRule(strings.ToUpper(f))
		if err != nil {
			return "", false
		}
		return r.String(), true
	}
	switch f {
	case "once", "one meeting", "single", "én gang", "en gang", "ein gong", "enkeltmøte":
		return "", true
	}
	if strings.Contains(f, "month") || strings.Contains(f, "måned") || strings.Contains(f, "månad") {
		n := 0
		for _, w := range reWords.FindAllString(f, -1) {
			if v, ok := ordinalWords[w]; ok {
				n = v
			}
		}
		if m := reOrdinal.FindStringSubmatch(f); m != nil {
			n, _ = strconv.Atoi(m[1])
		}
		d := days
		if ds, ok := parseWeekdaysIn(f); ok {
			d = ds
		}
		if n == 0 || len(d) != 1 {
			return "", false
		}
		return domain.Rule{Freq: domain.FreqMonthly, Interval: 1, ByDay: []domain.WeekdayNum{{Day: d[0], N: n}}}.String(), true
	}
	interval := 0
	switch {
	case f == "" || f == "weekly" || f == "every week" || f == "ukentlig" || f == "hver uke" || f == "kvar veke" || f == "vekentleg":
		interval = 1
	case f == "every other week" || f == "biweekly" || f == "fortnightly" || f == "annenhver uke" || f == "annakvar veke" || f == "kvar andre veke" || f == "hver andre uke":
		interval = 2
	default:
		if m := reEvery.FindStringSubmatch(f); m != nil {
			interval, _ = strconv.Atoi(m[1])
		}
	}
	if interval == 0 || len(days) == 0 {
		return "", false
	}
	var by []domain.WeekdayNum
	for _, d := range days {
		by = append(by, domain.WeekdayNum{Day: d})
	}
	return domain.Rule{Freq: domain.FreqWeekly, Interval: interval, ByDay: by}.String(), true
}

// parseWeekdaysIn finds weekday names inside a longer phrase.
func parseWeekdaysIn(s string) ([]time.Weekday, bool) {
	var out []time.Weekday
	for _, w := range reWords.FindAllString(s, -1) {
		if len(w) < 5 { // whole names only inside a phrase ("man" is a word)
			continue
		}
		if d, ok := weekdayWords[w]; ok {
			out = append(out, d)
		}
	}
	return out, len(out) > 0
}

// frequencyText writes a rule the way parseFrequency reads it back, and the
// weekday column; a rule it cannot say in words is written as the RRULE.
func frequencyText(rrule string, start time.Time) (freq, weekday string) {
	if rrule == "" {
		return "once", dayEnglish[start.Weekday()]
	}
	r, err := domain.ParseRule(rrule)
	if err != nil || r.Count > 0 || !r.Until.IsZero() {
		return rrule, dayEnglish[start.Weekday()]
	}
	var days []string
	for _, d := range r.ByDay {
		days = append(days, dayEnglish[d.Day])
	}
	if len(days) == 0 {
		days = []string{dayEnglish[start.Weekday()]}
	}
	switch {
	case r.Freq == domain.FreqWeekly && allEvery(r.ByDay):
		if r.Interval <= 1 {
			return "weekly", strings.Join(days, ", ")
		}
		return "every " + strconv.Itoa(r.Interval) + " weeks", strings.Join(days, ", ")
	case r.Freq == domain.FreqMonthly && r.Interval <= 1 && len(r.ByDay) == 1 && r.ByDay[0].N != 0:
		n := r.ByDay[0].N
		ord := map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", -1: "last"}[n]
		if ord != "" {
			return ord + " " + days[0] + " of the month", days[0]
		}
	}
	return rrule, strings.Join(days, ", ")
}

func allEvery(ds []domain.WeekdayNum) bool {
	for _, d := range ds {
		if d.N != 0 {
			return false
		}
	}
	return true
}

var formatWords = map[string]domain.Format{
	"fysisk": domain.FormatInPerson, "oppmøte": domain.FormatInPerson, "in person": domain.FormatInPerson,
	"telefon": domain.FormatTelephone, "phone": domain.FormatTelephone, "digital": domain.FormatVideo,
	"hybrid": domain.FormatHybrid, "video": domain.FormatVideo,
}

var statusWords = map[string]domain.Status{
	"planlagt": domain.StatusPlanned, "rekrutterer": domain.StatusRecruiting, "starter": domain.StatusStarting,
	"i gang": domain.StatusRunning, "aktiv": domain.StatusRunning, "active": domain.StatusRunning,
	"pause": domain.StatusPaused, "avsluttet": domain.StatusEnded, "avslutta": domain.StatusEnded,
}

var joinWords = map[string]domain.JoinMethod{
	"via huset": domain.JoinViaHouse, "bare kom": domain.JoinJustCome, "open": domain.JoinJustCome,
	"åpent": domain.JoinJustCome, "kontakt organisasjonen": domain.JoinContactOrg,
}

// enum reads a value of an enumeration by its code or a common word for it.
func enum[T ~string](s string, values []T, words map[string]T) (T, bool) {
	f := strings.ToLower(strings.TrimSpace(s))
	f2 := strings.NewReplacer(" ", "_", "-", "_").Replace(f)
	for _, v := range values {
		if string(v) == f2 {
			return v, true
		}
	}
	v, ok := words[f]
	return v, ok
}

// splitList splits a cell holding several values ("angst, sorg", "nb|en").
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' || r == '/' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
