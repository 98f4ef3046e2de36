package report_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/store"
)

// servedHistory is a generated history where houses sit in
// municipalities: two houses in Oslo (a large one that also serves Bærum,
// and a small one), one in Asker alone, and under Region Nord (which
// counts a little itself, in Unjárga Nesseby) one in Tromsø that also
// serves Unjárga Nesseby and one in Kvæfjord alone. serves says which
// houses can have rows in which municipalities: what an attacker knows.
func servedHistory(seed uint64) (*report.Data, map[string][]string) {
	serves := map[string][]string{
		"oslo-stor":  {"0301", "3201"},
		"oslo-liten": {"0301"},
		"asker":      {"3203"},
		"nord":       {"5636"},
		"tromso":     {"5501", "5636"},
		"kvaefjord":  {"5510"},
	}
	orgs := []store.ReportOrg{{ID: "nord", Kind: "district_office"}, {ID: "oslo-stor", Kind: "self_help_house"},
		{ID: "oslo-liten", Kind: "self_help_house"}, {ID: "asker", Kind: "self_help_house"},
		{ID: "tromso", ParentID: "nord", Kind: "self_help_house"}, {ID: "kvaefjord", ParentID: "nord", Kind: "self_help_house"}}
	// Monthly enquiries at most this many, by house and municipality.
	weight := map[[2]string]int{
		{"oslo-stor", "0301"}: 30, {"oslo-stor", "3201"}: 10, {"oslo-liten", "0301"}: 2, {"asker", "3203"}: 5,
		{"nord", "5636"}: 1, {"tromso", "5501"}: 8, {"tromso", "5636"}: 1, {"kvaefjord", "5510"}: 2,
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	var enq []store.ReportEnquiry
	for _, y := range []int{2025, 2026} {
		for mo := 1; mo <= 12; mo++ {
			for _, o := range orgs {
				for _, m := range serves[o.ID] {
					for range rng.IntN(weight[[2]string{o.ID, m}] + 1) {
						e := store.ReportEnquiry{Month: fmt.Sprintf("%d-%02d", y, mo), OrgID: o.ID, MunicipalityID: m,
							CountyID: muniCounty(m), Channel: store.EnquiryChannels[rng.IntN(4)],
							Outcome: report.Outcomes[rng.IntN(6)], WaitedDays: -1}
						if e.Channel == "referral" {
							e.ReferralKind = store.ReferralKinds[rng.IntN(4)]
						}
						for _, th := range testThemes {
							if rng.IntN(3) == 0 {
								e.Themes = append(e.Themes, th)
							}
						}
						enq = append(enq, e)
					}
				}
			}
		}
	}
	return report.NewData(enq, nil, orgs, testMunis), serves
}

// The attack across the organisations and the geography together (issue
// 7, item 2): every figure of every house, district, municipality, county
// and the nation is published, and the attacker knows which houses can
// have rows in which municipalities: a municipality is the sum of what
// each house serving it counted there, a house the sum of what it counted
// in each municipality it serves. With the two families protected apart,
// Oslo's total less the large Oslo house gives the small one, and
// Kvæfjord (one house alone) is that house. A house's count in a
// municipality is never published; working it out is a disclosure only
// when it is 1–4.
func TestFiguresResistHouseAndMunicipalityDifferencing(t *testing.T) {
	tables := []string{"enquiries.channel", "enquiries.theme", "enquiries.outcome"}
	for seed := uint64(1); seed <= 4; seed++ {
		d, serves := servedHistory(seed)
		nodes := geoNodes()
		nodes = append(nodes,
			node{key: "hnord", scope: report.Scope{Kind: report.House, ID: "nord"}},
			node{key: "dnord", scope: report.Scope{Kind: report.District, ID: "nord"}, children: []string{"hnord", "htromso", "hkvaefjord"}})
		byMuni := map[string][]string{}
		var crossings []crossing
		for _, h := range []string{"oslo-stor", "oslo-liten", "asker", "tromso", "kvaefjord", "nord"} {
			if h != "nord" {
				nodes = append(nodes, node{key: "h" + h, scope: report.Scope{Kind: report.House, ID: h}})
			}
			x := crossing{whole: "h" + h}
			for _, m := range serves[h] {
				k := "x" + h + "@" + m
				x.parts = append(x.parts, k)
				byMuni[m] = append(byMuni[m], k)
			}
			crossings = append(crossings, x)
		}
		for _, m := range testMunis {
			crossings = append(crossings, crossing{whole: "m" + m.ID, parts: byMuni[m.ID]})
		}
		got, naive, hidden := attackCrossed(d, tables, nodes, crossings)
		for _, table := range tables {
			if len(got[table]) > 0 {
				t.Errorf("seed %d %s: recovered %v (of %d hidden)", seed, table, keys(got[table]), hidden[table])
			}
			if seed == 1 && table == "enquiries.channel" && len(naive[table]) == 0 {
				t.Errorf("the attacker recovers nothing even from primary suppression alone")
			}
		}
	}
}
