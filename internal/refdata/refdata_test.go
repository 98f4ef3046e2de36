package refdata

import "testing"

func TestReferenceData(t *testing.T) {
	cs, err := Counties()
	if err != nil || len(cs) != 15 {
		t.Fatalf("counties: %d, %v", len(cs), err)
	}
	ms, err := Municipalities()
	if err != nil || len(ms) != 357 {
		t.Fatalf("municipalities: %d, %v", len(ms), err)
	}
	county := map[string]bool{}
	for _, c := range cs {
		county[c.ID] = true
	}
	var kautokeino bool
	for _, m := range ms {
		if !county[m.CountyID] {
			t.Errorf("%s %s: unknown county %s", m.ID, m.Name, m.CountyID)
		}
		if m.ID == "5612" {
			kautokeino = m.Name == "Kautokeino" && m.SamiName == "Guovdageaidnu" && m.WrittenForm == "bokmål"
		}
	}
	if !kautokeino {
		t.Error("Kautokeino should have the Sami name Guovdageaidnu")
	}
}
