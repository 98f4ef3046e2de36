package web

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
)

// words builds phrases such as "Hver tirsdag kl. 18.00–19.30" from the
// catalogue. A phrase is put together in one language: the page's if the
// catalogue has the sentence patterns in it, else Bokmål, so that a Sami
// page never mixes a Sami weekday into a Bokmål sentence.
type words struct {
	cat  *i18n.Catalog
	lang string
}

func newWords(cat *i18n.Catalog, pageLang, pattern string) words {
	if !cat.Has(pageLang, pattern) {
		pageLang = i18n.Default
	}
	return words{cat, pageLang}
}

func (w words) t(id string, kv ...any) string {
	s, _ := w.cat.Lookup(w.lang, id, kvData(kv))
	return s
}

func (w words) weekday(d time.Weekday) string { return w.t(fmt.Sprintf("weekday.%d", int(d))) }

func (w words) clock(t time.Time) string {
	return w.t("clock", "H", fmt.Sprintf("%02d", t.Hour()), "M", fmt.Sprintf("%02d", t.Minute()))
}

// and joins words as "a, b og c".
func (w words) and(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	head := strings.Join(xs[:len(xs)-1], w.t("list.sep"))
	return w.t("list.and", "A", head, "B", xs[len(xs)-1])
}

// dateLong is "tirsdag 3. mars 2026".
func (w words) dateLong(t time.Time) string {
	return w.t("date.long", "Weekday", w.weekday(t.Weekday()), "Day", t.Day(),
		"Month", w.t(fmt.Sprintf("month.%d", int(t.Month()))), "Year", t.Year())
}

// dateMedium is "3. mars 2026".
func (w words) dateMedium(t time.Time) string {
	return w.t("date.medium", "Day", t.Day(), "Month", w.t(fmt.Sprintf("month.%d", int(t.Month()))), "Year", t.Year())
}

// mondayFirst orders weekdays from Monday.
func mondayFirst(a, b time.Weekday) int { return (int(a)+6)%7 - (int(b)+6)%7 }

// ScheduleWords says a schedule in words in lang: "Hver tirsdag kl.
// 18.00–19.30", "Annenhver torsdag kl. 10.00–11.30", "Første mandag i
// måneden kl. 19.00", "Siste torsdag i måneden kl. 18.00".
func ScheduleWords(cat *i18n.Catalog, lang string, sc domain.Schedule) Phrase {
	w := newWords(cat, lang, "schedule.weekly")
	if sc.Start.IsZero() {
		return Phrase{w.t("schedule.not_set"), w.lang}
	}
	start := sc.LocalStart()
	var when string
	var rule domain.Rule
	var err error
	if sc.RRule != "" {
		rule, err = domain.ParseRule(sc.RRule)
	}
	switch {
	case sc.RRule == "" || err != nil:
		return Phrase{ucfirst(w.t("schedule.once", "Date", w.t("date.with_time", "Date", w.dateLong(start),
			"Time", w.timeRange(sc, start)))), w.lang}
	case rule.Freq == domain.FreqWeekly:
		var days []time.Weekday
		for _, d := range rule.ByDay {
			if !slices.Contains(days, d.Day) {
				days = append(days, d.Day)
			}
		}
		if len(days) == 0 {
			days = []time.Weekday{start.Weekday()}
		}
		slices.SortFunc(days, mondayFirst)
		names := make([]string, len(days))
		for i, d := range days {
			names[i] = w.weekday(d)
		}
		switch rule.Interval {
		case 1:
			when = w.t("schedule.weekly", "Days", w.and(names))
		case 2:
			when = w.t("schedule.biweekly", "Days", w.and(names))
		default:
			when = w.t("schedule.every_n_weeks", "N", rule.Interval, "Days", w.and(names))
		}
	case rule.Freq == domain.FreqMonthly:
		// "første og tredje mandag", "første mandag og siste torsdag".
		var order []time.Weekday
		ords := map[time.Weekday][]int{}
		for _, d := range rule.ByDay {
			if _, ok := ords[d.Day]; !ok {
				order = append(order, d.Day)
			}
			ords[d.Day] = append(ords[d.Day], d.N)
		}
		var parts []string
		for _, day := range order {
			ns := ords[day]
			slices.SortFunc(ns, func(a, b int) int {
				if a == -1 {
					a = 5
				}
				if b == -1 {
					b = 5
				}
				return a - b
			})
			var on []string
			for _, n := range ns {
				if n == -1 {
					on = append(on, w.t("ordinal.last"))
				} else {
					on = append(on, w.t(fmt.Sprintf("ordinal.%d", n)))
				}
			}
			parts = append(parts, w.t("schedule.monthly_day", "Ord", w.and(on), "Day", w.weekday(day)))
		}
		if rule.Interval == 1 {
			when = w.t("schedule.monthly", "Which", w.and(parts))
		} else {
			when = w.t("schedule.every_n_months", "Which", w.and(parts), "N", rule.Interval)
		}
	}
	text := w.at(sc, start, when)
	if !rule.Until.IsZero() {
		loc, _ := sc.Location()
		if loc == nil {
			loc = time.UTC
		}
		text = w.t("schedule.until", "Text", text, "Date", w.dateMedium(rule.Until.In(loc)))
	}
	if rule.Count > 0 {
		s, _ := w.cat.Plural(w.lang, "schedule.count", rule.Count, map[string]any{"Text": text})
		text = s
	}
	return Phrase{ucfirst(text), w.lang}
}

// at adds the time of day to a "when".
func (w words) at(sc domain.Schedule, start time.Time, when string) string {
	if sc.DurationMin > 0 {
		end := start.Add(time.Duration(sc.DurationMin) * time.Minute)
		return w.t("schedule.at_range", "When", when, "From", w.clock(start), "To", w.clock(end))
	}
	return w.t("schedule.at", "When", when, "From", w.clock(start))
}

func (w words) timeRange(sc domain.Schedule, start time.Time) string {
	if sc.DurationMin > 0 {
		return w.clock(start) + "–" + w.clock(start.Add(time.Duration(sc.DurationMin)*time.Minute))
	}
	return w.clock(start)
}

// meeting is one coming meeting of a group.
type meeting struct {
	Datetime string // for the datetime attribute
	Phrase   Phrase
}

// nextMeetings lists up to n coming meetings in words: "Tirsdag 3. mars
// 2026 kl. 18.00".
func nextMeetings(cat *i18n.Catalog, lang string, sc domain.Schedule, from time.Time, n int) []meeting {
	w := newWords(cat, lang, "date.long")
	var out []meeting
	for _, t := range sc.Next(from, n) {
		out = append(out, meeting{
			Datetime: t.Format("2006-01-02T15:04-07:00"),
			Phrase:   Phrase{ucfirst(w.t("date.with_time", "Date", w.dateLong(t), "Time", w.clock(t))), w.lang},
		})
	}
	return out
}

// dateWords is "3. mars 2026" in lang, in Europe/Oslo.
func dateWords(cat *i18n.Catalog, lang string, t time.Time) Phrase {
	w := newWords(cat, lang, "date.medium")
	if loc, err := time.LoadLocation(domain.DefaultTimeZone); err == nil {
		t = t.In(loc)
	}
	return Phrase{w.dateMedium(t), w.lang}
}
