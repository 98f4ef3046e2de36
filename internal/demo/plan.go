package demo

import "github.com/fellesrom/fellesrom/internal/domain"

// planRow is one group of the demo set. What a row leaves empty is drawn
// from the fixed-seed generator (status, schedule, capacity …).
type planRow struct {
	kind   string
	org    string        // slug of the organiser
	town   string        // key; "" for the organiser's home town
	venue  string        // venue name in town; "" for the organiser's own venue
	format domain.Format // "": the kind's format, else in person
	status domain.Status // "": drawn
	place  domain.Text   // for kinds whose name holds {place}
}

// house is a group the organiser forms and holds in its own rooms.
func house(org, kind string) planRow { return planRow{kind: kind, org: org} }

// houseAs is house with a given format or status.
func houseAs(org, kind string, f domain.Format, s domain.Status) planRow {
	return planRow{kind: kind, org: org, format: f, status: s}
}

// at is a group that meets at a named venue.
func at(org, kind, town, venue string) planRow {
	return planRow{kind: kind, org: org, town: town, venue: venue}
}

// remote is a telephone or video group.
func remote(org, kind, town string, f domain.Format) planRow {
	return planRow{kind: kind, org: org, town: town, format: f}
}

// meeting is a twelve-step meeting at a named venue.
func meeting(org, kind, town, venue, place string) planRow {
	return planRow{kind: kind, org: org, town: town, venue: venue, place: domain.Text{"nb": place}}
}

var (
	online = txt("nettmøte", "nettmøte", "online meeting", "")
	phone  = txt("telefonmøte", "telefonmøte", "telephone meeting", "")
)

const (
	hOslo   = "selvhjelpshuset-oslo"
	hBergen = "selvhjelpshuset-bergen"
	hTrd    = "selvhjelpshuset-trondheim"
	hStv    = "selvhjelpshuset-stavanger"
	hTromso = "selvhjelpshuset-tromso"
	hBodo   = "selvhjelpshuset-bodo"
	hKrs    = "selvhjelpshuset-kristiansand"
	hHamar  = "selvhjelpshuset-hamar"
	hAls    = "selvhjelpshuset-alesund"
	hDrm    = "selvhjelpshuset-drammen"
	hAlta   = "selvhjelpshuset-alta"
	oPsyk   = "foreningen-for-psykisk-helse"
	oEtterl = "etterlatteforeningen"
	oPaar   = "parorendeforeningen"
	oKreft  = "likepersonnettverket-kreft"
	oSmerte = "foreningen-for-kroniske-smerter"
	oSpise  = "foreningen-mot-spiseforstyrrelser"
	oSpill  = "spillfri"
	fAA     = "aa-norge"
	fAlAnon = "al-anon-norge"
	fNA     = "na-norge"
	fGA     = "anonyme-spillere-norge"
)

const (
	inPerson  = domain.FormatInPerson
	telephone = domain.FormatTelephone
	video     = domain.FormatVideo
	hybrid    = domain.FormatHybrid
)

