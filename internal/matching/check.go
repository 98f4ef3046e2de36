package matching

import (
	"cmp"
	"slices"
)

// Problem is something wrong with a group about to be formed. It names no
// one: a person's problem carries their opaque enquiry id, a municipality's
// its number.
type Problem struct {
	Code         Code
	PersonID     string // the invitee it is about, for a person's problem
	Municipality string // small_municipality: the municipality number
	Count        int    // size: how many people are invited; small_municipality: how many of them live there
}

// CheckGroup checks the invitees of the planned group t before the
// invitations go out. Errors stop the group:
//   - size: fewer than MinGroup or more than MaxGroup people (Count);
//   - duplicate: the same person twice (PersonID);
//   - no_municipality: an in-person group without a municipality;
//   - format: a person who does not take part in t's format (PersonID);
//   - own_municipality: in person, a person who asked for "not in my own
//     municipality" and lives where the group meets (PersonID). A phone or
//     video group meets nowhere, so this never applies to it.
//
// Warnings leave the choice to the coordinator, who may know more:
//   - small_municipality: two or more invitees live in the same
//     municipality of under SmallMunicipality inhabitants (an unknown
//     population counts as small), so they may know each other: the
//     "confidential strangers" rule. Municipality and Count, never who.
//   - time, language, theme: a person who did not ask for t's slot,
//     language or theme (PersonID). Distance is not checked here; Suggest
//     does that with Distances.
//
// Problems come in a fixed order: group problems first, then each person's
// in the order of invitees; small municipalities by number.
func CheckGroup(t Target, invitees []Person) (errs []Problem, warnings []Problem) {
	seen := make(map[string]bool, len(invitees))
	var people []*Person
	var dups []Problem
	for i := range invitees {
		p := &invitees[i]
		if seen[p.ID] {
			if !slices.ContainsFunc(dups, func(q Problem) bool { return q.PersonID == p.ID }) {
				dups = append(dups, Problem{Code: ProblemDuplicate, PersonID: p.ID})
			}
			continue
		}
		seen[p.ID] = true
		people = append(people, p)
	}
	if n := len(people); n < MinGroup || n > MaxGroup {
		errs = append(errs, Problem{Code: ProblemSize, Count: n})
	}
	errs = append(errs, dups...)
	if t.Format == InPerson && t.Municipality == "" {
		errs = append(errs, Problem{Code: ProblemNoMunicipality})
	}

	type place struct {
		n     int
		small bool
	}
	places := map[string]*place{}
	for _, p := range people {
		for _, c := range misfits(t, p, nil, false) {
			switch c {
			case ReasonFormat, ReasonOwnMunicipality:
				errs = append(errs, Problem{Code: c, PersonID: p.ID})
			default:
				warnings = append(warnings, Problem{Code: c, PersonID: p.ID})
			}
		}
		if p.Municipality == "" {
			continue
		}
		pl := places[p.Municipality]
		if pl == nil {
			pl = &place{}
			places[p.Municipality] = pl
		}
		pl.n++
		pl.small = pl.small || p.Population < SmallMunicipality
	}
	var small []Problem
	for m, pl := range places {
		if pl.n >= 2 && pl.small {
			small = append(small, Problem{Code: ProblemSmallMunicipality, Municipality: m, Count: pl.n})
		}
	}
	slices.SortFunc(small, func(a, b Problem) int { return cmp.Compare(a.Municipality, b.Municipality) })
	warnings = append(small, warnings...)
	return errs, warnings
}
