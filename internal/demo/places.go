package demo

import (
	"fmt"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// town is a place where the demo organisations are, with the approximate
// coordinates of its centre.
type town struct {
	key       string
	name      string
	muni      string // municipality number (internal/refdata)
	lat, lon  float64
	postal    string
	local     string  // slug of the house or partner that forms groups here
	weight    int     // share of the groups Generate makes
	extra     int     // extra venues Generate adds
	radiusKm  float64 // how far from the centre extra venues lie
	districts []string
	streets   []string
}

var towns = []*town{
	{key: "oslo", name: "Oslo", muni: "0301", lat: 59.9139, lon: 10.7522, postal: "0182", local: "selvhjelpshuset-oslo",
		weight: 30, extra: 40, radiusKm: 8,
		districts: []string{"Gamle Oslo", "Grünerløkka", "Sagene", "St. Hanshaugen", "Frogner", "Ullern", "Vestre Aker",
			"Nordre Aker", "Bjerke", "Grorud", "Stovner", "Alna", "Østensjø", "Nordstrand", "Søndre Nordstrand"},
		streets: []string{"Storgata", "Thorvald Meyers gate", "Markveien", "Bogstadveien", "Grønlandsleiret", "Trondheimsveien",
			"Kirkeveien", "Ullevålsveien", "Tøyengata", "Sandakerveien"}},
	{key: "bergen", name: "Bergen", muni: "4601", lat: 60.3913, lon: 5.3221, postal: "5015", local: "selvhjelpshuset-bergen",
		weight: 14, extra: 24, radiusKm: 8,
		districts: []string{"Arna", "Bergenhus", "Fana", "Fyllingsdalen", "Laksevåg", "Ytrebygda", "Årstad", "Åsane"},
		streets:   []string{"Strandgaten", "Kong Oscars gate", "Nygårdsgaten", "Fjøsangerveien", "Kalfarveien", "Sandviksveien", "Michael Krohns gate"}},
	{key: "trondheim", name: "Trondheim", muni: "5001", lat: 63.4305, lon: 10.3951, postal: "7011", local: "selvhjelpshuset-trondheim",
		weight: 12, extra: 20, radiusKm: 7,
		districts: []string{"Midtbyen", "Lade", "Byåsen", "Heimdal", "Moholt", "Tiller", "Ranheim", "Nardo"},
		streets:   []string{"Kongens gate", "Olav Tryggvasons gate", "Innherredsveien", "Elgeseter gate", "Prinsens gate", "Mellomveien", "Byåsveien"}},
	{key: "stavanger", name: "Stavanger", muni: "1103", lat: 58.9700, lon: 5.7331, postal: "4006", local: "selvhjelpshuset-stavanger",
		weight: 10, extra: 16, radiusKm: 5,
		districts: []string{"Hundvåg", "Tasta", "Eiganes", "Storhaug", "Hillevåg", "Hinna", "Madla", "Våland"},
		streets:   []string{"Klubbgata", "Kirkegata", "Pedersgata", "Madlaveien", "Hillevågsveien", "Lagårdsveien", "Løkkeveien"}},
	{key: "kristiansand", name: "Kristiansand", muni: "4204", lat: 58.1467, lon: 7.9956, postal: "4611", local: "selvhjelpshuset-kristiansand",
		weight: 7, extra: 12, radiusKm: 6,
		districts: []string{"Kvadraturen", "Lund", "Vågsbygd", "Grim", "Randesund", "Tinnheia", "Hellemyr"},
		streets:   []string{"Markens gate", "Dronningens gate", "Kirkegata", "Vestre Strandgate", "Tordenskjolds gate", "Elvegata"}},
	{key: "drammen", name: "Drammen", muni: "3301", lat: 59.7439, lon: 10.2045, postal: "3017", local: "selvhjelpshuset-drammen",
		weight: 7, extra: 12, radiusKm: 5,
		districts: []string{"Bragernes", "Strømsø", "Konnerud", "Åssiden", "Fjell", "Gulskogen"},
		streets:   []string{"Tollbugata", "Konnerudgata", "Rådhusgata", "Øvre Storgate", "Grønland"}},
	{key: "tromso", name: "Tromsø", muni: "5501", lat: 69.6492, lon: 18.9553, postal: "9008", local: "selvhjelpshuset-tromso",
		weight: 6, extra: 12, radiusKm: 5,
		districts: []string{"Sentrum", "Tromsdalen", "Kroken", "Kvaløysletta", "Hamna", "Breivika"},
		streets:   []string{"Storgata", "Grønnegata", "Sjøgata", "Skippergata", "Kirkegata", "Stakkevollvegen"}},
	{key: "bodo", name: "Bodø", muni: "1804", lat: 67.2804, lon: 14.4049, postal: "8006", local: "selvhjelpshuset-bodo",
		weight: 4, extra: 10, radiusKm: 4,
		districts: []string{"Sentrum", "Rønvik", "Hunstad", "Mørkved", "Saltvern"},
		streets:   []string{"Storgata", "Sjøgata", "Dronningens gate", "Kongens gate", "Rønvikveien"}},
	{key: "alesund", name: "Ålesund", muni: "1508", lat: 62.4722, lon: 6.1495, postal: "6002", local: "selvhjelpshuset-alesund",
		weight: 4, extra: 10, radiusKm: 5,
		districts: []string{"Sentrum", "Hessa", "Spjelkavik", "Moa", "Åse", "Blindheim"},
		streets:   []string{"Kongens gate", "Keiser Wilhelms gate", "Løvenvoldgata", "Borgundvegen", "Parkgata"}},
	{key: "hamar", name: "Hamar", muni: "3403", lat: 60.7945, lon: 11.0680, postal: "2317", local: "selvhjelpshuset-hamar",
		weight: 4, extra: 10, radiusKm: 4,
		districts: []string{"Sentrum", "Ajer", "Hjellum", "Børstad", "Vang", "Storhamar"},
		streets:   []string{"Torggata", "Strandgata", "Grønnegata", "Vangsvegen", "Parkgata"}},
	{key: "tonsberg", name: "Tønsberg", muni: "3905", lat: 59.2675, lon: 10.4076, postal: "3110", local: "lms-tonsberg",
		weight: 4, extra: 8, radiusKm: 4,
		districts: []string{"Sentrum", "Eik", "Husøy", "Træleborg", "Kjelle"},
		streets:   []string{"Storgaten", "Nedre Langgate", "Farmannsveien", "Kaldnesveien"}},
	{key: "alta", name: "Alta", muni: "5601", lat: 69.9689, lon: 23.2716, postal: "9510", local: "selvhjelpshuset-alta",
		weight: 2, extra: 6, radiusKm: 4,
		districts: []string{"Sentrum", "Bossekop", "Elvebakken", "Saga", "Kaiskuru"},
		streets:   []string{"Markveien", "Bossekopveien", "Løkkeveien", "Sentrumsveien"}},
	{key: "harstad", name: "Harstad", muni: "5503", lat: 68.7984, lon: 16.5417, postal: "9405", local: "harstad-frivilligsentral",
		weight: 2, extra: 6, radiusKm: 3,
		districts: []string{"Sentrum", "Kanebogen", "Stangnes", "Bergseng"},
		streets:   []string{"Storgata", "Richard Withs gate", "Rikard Kaarbøs gate", "Hvedingsveien"}},
	{key: "kautokeino", name: "Kautokeino", muni: "5612", lat: 69.0125, lon: 23.0417, postal: "9520", local: "kautokeino-frivilligsentral",
		weight: 1, extra: 3, radiusKm: 1.5,
		districts: []string{"Guovdageaidnu"},
		streets:   []string{"Hannoluohkka", "Bredbuktnesveien"}},
	{key: "karasjok", name: "Karasjok", muni: "5610", lat: 69.4719, lon: 25.5112, postal: "9730", local: "karasjok-kommune",
		weight: 1, extra: 3, radiusKm: 1.5,
		districts: []string{"Kárášjohka"},
		streets:   []string{"Ávjovárgeaidnu", "Markanluodda"}},
}

var townByKey = func() map[string]*town {
	m := map[string]*town{}
	for _, t := range towns {
		m[t.key] = t
	}
	return m
}()

// orgSpec is an organisation of the demo set.
type orgSpec struct {
	slug, name string
	kind       domain.OrgKind
	parent     string // slug
	town       string // key of its home town
	desc       domain.Text
	hours      domain.Text
	munis      []string // municipalities it serves
	counties   []string // district offices: every municipality of these counties
	phone      int
}

func (o orgSpec) email() string   { return "post@" + o.slug + ".example" }
func (o orgSpec) website() string { return "https://" + o.slug + ".example" }

// phoneNumber is an obviously made-up number (Norwegian numbers never begin with 00).
func phoneNumber(n int) string { return fmt.Sprintf("+47 00 00 %02d %02d", n/100, n%100) }

func houseDesc(place string) domain.Text {
	return txt(
		"Et nøytralt møtested for alle som vil starte eller bli med i en selvhjelpsgruppe i "+place+" og omegn. Vi tar imot henvendelser, setter sammen nye grupper og låner ut rom til grupper av alle slag. Ta kontakt for en uforpliktende prat.",
		"Ein nøytral møtestad for alle som vil starte eller bli med i ei sjølvhjelpsgruppe i "+place+" og omegn. Vi tek imot førespurnader, set saman nye grupper og lånar ut rom til grupper av alle slag.",
		"A neutral meeting place for anyone who wants to start or join a self-help group in "+place+" and the surrounding area. We receive enquiries, form new groups and lend rooms to groups of every kind. Get in touch for an informal chat.", "")
}

func officeDesc(region, regionEn string) domain.Text {
	return txt(
		"Selvhjelp Norges distriktskontor for "+region+". Vi lærer opp igangsettere, støtter selvhjelpshusene i regionen og hjelper kommuner som vil komme i gang med selvhjelp. Vi driver ikke grupper selv.", "",
		"Selvhjelp Norge's district office for "+regionEn+". We train starters, support the self-help houses in the region and help municipalities that want to get started with self-help. We do not run groups ourselves.", "")
}

var (
	hoursWeekdays = txt("Mandag–fredag 10–15. Gruppene møtes også på kveldstid.", "Måndag–fredag 10–15. Gruppene møtest òg på kveldstid.",
		"Monday–Friday 10–15. Groups also meet in the evenings.", "")
	hoursShort = txt("Mandag–torsdag 10–14, og etter avtale.", "Måndag–torsdag 10–14, og etter avtale.",
		"Monday–Thursday 10–14, and by appointment.", "")
	hoursLong = txt("Mandag–torsdag 9–16, fredag 9–14. Åpent hus tirsdager 17–19.", "",
		"Monday–Thursday 9–16, Friday 9–14. Open house on Tuesdays 17–19.", "")
	hoursPartner = txt("Tirsdag og torsdag 10–14.", "Tysdag og torsdag 10–14.", "Tuesday and Thursday 10–14.", "")
)

var orgSpecs = []orgSpec{
	{slug: "selvhjelp-norge", name: "Selvhjelp Norge", kind: domain.OrgNationalCentre, town: "oslo", phone: 1000,
		desc: txt(
			"Nasjonalt kompetansesenter for selvorganisert selvhjelp. Vi sprer kunnskap om selvhjelp, lærer opp igangsettere og gir råd til kommuner og selvhjelpshus over hele landet. Vi driver ikke grupper selv.",
			"Nasjonalt kompetansesenter for sjølvorganisert sjølvhjelp. Vi spreier kunnskap om sjølvhjelp, lærer opp igangsetjarar og gir råd til kommunar og sjølvhjelpshus over heile landet.",
			"The national competence centre for self-organised self-help. We spread knowledge about self-help, train starters and advise municipalities and self-help houses across the country. We do not run groups ourselves.", ""),
		hours: hoursWeekdays},
	{slug: "selvhjelp-norge-nord", name: "Selvhjelp Norge Nord", kind: domain.OrgDistrictOffice, parent: "selvhjelp-norge", town: "tromso", phone: 1010,
		desc: officeDesc("Nordland, Troms og Finnmark", "Nordland, Troms and Finnmark"), counties: []string{"18", "55", "56"}},
	{slug: "selvhjelp-norge-midt", name: "Selvhjelp Norge Midt", kind: domain.OrgDistrictOffice, parent: "selvhjelp-norge", town: "trondheim", phone: 1020,
		desc: officeDesc("Trøndelag og Møre og Romsdal", "Trøndelag and Møre og Romsdal"), counties: []string{"50", "15"}},
	{slug: "selvhjelp-norge-vest", name: "Selvhjelp Norge Vest", kind: domain.OrgDistrictOffice, parent: "selvhjelp-norge", town: "bergen", phone: 1030,
		desc: officeDesc("Vestland og Rogaland", "Vestland and Rogaland"), counties: []string{"46", "11"}},
	{slug: "selvhjelp-norge-sor", name: "Selvhjelp Norge Sør", kind: domain.OrgDistrictOffice, parent: "selvhjelp-norge", town: "kristiansand", phone: 1040,
		desc: officeDesc("Agder, Telemark og Vestfold", "Agder, Telemark and Vestfold"), counties: []string{"42", "40", "39"}},
	{slug: "selvhjelp-norge-ost", name: "Selvhjelp Norge Øst", kind: domain.OrgDistrictOffice, parent: "selvhjelp-norge", town: "hamar", phone: 1050,
		desc:     officeDesc("Oslo, Akershus, Østfold, Buskerud og Innlandet", "Oslo, Akershus, Østfold, Buskerud and Innlandet"),
		counties: []string{"03", "31", "32", "33", "34"}},

	// Self-help houses.
	{slug: "selvhjelpshuset-oslo", name: "Selvhjelpshuset Oslo", kind: domain.OrgSelfHelpHouse, parent: "selvhjelp-norge-ost", town: "oslo", phone: 2001,
		desc: houseDesc("Oslo"), hours: hoursLong, munis: []string{"0301"}},
	{slug: "selvhjelpshuset-bergen", name: "Selvhjelpshuset Bergen", kind: domain.OrgSelfHelpHouse, parent: "selvhjelp-norge-vest", town: "bergen", phone: 2002,
		desc: houseDesc("Bergen"), hours: hoursWeekdays, munis: []string{"4601", "4627", "4626", "4624", "4631"}},
	{slug: "selvhjelpshuset-trondheim", name: "Selvhjelpshuset Trondheim", kind: domain.OrgSelfHelpHouse, parent: "selvhjelp-norge-midt", town: "trondheim", phone: 2003,
		desc: houseDesc("Trondheim"), hours: hoursWeekdays, munis: []string{"5001", "5028", "5031", "5029"}},
	{slug: "selvhjelpshuset-stavanger", name: "Selvhjelpshuset Stavanger", kind: domain.OrgSelfHelpHouse, parent: "selvhjelp-norge-vest", town: "stavanger", phone: 2004,
		desc: houseDesc("Stavanger"), hours: hoursWeekdays, munis: []string{"1103", "1108", "1124", "1127"}},
	{slug: "selvhjelpshuset-tromso", name: "Selvhjelpshuset Tromsø", kind: domain.OrgSelfHelpHouse, parent: "selvhjelp-norge-nord", town: "tromso", phone: 2005,
		desc: houseDesc("Tromsø"), hours: hoursShort, munis: []string{"5501", "5532", "5534", "5536", "5538"}},
	{slug: "selvhjelpshuset-bodo", name: "Selvhjelpshuset Bodø", kind: domain.OrgSelfHelpHouse, parent: "selvhjelp-norge-nord", town: "bodo", phone: 2006,
		desc: houseDesc("Bodø"), hours: hoursShort, munis: []string{"1804", "1841", "1845", "1848"}},
	{slug: "selvhjelpshuset-kristiansand", name: "Selvhjelpshuset Kristiansand", kind: domain.OrgSelfHelpHouse, parent: "selvhjelp-norge-sor", town: "kristiansand", phone: 2007,
		desc: houseDesc("Kristiansand"), hours: hoursWeekdays, munis: []string{"4204", "4223", "4215"}},
	{slug: "selvhjelpshuset-hamar", name: "Selvhjelpshuset Hamar", kind: domain.OrgSelfHelpHouse, parent: "selvhjelp-norge-ost", town: "hamar", phone: 2008,
		desc: houseDesc("Hamar"), hours: hoursShort, munis: []string{"3403", "3411", "3412", "3413"}},
	{slug: "selvhjelpshuset-alesund", name: "Selvhjelpshuset Ålesund", kind: domain.OrgSelfHelpHouse, parent: "selvhjelp-norge-midt", town: "alesund", phone: 2009,
		desc: houseDesc("Ålesund"), hours: hoursShort, munis: []string{"1508", "1531", "1532"}},
	{slug: "selvhjelpshuset-drammen", name: "Selvhjelpshuset Drammen", kind: domain.OrgSelfHelpHouse, parent: "selvhjelp-norge-ost", town: "drammen", phone: 2010,
		desc: houseDesc("Drammen"), hours: hoursWeekdays, munis: []string{"3301", "3312", "3314"}},
	{slug: "selvhjelpshuset-alta", name: "Selvhjelpshuset Alta", kind: domain.OrgSelfHelpHouse, parent: "selvhjelp-norge-nord", town: "alta", phone: 2011,
		desc: houseDesc("Alta"), hours: hoursPartner, munis: []string{"5601", "5603", "5622", "5612"}},

	// Partners that host and form groups.
	{slug: "kautokeino-frivilligsentral", name: "Kautokeino frivilligsentral", kind: domain.OrgVolunteerCentre, parent: "selvhjelp-norge-nord", town: "kautokeino", phone: 3001,
		desc: txt(
			"Frivilligsentralen i Guovdageaidnu/Kautokeino er et møtested for hele bygda. Sammen med Selvhjelp Norge Nord hjelper vi folk som vil starte en selvhjelpsgruppe, på samisk eller norsk. Er bygda for liten til at du vil møte naboene, finner vi en gruppe på telefon eller video.", "",
			"The volunteer centre in Guovdageaidnu/Kautokeino is a meeting place for the whole community. Together with Selvhjelp Norge Nord we help people who want to start a self-help group, in Sami or Norwegian. If the village feels too small to meet your neighbours, we find you a group by telephone or video.", ""),
		hours: hoursPartner, munis: []string{"5612"}},
	{slug: "karasjok-kommune", name: "Karasjok kommune – Kárášjoga gielda", kind: domain.OrgMunicipality, parent: "selvhjelp-norge-nord", town: "karasjok", phone: 3002,
		desc: txt(
			"Folkehelsekoordinatoren i Karasjok kommune hjelper grupper i gang og låner ut rom. Gruppene er ikke en del av helsetjenesten; det som blir sagt der, blir der.", "",
			"The public-health coordinator of Karasjok municipality helps groups get started and lends rooms. The groups are not part of the health service; what is said there stays there.", ""),
		hours: hoursPartner, munis: []string{"5610"}},
	{slug: "harstad-frivilligsentral", name: "Harstad frivilligsentral", kind: domain.OrgVolunteerCentre, parent: "selvhjelp-norge-nord", town: "harstad", phone: 3003,
		desc: txt(
			"Frivilligsentralen i Harstad er en møteplass for alle. Vi låner ut rom til selvhjelpsgrupper og samtalegrupper, og samarbeider med Selvhjelp Norge Nord om å starte nye.", "",
			"The volunteer centre in Harstad is a meeting place for everyone. We lend rooms to self-help and conversation groups, and work with Selvhjelp Norge Nord to start new ones.", ""),
		hours: hoursShort, munis: []string{"5503", "5510"}},
	{slug: "lms-tonsberg", name: "Lærings- og mestringssenteret i Tønsberg", kind: domain.OrgLearningMastery, parent: "selvhjelp-norge-sor", town: "tonsberg", phone: 3004,
		desc: txt(
			"Lærings- og mestringssenteret holder kurs for pasienter og pårørende sammen med erfaringskonsulenter. Etter kursene hjelper vi deltakere som vil fortsette i en selvhjelpsgruppe, og låner ut rom til gruppene.", "",
			"The learning and mastery centre runs courses for patients and relatives together with peer experts. After the courses we help participants who want to carry on in a self-help group, and lend rooms to the groups.", ""),
		hours: hoursWeekdays, munis: []string{"3905", "3907", "3911", "3903"}},

	// User and patient organisations.
	{slug: "foreningen-for-psykisk-helse", name: "Foreningen for psykisk helse", kind: domain.OrgUserOrganisation, town: "oslo", phone: 4001,
		desc: txt("En brukerorganisasjon for alle som har eller har hatt psykiske helseutfordringer, og for pårørende. Lokallagene våre har likepersongrupper over hele landet.", "",
			"A user organisation for everyone who has or has had mental health problems, and for relatives. Our local branches run peer groups across the country.", ""),
		munis: []string{"0301", "4601", "5001", "5501", "4204", "3403"}},
	{slug: "etterlatteforeningen", name: "Etterlatteforeningen", kind: domain.OrgUserOrganisation, town: "oslo", phone: 4002,
		desc: txt("For etterlatte etter selvmord og andre brå dødsfall. Vi har samtalegrupper ledet av likepersoner som selv har mistet noen.", "",
			"For people bereaved by suicide and other sudden deaths. Our conversation groups are led by peer supporters who have lost someone themselves.", ""),
		munis: []string{"0301", "4601", "5001", "1103", "1804"}},
	{slug: "parorendeforeningen", name: "Pårørendeforeningen for rus og psykisk helse", kind: domain.OrgUserOrganisation, town: "oslo", phone: 4003,
		desc: txt("Vi er til for pårørende til personer som ruser seg eller har psykiske lidelser. Pårørende skal ikke stå alene.", "",
			"We are here for the relatives of people with addiction or mental illness. Relatives should not stand alone.", ""),
		munis: []string{"0301", "3301", "1103", "5501"}},
	{slug: "likepersonnettverket-kreft", name: "Likepersonnettverket for kreftberørte", kind: domain.OrgUserOrganisation, town: "oslo", phone: 4004,
		desc: txt("Et nettverk av likepersoner som selv har hatt kreft eller har vært pårørende. Vi leder samtalegrupper for kreftberørte og pårørende.", "",
			"A network of peer supporters who have had cancer themselves or have been relatives. We lead conversation groups for people affected by cancer and their relatives.", ""),
		munis: []string{"0301", "4601", "5001", "4204", "1508"}},
	{slug: "foreningen-for-kroniske-smerter", name: "Foreningen for kroniske smerter", kind: domain.OrgUserOrganisation, town: "hamar", phone: 4005,
		desc: txt("For alle som lever med langvarige smerter, og for pårørende. Vi har samtalegrupper lokalt og på video.", "",
			"For everyone living with long-term pain, and for relatives. We run conversation groups locally and by video.", ""),
		munis: []string{"0301", "3403", "1804"}},
	{slug: "foreningen-mot-spiseforstyrrelser", name: "Foreningen mot spiseforstyrrelser", kind: domain.OrgUserOrganisation, town: "bergen", phone: 4006,
		desc: txt("Vi gir støtte til personer med spiseforstyrrelser og deres pårørende, blant annet gjennom likepersongrupper.", "",
			"We support people with eating disorders and their relatives, among other things through peer groups.", ""),
		munis: []string{"0301", "4601", "5001"}},
	{slug: "spillfri", name: "Spillfri – forening for spillavhengige og pårørende", kind: domain.OrgUserOrganisation, town: "oslo", phone: 4007,
		desc: txt("En forening for spillavhengige og pårørende. Vi leder grupper og gir råd om veien ut av spillegjeld og skam.", "",
			"An association for people with gambling problems and their relatives. We run groups and give advice on the way out of gambling debt and shame.", ""),
		munis: []string{"0301", "4601"}},

	// Twelve-step fellowships.
	{slug: "aa-norge", name: "Anonyme Alkoholikere Norge", kind: domain.OrgFellowship, town: "oslo", phone: 5001,
		desc: txt("Anonyme Alkoholikere (AA) er et fellesskap av menn og kvinner som deler erfaring, styrke og håp for å løse sitt felles problem og hjelpe andre til å bli friske fra alkoholisme. Det eneste kravet for medlemskap er et ønske om å slutte å drikke.", "",
			"Alcoholics Anonymous is a fellowship of people who share their experience, strength and hope with each other so that they may solve their common problem and help others to recover from alcoholism. The only requirement for membership is a desire to stop drinking.", ""),
		munis: []string{"0301", "4601", "5001", "1103", "5501", "1804", "4204", "3403", "1508", "3301", "5601"}},
	{slug: "al-anon-norge", name: "Al-Anon Norge", kind: domain.OrgFellowship, town: "oslo", phone: 5002,
		desc: txt("Al-Anon er et fellesskap for familie og venner av alkoholikere. Vi tror at alkoholisme er en familiesykdom, og at pårørende kan få det bedre uansett om den som drikker slutter eller ikke.", "",
			"Al-Anon is a fellowship for the families and friends of alcoholics. We believe alcoholism is a family illness, and that relatives can find help whether or not the drinker stops.", ""),
		munis: []string{"0301", "4601", "5001", "5501", "1103", "4204"}},
	{slug: "na-norge", name: "Anonyme Narkomane Norge", kind: domain.OrgFellowship, town: "oslo", phone: 5003,
		desc: txt("Anonyme Narkomane (NA) er et fellesskap for personer som har et ønske om å slutte å bruke rusmidler. Møtene er gratis og åpne.", "",
			"Narcotics Anonymous is a fellowship for people who want to stop using drugs. Meetings are free and open.", ""),
		munis: []string{"0301", "4601", "5001", "1103", "3301"}},
	{slug: "anonyme-spillere-norge", name: "Anonyme Spillere Norge", kind: domain.OrgFellowship, town: "oslo", phone: 5004,
		desc: txt("Et fellesskap av menn og kvinner som deler erfaring for å løse sitt felles problem med spill, og hjelper andre å gjøre det samme.", "",
			"A fellowship of men and women who share their experience to solve their common problem with gambling, and help others to do the same.", ""),
		munis: []string{"0301", "4601"}},
}

// venueSpec is a venue of the demo set. A venue is found again by its town
// and name, which are unique.
type venueSpec struct {
	town        string
	name        string
	org         string // slug; "" for venues no demo organisation owns
	street      string
	postal      string
	dlat, dlon  float64 // from the town centre
	stepFree    bool
	loop        bool
	toilet      bool
	public      bool
	directions  domain.Text
	rooms       []roomSpec
	orgOwnVenue bool // the organisation's own address
}

type roomSpec struct {
	name     string
	capacity int
}

var (
	dirBackyard = txt("Inngang fra bakgården. Ring på ved døra merket «Selvhjelpshuset».", "", "Entrance from the back yard. Ring the bell marked “Selvhjelpshuset”.", "")
	dirSecond   = txt("Andre etasje. Heis fra inngangen på hjørnet.", "Andre etasje. Heis frå inngangen på hjørnet.", "Second floor. Lift from the corner entrance.", "")
	dirBasement = txt("Kjelleren, inngang på baksiden. Følg skiltene.", "", "Basement, entrance at the back. Follow the signs.", "")
	dirGround   = txt("Første etasje, rett innenfor hovedinngangen.", "Første etasje, rett innanfor hovudinngangen.", "Ground floor, just inside the main entrance.", "")
)

var venueSpecs = []venueSpec{
	// Oslo
	{town: "oslo", name: "Selvhjelp Norge", org: "selvhjelp-norge", street: "Akersgata 55", postal: "0180", dlat: 0.0021, dlon: -0.0075,
		stepFree: true, toilet: true, public: true, orgOwnVenue: true},
	{town: "oslo", name: "Selvhjelpshuset Oslo", org: "selvhjelpshuset-oslo", street: "Storgata 36", postal: "0182", dlat: 0.0012, dlon: 0.0041,
		stepFree: true, loop: true, toilet: true, public: true, orgOwnVenue: true, directions: dirSecond,
		rooms: []roomSpec{{"Peisestua", 12}, {"Lille møterom", 8}, {"Salen", 20}, {"Verandarommet", 10}}},
	{town: "oslo", name: "AA-lokalet Møllergata", org: "aa-norge", street: "Møllergata 38", postal: "0179", dlat: 0.0031, dlon: -0.0009,
		public: true, directions: dirBasement},
	{town: "oslo", name: "Grünerløkka samfunnshus", street: "Thorvald Meyers gate 40", postal: "0555", dlat: 0.0098, dlon: 0.0071,
		stepFree: true, toilet: true, public: true},
	{town: "oslo", name: "Sagene menighetshus", street: "Sandakerveien 24", postal: "0473", dlat: 0.0185, dlon: 0.0041, loop: true},
	{town: "oslo", name: "Biblioteket på Tøyen, møterom", street: "Tøyengata 30", postal: "0578", dlat: 0.0004, dlon: 0.0195,
		stepFree: true, loop: true, toilet: true, public: true, directions: dirGround},
	// Bergen
	{town: "bergen", name: "Selvhjelpshuset Bergen", org: "selvhjelpshuset-bergen", street: "Strandgaten 18", postal: "5013", dlat: 0.0034, dlon: -0.0039,
		stepFree: true, toilet: true, public: true, orgOwnVenue: true, directions: dirBackyard,
		rooms: []roomSpec{{"Fjellstua", 10}, {"Bryggerommet", 8}, {"Salen", 16}}},
	{town: "bergen", name: "Nygård samfunnshus", street: "Nygårdsgaten 30", postal: "5015", dlat: -0.0052, dlon: 0.0012, public: true, toilet: true},
	{town: "bergen", name: "Møhlenpris menighetshus", street: "Møhlenprisbakken 5", postal: "5006", dlat: -0.0071, dlon: -0.0085, loop: true},
	{town: "bergen", name: "Hovedbiblioteket, møterom", street: "Strømgaten 6", postal: "5015", dlat: -0.0022, dlon: 0.0095,
		stepFree: true, loop: true, toilet: true, public: true},
	// Trondheim
	{town: "trondheim", name: "Selvhjelpshuset Trondheim", org: "selvhjelpshuset-trondheim", street: "Kongens gate 30", postal: "7012", dlat: 0.0003, dlon: -0.0042,
		stepFree: true, loop: true, toilet: true, public: true, orgOwnVenue: true, directions: dirSecond,
		rooms: []roomSpec{{"Nidarosrommet", 10}, {"Lille stue", 6}, {"Salen", 18}}},
	{town: "trondheim", name: "Bakklandet møtelokale", org: "aa-norge", street: "Nedre Bakklandet 58", postal: "7014", dlat: -0.0012, dlon: 0.0078, public: true},
	{town: "trondheim", name: "Lademoen menighetssal", street: "Innherredsveien 42", postal: "7042", dlat: 0.0022, dlon: 0.0225, toilet: true},
	{town: "trondheim", name: "Folkebiblioteket, møterom", street: "Peter Egges plass 1", postal: "7011", dlat: 0.0004, dlon: 0.0012,
		stepFree: true, loop: true, toilet: true, public: true},
	// Stavanger
	{town: "stavanger", name: "Selvhjelpshuset Stavanger", org: "selvhjelpshuset-stavanger", street: "Klubbgata 5", postal: "4006", dlat: -0.0011, dlon: 0.0007,
		stepFree: true, toilet: true, public: true, orgOwnVenue: true,
		rooms: []roomSpec{{"Havrommet", 10}, {"Lille møterom", 6}, {"Salen", 14}}},
	{town: "stavanger", name: "Storhaug bydelshus", street: "Lagårdsveien 80", postal: "4010", dlat: -0.0055, dlon: 0.0102, stepFree: true, toilet: true, public: true},
	{town: "stavanger", name: "St. Petri menighetshus", street: "Kirkegata 20", postal: "4006", dlat: -0.0018, dlon: -0.0023, loop: true},
	// Kristiansand
	{town: "kristiansand", name: "Selvhjelpshuset Kristiansand", org: "selvhjelpshuset-kristiansand", street: "Markens gate 25", postal: "4611", dlat: 0.0004, dlon: -0.0011,
		stepFree: true, loop: true, toilet: true, public: true, orgOwnVenue: true,
		rooms: []roomSpec{{"Odderøya", 12}, {"Lille møterom", 8}}},
	{town: "kristiansand", name: "Kvadraturen møtelokale", street: "Kirkegata 15", postal: "4610", dlat: -0.0009, dlon: 0.0021, public: true},
	{town: "kristiansand", name: "Domkirkens menighetssenter", street: "Kirkegata 3", postal: "4610", dlat: -0.0015, dlon: 0.0026, stepFree: true, loop: true},
	// Drammen
	{town: "drammen", name: "Selvhjelpshuset Drammen", org: "selvhjelpshuset-drammen", street: "Tollbugata 17", postal: "3044", dlat: -0.0031, dlon: 0.0025,
		stepFree: true, toilet: true, public: true, orgOwnVenue: true,
		rooms: []roomSpec{{"Bragernes", 10}, {"Strømsø", 8}, {"Salen", 16}}},
	{town: "drammen", name: "Bragernes møtelokale", street: "Øvre Storgate 12", postal: "3018", dlat: 0.0023, dlon: -0.0018, public: true, toilet: true},
	{town: "drammen", name: "Strømsø menighetshus", street: "Rådhusgata 8", postal: "3016", dlat: -0.0042, dlon: 0.0051},
	// Tromsø
	{town: "tromso", name: "Selvhjelpshuset Tromsø", org: "selvhjelpshuset-tromso", street: "Grønnegata 45", postal: "9008", dlat: 0.0004, dlon: -0.0021,
		stepFree: true, loop: true, toilet: true, public: true, orgOwnVenue: true, directions: dirBackyard,
		rooms: []roomSpec{{"Fjellheisen", 8}, {"Nordlysrommet", 12}}},
	{town: "tromso", name: "Storgata samfunnslokale", street: "Storgata 73", postal: "9008", dlat: 0.0011, dlon: -0.0002, public: true},
	{town: "tromso", name: "Biblioteket i Tromsø, møterom", street: "Grønnegata 94", postal: "9008", dlat: -0.0015, dlon: -0.0011,
		stepFree: true, loop: true, toilet: true, public: true},
	{town: "tromso", name: "Tromsdalen menighetshus", street: "Tomasjordveien 2", postal: "9020", dlat: -0.0018, dlon: 0.0391, loop: true},
	// Bodø
	{town: "bodo", name: "Selvhjelpshuset Bodø", org: "selvhjelpshuset-bodo", street: "Storgata 12", postal: "8006", dlat: 0.0001, dlon: 0.0012,
		stepFree: true, toilet: true, public: true, orgOwnVenue: true,
		rooms: []roomSpec{{"Saltstraumen", 10}, {"Lille stue", 6}, {"Kjerringøy", 12}}},
	{town: "bodo", name: "Rønvik samfunnshus", street: "Rønvikveien 20", postal: "8009", dlat: 0.0112, dlon: 0.0141, public: true, stepFree: true},
	// Ålesund
	{town: "alesund", name: "Selvhjelpshuset Ålesund", org: "selvhjelpshuset-alesund", street: "Kongens gate 14", postal: "6002", dlat: 0.0003, dlon: 0.0012,
		toilet: true, public: true, orgOwnVenue: true, directions: dirSecond,
		rooms: []roomSpec{{"Aksla", 10}, {"Brosundet", 8}}},
	{town: "alesund", name: "Ålesund sentrum møtelokale", street: "Keiser Wilhelms gate 20", postal: "6003", dlat: -0.0012, dlon: 0.0021, public: true},
	{town: "alesund", name: "Borgund kyrkjestove", street: "Borgundvegen 340", postal: "6015", dlat: -0.0091, dlon: 0.0752, loop: true, stepFree: true},
	// Hamar
	{town: "hamar", name: "Selvhjelpshuset Hamar", org: "selvhjelpshuset-hamar", street: "Torggata 42", postal: "2317", dlat: 0.0011, dlon: 0.0003,
		stepFree: true, loop: true, toilet: true, public: true, orgOwnVenue: true,
		rooms: []roomSpec{{"Mjøsa", 12}, {"Stua", 7}}},
	{town: "hamar", name: "Hamar samfunnshus", street: "Strandgata 60", postal: "2317", dlat: -0.0014, dlon: -0.0032, public: true, stepFree: true, toilet: true},
	// Tønsberg
	{town: "tonsberg", name: "Lærings- og mestringssenteret, sykehuset", org: "lms-tonsberg", street: "Halfdan Wilhelmsens allé 17", postal: "3116",
		dlat: 0.0035, dlon: -0.0141, stepFree: true, loop: true, toilet: true, public: true, orgOwnVenue: true, directions: dirGround,
		rooms: []roomSpec{{"Kursrom 1", 20}, {"Samtalerommet", 8}}},
	// Alta
	{town: "alta", name: "Selvhjelpshuset Alta", org: "selvhjelpshuset-alta", street: "Markveien 20", postal: "9510", dlat: 0.0008, dlon: 0.0022,
		stepFree: true, toilet: true, public: true, orgOwnVenue: true,
		rooms: []roomSpec{{"Komsa", 8}, {"Storstua", 14}}},
	{town: "alta", name: "Alta samfunnshus", street: "Sentrumsveien 4", postal: "9510", dlat: -0.0012, dlon: 0.0011, public: true},
	// Harstad
	{town: "harstad", name: "Harstad frivilligsentral", org: "harstad-frivilligsentral", street: "Storgata 20", postal: "9405", dlat: 0.0005, dlon: -0.0012,
		stepFree: true, toilet: true, public: true, orgOwnVenue: true,
		rooms: []roomSpec{{"Kaffestua", 12}}},
	// Kautokeino / Guovdageaidnu
	{town: "kautokeino", name: "Kautokeino frivilligsentral", org: "kautokeino-frivilligsentral", street: "Hannoluohkka 7", postal: "9520", dlat: 0.0008, dlon: 0.0015,
		stepFree: true, toilet: true, public: true, orgOwnVenue: true,
		directions: txt("Inngang ved siden av kafeen.", "", "Entrance next to the café.", ""),
		rooms:      []roomSpec{{"Goahti", 8}, {"Stuorra lanja", 14}}},
	// Karasjok / Kárášjohka
	{town: "karasjok", name: "Helse- og omsorgssenteret, møterom", org: "karasjok-kommune", street: "Ávjovárgeaidnu 12", postal: "9730", dlat: 0.0011, dlon: -0.0021,
		stepFree: true, loop: true, toilet: true,
		rooms: []roomSpec{{"Møterom 2", 10}}},
}