// plan is the demo set's groups. Order matters: slugs that clash get -2, -3
// in this order, and the generator draws in this order.
var plan = []planRow{
	// Selvhjelpshuset Oslo
	houseAs(hOslo, "sn-open", inPerson, domain.StatusRunning),
	houseAs(hOslo, "sn-open", inPerson, domain.StatusRecruiting),
	house(hOslo, "sn-angst-dag"),
	house(hOslo, "sn-depresjon"),
	house(hOslo, "sn-sorg-partner"),
	house(hOslo, "sn-samliv-k"),
	house(hOslo, "sn-ensomhet-ung"),
	house(hOslo, "sn-parorende-psykisk"),
	house(hOslo, "sn-parorende-rus"),
	house(hOslo, "sn-en"),
	house(hOslo, "sn-ar"),
	houseAs(hOslo, "sn-uk", inPerson, domain.StatusPlanned),
	house(hOslo, "sn-pl"),
	house(hOslo, "sn-so"),
	house(hOslo, "sn-video-ung"),
	house(hOslo, "sn-tele"),
	house(hOslo, "sn-mobbing"),
	house(hOslo, "sn-overgrep-k"),
	house(hOslo, "sn-spise"),
	houseAs(hOslo, "sn-utbrent", hybrid, domain.StatusRunning),
	at(hOslo, "other-sorg-kirke", "oslo", "Sagene menighetshus"),

	// Selvhjelpshuset Bergen
	houseAs(hBergen, "sn-open", inPerson, domain.StatusRunning),
	houseAs(hBergen, "sn-open", inPerson, domain.StatusStarting),
	house(hBergen, "sn-angst"),
	house(hBergen, "sn-sorg"),
	house(hBergen, "sn-samliv-m"),
	house(hBergen, "sn-utbrent"),
	house(hBergen, "sn-parorende-rus"),
	house(hBergen, "sn-kronisk"),
	house(hBergen, "sn-barnloshet"),
	house(hBergen, "sn-en"),
	house(hBergen, "sn-spise"),
	house(hBergen, "sn-pl"),
	house(hBergen, "sn-tele"),
	houseAs(hBergen, "sn-depresjon", video, ""),
	at(hBergen, "other-sorg-kirke", "bergen", "Møhlenpris menighetshus"),

	// Selvhjelpshuset Trondheim
	houseAs(hTrd, "sn-open", inPerson, domain.StatusRunning),
	houseAs(hTrd, "sn-open", inPerson, domain.StatusEnded),
	house(hTrd, "sn-angst"),
	house(hTrd, "sn-depresjon"),
	house(hTrd, "sn-sorg-partner"),
	house(hTrd, "sn-ensomhet-ung"),
	house(hTrd, "sn-parorende-psykisk"),
	house(hTrd, "sn-utbrent"),
	house(hTrd, "sn-samliv-k"),
	house(hTrd, "sn-video-ung"),
	house(hTrd, "sn-ar"),
	house(hTrd, "sn-parorende-sykdom"),
	house(hTrd, "sn-mobbing"),
	at(hTrd, "other-samliv", "trondheim", "Lademoen menighetssal"),

	// Selvhjelpshuset Stavanger
	house(hStv, "sn-open"),
	house(hStv, "sn-angst"),
	house(hStv, "sn-sorg"),
	house(hStv, "sn-samliv-m"),
	house(hStv, "sn-parorende-rus"),
	house(hStv, "sn-barnloshet"),
	house(hStv, "sn-en"),
	house(hStv, "sn-pl"),
	houseAs(hStv, "sn-utbrent", inPerson, domain.StatusPaused),
	house(hStv, "sn-ensomhet"),
	at(hStv, "other-sorg-kirke", "stavanger", "St. Petri menighetshus"),

	// Selvhjelpshuset Tromsø
	house(hTromso, "sn-open"),
	house(hTromso, "sn-angst-dag"),
	house(hTromso, "sn-sorg"),
	house(hTromso, "sn-parorende-rus"),
	house(hTromso, "sn-ensomhet-ung"),
	houseAs(hTromso, "sn-se", inPerson, domain.StatusRunning),
	house(hTromso, "sn-tele"),
	house(hTromso, "sn-kronisk"),
	houseAs(hTromso, "sn-se", video, domain.StatusRecruiting),
	at(hTromso, "other-sorg-kirke", "tromso", "Tromsdalen menighetshus"),

	// Selvhjelpshuset Bodø
	house(hBodo, "sn-open"),
	house(hBodo, "sn-angst"),
	house(hBodo, "sn-sorg-partner"),
	house(hBodo, "sn-samliv-k"),
	house(hBodo, "sn-parorende-psykisk"),
	house(hBodo, "sn-tele"),
	house(hBodo, "sn-depresjon"),

	// Selvhjelpshuset Kristiansand
	house(hKrs, "sn-open"),
	house(hKrs, "sn-depresjon"),
	house(hKrs, "sn-sorg"),
	house(hKrs, "sn-mobbing"),
	house(hKrs, "sn-ensomhet-ung"),
	house(hKrs, "sn-parorende-sykdom"),
	house(hKrs, "sn-uk"),
	house(hKrs, "sn-angst"),
	at(hKrs, "other-sorg-kirke", "kristiansand", "Domkirkens menighetssenter"),

	// Selvhjelpshuset Hamar
	house(hHamar, "sn-open"),
	house(hHamar, "sn-angst-dag"),
	house(hHamar, "sn-sorg"),
	house(hHamar, "sn-kronisk"),
	house(hHamar, "sn-utbrent"),
	house(hHamar, "sn-samliv-m"),
	house(hHamar, "sn-tele"),
	house(hHamar, "sn-parorende-rus"),

	// Selvhjelpshuset Ålesund
	house(hAls, "sn-open"),
	house(hAls, "sn-angst"),
	house(hAls, "sn-sorg-partner"),
	house(hAls, "sn-parorende-rus"),
	house(hAls, "sn-ensomhet"),
	at(hAls, "other-sorg-kirke", "alesund", "Borgund kyrkjestove"),

	// Selvhjelpshuset Drammen
	house(hDrm, "sn-open"),
	house(hDrm, "sn-depresjon"),
	house(hDrm, "sn-samliv-k"),
	house(hDrm, "sn-overgrep-k"),
	house(hDrm, "sn-ar"),
	house(hDrm, "sn-so"),
	house(hDrm, "sn-parorende-psykisk"),
	house(hDrm, "sn-angst"),
	at(hDrm, "other-samliv", "drammen", "Strømsø menighetshus"),

	// Selvhjelpshuset Alta
	house(hAlta, "sn-open"),
	house(hAlta, "sn-sorg"),
	house(hAlta, "sn-se"),
	house(hAlta, "sn-parorende-rus"),
	houseAs(hAlta, "sn-angst", telephone, ""),

	// Partners
	houseAs("kautokeino-frivilligsentral", "sn-se", inPerson, domain.StatusRecruiting),
	houseAs("kautokeino-frivilligsentral", "other-se-sorg", inPerson, domain.StatusRunning),
	house("kautokeino-frivilligsentral", "other-eldre-ensom"),
	houseAs("karasjok-kommune", "other-se-parorende", inPerson, domain.StatusRunning),
	houseAs("karasjok-kommune", "other-se-sorg", video, ""),
	house("harstad-frivilligsentral", "other-eldre-ensom"),
	house("harstad-frivilligsentral", "other-samliv"),
	house("harstad-frivilligsentral", "sn-open"),
	house("lms-tonsberg", "other-kronisk-lms"),
	house("lms-tonsberg", "other-demens"),
	houseAs("lms-tonsberg", "other-kronisk-lms", video, domain.StatusPaused),

	// User and patient organisations
	at(oPsyk, "peer-psyk", "oslo", "Biblioteket på Tøyen, møterom"),
	at(oPsyk, "peer-psyk", "bergen", "Hovedbiblioteket, møterom"),
	at(oPsyk, "peer-psyk", "trondheim", "Folkebiblioteket, møterom"),
	at(oPsyk, "peer-psyk", "tromso", "Biblioteket i Tromsø, møterom"),
	at(oPsyk, "peer-parorende-psyk", "oslo", "Grünerløkka samfunnshus"),
	at(oPsyk, "peer-parorende-psyk", "kristiansand", "Domkirkens menighetssenter"),
	at(oPsyk, "peer-parorende-psyk", "hamar", "Hamar samfunnshus"),
	remote(oPsyk, "peer-ung", "oslo", video),
	remote(oPsyk, "peer-psyk", "oslo", telephone),
	at(oEtterl, "peer-etterlatte", "oslo", "Sagene menighetshus"),
	at(oEtterl, "peer-etterlatte", "bergen", "Møhlenpris menighetshus"),
	at(oEtterl, "peer-etterlatte", "trondheim", "Lademoen menighetssal"),
	at(oEtterl, "peer-etterlatte", "stavanger", "St. Petri menighetshus"),
	at(oEtterl, "peer-etterlatte", "bodo", "Rønvik samfunnshus"),
	at(oEtterl, "peer-foreldre-barn", "oslo", "Grünerløkka samfunnshus"),
	remote(oEtterl, "peer-foreldre-barn", "oslo", video),
	at(oPaar, "peer-parorende-rus-foreldre", "oslo", "Biblioteket på Tøyen, møterom"),
	at(oPaar, "peer-parorende-rus-foreldre", "drammen", "Bragernes møtelokale"),
	at(oPaar, "peer-parorende-rus-foreldre", "stavanger", "Storhaug bydelshus"),
	at(oPaar, "peer-parorende-rus-foreldre", "tromso", "Storgata samfunnslokale"),
	remote(oPaar, "peer-parorende-rus-foreldre", "oslo", video),
	at(oKreft, "peer-kreft", "oslo", "Biblioteket på Tøyen, møterom"),
	at(oKreft, "peer-kreft", "bergen", "Hovedbiblioteket, møterom"),
	at(oKreft, "peer-kreft", "trondheim", "Folkebiblioteket, møterom"),
	at(oKreft, "peer-kreft", "kristiansand", "Kvadraturen møtelokale"),
	at(oKreft, "peer-kreft", "alesund", "Ålesund sentrum møtelokale"),
	at(oKreft, "peer-parorende-kreft", "oslo", "Grünerløkka samfunnshus"),
	remote(oKreft, "peer-parorende-kreft", "oslo", video),
	at(oSmerte, "peer-smerter", "oslo", "Biblioteket på Tøyen, møterom"),
	at(oSmerte, "peer-smerter", "hamar", "Hamar samfunnshus"),
	at(oSmerte, "peer-smerter", "bodo", "Rønvik samfunnshus"),
	remote(oSmerte, "peer-smerter", "hamar", video),
	at(oSpise, "peer-spise", "oslo", "Grünerløkka samfunnshus"),
	{kind: "peer-spise", org: oSpise, town: "bergen", venue: "Hovedbiblioteket, møterom", format: hybrid},
	at(oSpise, "peer-spise", "trondheim", "Folkebiblioteket, møterom"),
	remote(oSpise, "peer-parorende-spise", "bergen", video),
	at(oSpill, "peer-spill", "oslo", "Biblioteket på Tøyen, møterom"),
	at(oSpill, "peer-spill", "bergen", "Nygård samfunnshus"),
	remote(oSpill, "peer-parorende-spill", "oslo", telephone),

	// Twelve-step fellowships
	meeting(fAA, "aa", "oslo", "AA-lokalet Møllergata", "Møllergata"),
	meeting(fAA, "aa-closed", "oslo", "AA-lokalet Møllergata", "Møllergata"),
	meeting(fAA, "aa-women", "oslo", "Grünerløkka samfunnshus", "Grünerløkka"),
	meeting(fAA, "aa-en", "oslo", "AA-lokalet Møllergata", "Oslo"),
	meeting(fAA, "aa", "bergen", "Nygård samfunnshus", "Nygård"),
	meeting(fAA, "aa", "trondheim", "Bakklandet møtelokale", "Bakklandet"),
	meeting(fAA, "aa-closed", "trondheim", "Bakklandet møtelokale", "Bakklandet"),
	meeting(fAA, "aa", "stavanger", "Storhaug bydelshus", "Storhaug"),
	meeting(fAA, "aa", "tromso", "Storgata samfunnslokale", "Tromsø"),
	meeting(fAA, "aa", "bodo", "Rønvik samfunnshus", "Bodø"),
	meeting(fAA, "aa", "kristiansand", "Kvadraturen møtelokale", "Kvadraturen"),
	meeting(fAA, "aa", "hamar", "Hamar samfunnshus", "Hamar"),
	meeting(fAA, "aa", "drammen", "Bragernes møtelokale", "Bragernes"),
	meeting(fAA, "aa", "alesund", "Ålesund sentrum møtelokale", "Ålesund"),
	meeting(fAA, "aa", "alta", "Alta samfunnshus", "Alta"),
	{kind: "aa", org: fAA, town: "oslo", format: video, place: online},
	{kind: "aa", org: fAA, town: "oslo", format: telephone, place: phone},
	{kind: "al-anon", org: fAlAnon, town: "oslo", venue: "Grünerløkka samfunnshus", format: hybrid, place: domain.Text{"nb": "Grünerløkka"}},
	meeting(fAlAnon, "al-anon", "bergen", "Nygård samfunnshus", "Bergen"),
	meeting(fAlAnon, "al-anon", "trondheim", "Bakklandet møtelokale", "Trondheim"),
	meeting(fAlAnon, "al-anon", "tromso", "Storgata samfunnslokale", "Tromsø"),
	meeting(fAlAnon, "al-anon", "stavanger", "Storhaug bydelshus", "Stavanger"),
	meeting(fAlAnon, "al-anon", "kristiansand", "Kvadraturen møtelokale", "Kristiansand"),
	{kind: "al-anon", org: fAlAnon, town: "oslo", format: telephone, place: phone},
	meeting(fNA, "na", "oslo", "AA-lokalet Møllergata", "Oslo sentrum"),
	meeting(fNA, "na", "oslo", "Grünerløkka samfunnshus", "Grünerløkka"),
	meeting(fNA, "na", "bergen", "Nygård samfunnshus", "Bergen"),
	meeting(fNA, "na", "trondheim", "Bakklandet møtelokale", "Trondheim"),
	meeting(fNA, "na", "stavanger", "Storhaug bydelshus", "Stavanger"),
	meeting(fNA, "na", "drammen", "Bragernes møtelokale", "Drammen"),
	{kind: "na", org: fNA, town: "oslo", format: video, place: online},
	meeting(fGA, "ga", "oslo", "Grünerløkka samfunnshus", "Oslo"),
	meeting(fGA, "ga", "bergen", "Nygård samfunnshus", "Bergen"),
	{kind: "ga", org: fGA, town: "oslo", format: video, place: online},
}
