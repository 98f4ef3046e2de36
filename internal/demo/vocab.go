package demo

import (
	"slices"
	"strings"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// txt builds a multilingual text from nb, nn, en and se values, leaving out
// the empty ones.
func txt(nb, nn, en, se string) domain.Text {
	t := domain.Text{}
	for _, kv := range [...][2]string{{"nb", nb}, {"nn", nn}, {"en", en}, {"se", se}} {
		if kv[1] != "" {
			t[kv[0]] = kv[1]
		}
	}
	return t
}

// Model slugs of the demo set.
const (
	modelSN    = "selvhjelp-norge"
	modelStep  = "tolv-trinn"
	modelPeer  = "likepersongruppe"
	modelOther = "annet"
)

// models are the group models, held as data. The Northern Sami texts are short
// and want a native speaker's review; where they are missing the site falls
// back to Norwegian.
func models() []domain.Model {
	return []domain.Model{
		{
			Slug: modelSN, SortOrder: 10,
			Name: txt("Selvhjelpsgruppe (Selvhjelp Norge)", "Sjølvhjelpsgruppe (Selvhjelp Norge)",
				"Self-help group (Selvhjelp Norge model)", "Iešveahkkejoavku (Selvhjelp Norge)"),
			Description: txt(
				"En lukket gruppe på 4–8 voksne som ikke kjenner hverandre fra før. En igangsetter hjelper gruppa i gang de første gangene; deretter driver dere den selv. Alle snakker ut fra eget liv, ingen gir råd uten å bli spurt, og det som blir sagt, blir i rommet. Gruppa varer så lenge dere har nytte av den.",
				"Ei lukka gruppe på 4–8 vaksne som ikkje kjenner kvarandre frå før. Ein igangsetjar hjelper gruppa i gang dei første gongene; deretter driv de ho sjølve. Alle snakkar ut frå sitt eige liv, ingen gir råd utan å bli spurde, og det som vert sagt, blir i rommet. Gruppa varer så lenge de har nytte av ho.",
				"A closed group of 4–8 adults who do not know each other beforehand. A trained starter helps the group through its first meetings; after that you run it yourselves. Everyone speaks from their own life, nobody gives advice unless asked, and what is said stays in the room. The group lasts as long as you find it useful.", ""),
			Intake: domain.IntakeClosed, Leadership: domain.LeadStarter, SizeMin: 4, SizeMax: 8, DefaultJoin: domain.JoinViaHouse,
			WhoMayCome: txt(
				"Voksne over 18 år. Ta kontakt med selvhjelpshuset for en samtale, så finner vi sammen en gruppe som passer – eller starter en ny.",
				"Vaksne over 18 år. Ta kontakt med sjølvhjelpshuset for ein samtale, så finn vi saman ei gruppe som passar – eller startar ei ny.",
				"Adults aged 18 and over. Contact the self-help house for a talk, and together we find a group that suits you – or start a new one.", ""),
		},
		{
			Slug: modelStep, SortOrder: 20,
			Name: txt("Tolvtrinnsmøte (åpent)", "Tolvstegsmøte (ope)", "Twelve-step meeting (open)", ""),
			Description: txt(
				"Åpne møter etter tolvtrinnsprogrammet, som i AA, NA og Al-Anon. Et medlem leder møtet, det leses fra litteraturen, og de som vil, forteller om egen erfaring uten at andre kommenterer. Fellesskapet finnes også utenfor møtene.",
				"Opne møte etter tolvstegsprogrammet, som i AA, NA og Al-Anon. Eit medlem leier møtet, det vert lese frå litteraturen, og dei som vil, fortel om eiga erfaring utan at andre kommenterer.",
				"Open meetings following the twelve-step programme, as in AA, NA and Al-Anon. A member chairs the meeting, there are readings from the literature, and those who wish share their own experience without comments from others.", ""),
			Intake: domain.IntakeOpen, Leadership: domain.LeadChair, DefaultJoin: domain.JoinJustCome,
			WhoMayCome: txt(
				"Alle som ønsker det kan komme på åpne møter, uten påmelding. Lukkede møter er for dem som selv har problemet; det står i beskrivelsen av møtet.",
				"Alle som ønskjer det kan kome på opne møte, utan påmelding. Lukka møte er for dei som sjølve har problemet.",
				"Anyone may come to an open meeting, no need to sign up. Closed meetings are for those who have the problem themselves; the meeting's description says so.", ""),
		},
		{
			Slug: modelPeer, SortOrder: 30,
			Name: txt("Likepersongruppe", "Likepersongruppe", "Peer support group", ""),
			Description: txt(
				"Grupper i regi av bruker- og pasientorganisasjoner, ledet av en likeperson: en som selv har erfaring med det gruppa handler om, og som har fått opplæring i å lede samtaler. Hvordan gruppa er lagt opp, varierer fra organisasjon til organisasjon.",
				"Grupper i regi av brukar- og pasientorganisasjonar, leidde av ein likeperson: ein som sjølv har erfaring med det gruppa handlar om, og som har fått opplæring i å leie samtalar.",
				"Groups run by user and patient organisations and led by a peer supporter: someone with their own experience of what the group is about, trained to lead conversations. How the group works varies between organisations.", ""),
			Intake: domain.IntakeVaries, Leadership: domain.LeadPeer, DefaultJoin: domain.JoinContactOrg,
			WhoMayCome: txt(
				"Det varierer. Ta kontakt med organisasjonen for å høre om gruppa passer for deg.",
				"Det varierer. Ta kontakt med organisasjonen for å høyre om gruppa passar for deg.",
				"It varies. Contact the organisation to hear whether the group suits you.", ""),
		},
		{
			Slug: modelOther, SortOrder: 40,
			Name: txt("Andre samtalegrupper", "Andre samtalegrupper", "Other groups", ""),
			Description: txt(
				"Selvhjelps- og samtalegrupper som ikke følger én bestemt modell, for eksempel grupper i regi av frivilligsentraler, menigheter, kommuner eller lærings- og mestringssentre.",
				"Sjølvhjelps- og samtalegrupper som ikkje følgjer éin bestemd modell, til dømes grupper i regi av frivilligsentralar, kyrkjelydar, kommunar eller lærings- og meistringssenter.",
				"Self-help and conversation groups that follow no single model, for example groups run by volunteer centres, parishes, municipalities or learning and mastery centres.", ""),
			Intake: domain.IntakeVaries, Leadership: domain.LeadOther, DefaultJoin: domain.JoinContactOrg,
			WhoMayCome: txt("Se beskrivelsen av hver gruppe.", "Sjå omtalen av kvar gruppe.", "See each group's description.", ""),
		},
	}
}

// themes is the theme taxonomy, grouped sensibly: how one feels, what life
// brought, health, addiction, relatives, and last the open groups.
func themes() []domain.Theme {
	list := []struct {
		slug           string
		nb, nn, en, se string
	}{
		{"angst", "Angst", "Angst", "Anxiety", ""},
		{"depresjon", "Depresjon og nedstemthet", "Depresjon og nedstemtheit", "Depression and low mood", ""},
		{"ensomhet", "Ensomhet", "Einsemd", "Loneliness", "Oktovuohta"},
		{"utbrenthet", "Utbrenthet og stress", "Utbrentheit og stress", "Burnout and stress", ""},
		{"spiseforstyrrelser", "Spiseforstyrrelser", "Eteforstyrringar", "Eating disorders", ""},
		{"sorg", "Sorg", "Sorg", "Grief", "Moraš"},
		{"samlivsbrudd", "Samlivsbrudd", "Samlivsbrot", "Separation and divorce", ""},
		{"ufrivillig-barnloshet", "Ufrivillig barnløshet", "Ufrivillig barnløyse", "Involuntary childlessness", ""},
		{"overgrep", "Overgrep og vold", "Overgrep og vald", "Abuse and violence", ""},
		{"mobbing", "Mobbing", "Mobbing", "Bullying", ""},
		{"kronisk-sykdom", "Kronisk sykdom og smerter", "Kronisk sjukdom og smerter", "Chronic illness and pain", ""},
		{"kreft", "Kreft", "Kreft", "Cancer", "Borasdávda"},
		{"rus", "Rus og avhengighet", "Rus og avhengnad", "Alcohol, drugs and addiction", ""},
		{"spillavhengighet", "Spillavhengighet", "Speleavhengnad", "Gambling addiction", ""},
		{"parorende-rus", "Pårørende – rus og avhengighet", "Pårørande – rus og avhengnad", "Relatives – addiction", ""},
		{"parorende-psykisk", "Pårørende – psykisk helse", "Pårørande – psykisk helse", "Relatives – mental health", ""},
		{"parorende-sykdom", "Pårørende – alvorlig sykdom", "Pårørande – alvorleg sjukdom", "Relatives – serious illness", ""},
		{domain.ThemeOpen, "Åpen på tvers av tema", "Open på tvers av tema", "Open across themes", ""},
	}
	out := make([]domain.Theme, len(list))
	for i, t := range list {
		out[i] = domain.Theme{Slug: t.slug, Name: txt(t.nb, t.nn, t.en, t.se), SortOrder: 10 * (i + 1), Active: true}
	}
	return out
}

// kind is a kind of group: the words and the audience that many groups
// share. Names may hold "{place}", replaced by the meeting's place.
type kind struct {
	key     string
	model   string
	themes  []string
	name    domain.Text
	desc    domain.Text
	age     domain.AgeGroup
	gender  domain.Gender
	rel     bool     // for relatives
	langs   []string // nil: nb
	format  domain.Format
	morning bool
	join    domain.JoinMethod // "": the model's
	org     string            // Generate: the organisation whose kind it is ("": the town's house or partner)
	church  bool              // Generate: meets in a church hall
}

// placeNamed says whether the kind's name holds the place.
func (k *kind) placeNamed() bool {
	for _, v := range k.name {
		if strings.Contains(v, "{place}") {
			return true
		}
	}
	return false
}

const (
	descStep = "Du trenger ikke si noe, og du trenger ikke melde deg på. Møtet er gratis."
	descSNEn = "A starter joins the first meetings; after that you run the group yourselves. Contact the house for a chat first."
)

// kinds is every kind of group in the demo set, by key.
var kinds = indexKinds([]kind{
	// Selvhjelp Norge closed groups, formed by the houses.
	{key: "sn-open", model: modelSN, themes: []string{domain.ThemeOpen},
		name: txt("Selvhjelpsgruppe på tvers av tema", "Sjølvhjelpsgruppe på tvers av tema", "Self-help group across themes", "Iešveahkkejoavku"),
		desc: txt(
			"En lukket gruppe for deg som har noe i livet du vil jobbe med, uansett hva det er. Dere blir 4–8 voksne som ikke kjenner hverandre fra før. Hver og en forteller fra sitt eget liv, og det som blir sagt i gruppa, blir der. En igangsetter er med de første gangene, så driver dere gruppa selv. Ta kontakt for en prat først.",
			"Ei lukka gruppe for deg som har noko i livet du vil arbeide med, same kva det er. De blir 4–8 vaksne som ikkje kjenner kvarandre frå før. Kvar og ein fortel frå sitt eige liv, og det som vert sagt i gruppa, blir der. Ein igangsetjar er med dei første gongene, så driv de gruppa sjølve.",
			"A closed group for anyone who has something in their life they want to work on, whatever it is. You will be 4–8 adults who do not know each other beforehand. Each person speaks from their own life, and what is said in the group stays there. "+descSNEn, "")},
	{key: "sn-angst", model: modelSN, themes: []string{"angst"},
		name: txt("Angstgruppe", "Angstgruppe", "Anxiety group", ""),
		desc: txt(
			"For deg som kjenner at angst og uro tar mye plass i hverdagen. I gruppa deler dere egne erfaringer med å leve med angst, og med det som hjelper. Ingen må si mer enn de vil. Gruppa er ikke behandling, men et sted der du møter andre som forstår.",
			"For deg som kjenner at angst og uro tek mykje plass i kvardagen. I gruppa deler de eigne erfaringar med å leve med angst, og med det som hjelper.",
			"For you who feel that anxiety and worry take up a lot of room in everyday life. In the group you share your own experience of living with anxiety, and of what helps. Nobody has to say more than they want to. The group is not treatment, but a place to meet others who understand.", "")},
	{key: "sn-angst-dag", model: modelSN, themes: []string{"angst"}, morning: true,
		name: txt("Angstgruppe på dagtid", "Angstgruppe på dagtid", "Daytime anxiety group", ""),
		desc: txt(
			"En lukket gruppe som møtes på formiddagen, for deg som kjenner at angst og uro tar mye plass. Passer godt om du er sykmeldt, student eller har fri på dagtid. Dere deler egne erfaringer, i et tempo som passer gruppa.", "",
			"A closed group meeting in the late morning, for you who feel that anxiety takes up a lot of room. It suits you if you are on sick leave, studying or free in the daytime. You share your own experience, at a pace that suits the group.", "")},
	{key: "sn-depresjon", model: modelSN, themes: []string{"depresjon"},
		name: txt("Gruppe for deg som kjenner deg nedstemt", "Gruppe for deg som kjenner deg nedstemd", "Group for you who feel low", ""),
		desc: txt(
			"For deg som har kjent på tungsinn og nedstemthet over tid. Det kan være godt å snakke med andre som kjenner det igjen. Dere deler av egne erfaringer, og ingen trenger å ha svarene.", "",
			"For you who have felt heavy-hearted and low for some time. It can help to talk with others who recognise it. You share your own experience, and nobody needs to have the answers.", "")},
	{key: "sn-sorg", model: modelSN, themes: []string{"sorg"},
		name: txt("Sorggruppe", "Sorggruppe", "Grief group", ""),
		desc: txt(
			"For deg som har mistet noen som sto deg nær. Sorg tar tid, og den ser ulik ut for hver enkelt. I gruppa møter du andre som vet hvordan det er, og dere deler det dere selv har opplevd.",
			"For deg som har mista nokon som stod deg nær. Sorg tek tid, og han ser ulik ut for kvar enkelt. I gruppa møter du andre som veit korleis det er.",
			"For you who have lost someone close to you. Grief takes time, and it looks different for everyone. In the group you meet others who know what it is like, and you share what you have lived through.", "")},
	{key: "sn-sorg-partner", model: modelSN, themes: []string{"sorg"},
		name: txt("Sorggruppe for deg som har mistet en partner", "Sorggruppe for deg som har mista ein partnar", "Grief group for those who have lost a partner", ""),
		desc: txt(
			"For deg som har mistet ektefelle, samboer eller kjæreste. Mange opplever at omgivelsene går videre før en selv er klar. Her kan du snakke om den du har mistet, og om hvordan hverdagen er nå.", "",
			"For you who have lost a spouse or partner. Many find that the people around them move on before they are ready themselves. Here you can talk about the one you lost, and about everyday life now.", "")},
	{key: "sn-samliv-k", model: modelSN, themes: []string{"samlivsbrudd"}, gender: domain.GenderWomen,
		name: txt("Kvinnegruppe etter samlivsbrudd", "Kvinnegruppe etter samlivsbrot", "Women's group after a break-up", ""),
		desc: txt(
			"For kvinner som har vært gjennom et samlivsbrudd, nylig eller for en tid siden. Dere deler erfaringer med sorg, sinne, lettelse og alt imellom, og finner ut av ting i eget tempo.", "",
			"For women who have been through a separation, recently or some time ago. You share experiences of grief, anger, relief and everything in between, at your own pace.", "")},
	{key: "sn-samliv-m", model: modelSN, themes: []string{"samlivsbrudd"}, gender: domain.GenderMen,
		name: txt("Mannsgruppe etter samlivsbrudd", "Mannsgruppe etter samlivsbrot", "Men's group after a break-up", ""),
		desc: txt(
			"For menn som har opplevd samlivsbrudd. Mange menn står alene med tankene etter et brudd. I gruppa møter du andre menn i samme situasjon, og hver enkelt snakker ut fra seg selv.",
			"For menn som har opplevd samlivsbrot. Mange menn står åleine med tankane etter eit brot. I gruppa møter du andre menn i same situasjon.",
			"For men who have been through a separation. Many men are left alone with their thoughts after a break-up. In the group you meet other men in the same situation, and each speaks for himself.", "")},
	{key: "sn-ensomhet-ung", model: modelSN, themes: []string{"ensomhet"}, age: domain.AgeYoungAdults,
		name: txt("Ung voksen med ensomhet (18–30)", "Ung vaksen med einsemd (18–30)", "Young adults and loneliness (18–30)", ""),
		desc: txt(
			"For deg mellom 18 og 30 år som kjenner på ensomhet. Det er vanligere enn mange tror. I en liten, fast gruppe blir dere kjent med hverandre og deler hvordan dere har det – uten press.",
			"For deg mellom 18 og 30 år som kjenner på einsemd. Det er vanlegare enn mange trur.",
			"For you between 18 and 30 who feel lonely. It is more common than many think. In a small, steady group you get to know each other and share how you are – without pressure.", "")},
	{key: "sn-ensomhet", model: modelSN, themes: []string{"ensomhet"},
		name: txt("Ensomhet – selvhjelpsgruppe", "Einsemd – sjølvhjelpsgruppe", "Loneliness – self-help group", ""),
		desc: txt(
			"For deg som kjenner deg ensom, enten du bor alene eller er omgitt av folk. I gruppa deler dere erfaringer og finner ut hva som kan gjøre hverdagen litt lettere.", "",
			"For you who feel lonely, whether you live alone or are surrounded by people. In the group you share experiences and find out what can make everyday life a little easier.", "")},
	{key: "sn-utbrent", model: modelSN, themes: []string{"utbrenthet"},
		name: txt("Utbrent og sliten", "Utbrend og sliten", "Burnt out and exhausted", ""),
		desc: txt(
			"For deg som er utbrent, sykmeldt eller har kjørt deg selv for hardt over tid. Dere snakker om egne erfaringer med å finne tilbake til kreftene, og om det som er vanskelig på veien.", "",
			"For you who are burnt out, on sick leave or have pushed yourself too hard for too long. You talk about your own experience of finding your strength again, and about what is hard along the way.", "")},
	{key: "sn-parorende-psykisk", model: modelSN, themes: []string{"parorende-psykisk"}, rel: true,
		name: txt("Pårørendegruppe – psykisk helse", "Pårørandegruppe – psykisk helse", "Relatives' group – mental health", ""),
		desc: txt(
			"For deg som er pårørende til noen med psykiske plager eller lidelser: en partner, et barn, en forelder eller en venn. Som pårørende står du ofte i det alene. Her møter du andre pårørende og deler erfaringer med å ta vare på deg selv.",
			"For deg som er pårørande til nokon med psykiske plager eller lidingar. Her møter du andre pårørande og deler erfaringar med å ta vare på deg sjølv.",
			"For you who are close to someone with mental health problems: a partner, a child, a parent or a friend. Relatives often carry this alone. Here you meet other relatives and share experiences of taking care of yourself.", "")},
	{key: "sn-parorende-rus", model: modelSN, themes: []string{"parorende-rus"}, rel: true,
		name: txt("Pårørendegruppe – rus", "Pårørandegruppe – rus", "Relatives' group – addiction", ""),
		desc: txt(
			"For deg som er pårørende til noen som ruser seg. Mange pårørende bærer på skam og bekymring i stillhet. I gruppa snakker dere om deres egne liv, ikke om den som ruser seg.",
			"For deg som er pårørande til nokon som ruser seg. Mange pårørande ber på skam og uro i stillheit. I gruppa snakkar de om dykkar eigne liv.",
			"For you who are close to someone who misuses alcohol or drugs. Many relatives carry shame and worry in silence. In the group you talk about your own lives, not about the person who uses.", "")},
	{key: "sn-parorende-sykdom", model: modelSN, themes: []string{"parorende-sykdom"}, rel: true,
		name: txt("Pårørende til alvorlig syke", "Pårørande til alvorleg sjuke", "Relatives of someone seriously ill", ""),
		desc: txt(
			"For deg som er pårørende til noen med alvorlig eller langvarig sykdom. Her kan du snakke om hvordan du selv har det, med andre som står i noe lignende.", "",
			"For you who are close to someone with a serious or long-term illness. Here you can talk about how you yourself are doing, with others in a similar situation.", "")},
	{key: "sn-kronisk", model: modelSN, themes: []string{"kronisk-sykdom"},
		name: txt("Leve med kronisk sykdom og smerter", "Leve med kronisk sjukdom og smerter", "Living with chronic illness and pain", ""),
		desc: txt(
			"For deg som lever med langvarig sykdom eller smerter. Dere deler erfaringer med hverdagen, med å bli forstått, og med å finne mening når kroppen setter grenser.", "",
			"For you who live with long-term illness or pain. You share experiences of everyday life, of being understood, and of finding meaning when the body sets limits.", "")},
	{key: "sn-barnloshet", model: modelSN, themes: []string{"ufrivillig-barnloshet"},
		name: txt("Ufrivillig barnløs", "Ufrivillig barnlaus", "Involuntarily childless", ""),
		desc: txt(
			"For deg som ønsker deg barn, men ikke har fått det. Sorgen over barnløshet er ofte usynlig for andre. I gruppa kan du snakke fritt med andre som kjenner den igjen.", "",
			"For you who long for a child but have not had one. The grief of childlessness is often invisible to others. In the group you can speak freely with others who know it.", "")},
	{key: "sn-mobbing", model: modelSN, themes: []string{"mobbing"},
		name: txt("Voksne som ble mobbet", "Vaksne som vart mobba", "Adults who were bullied", ""),
		desc: txt(
			"For voksne som ble mobbet som barn, som ungdom eller på jobb, og som fortsatt kjenner på det. Dere deler egne erfaringer og det som har hjulpet.", "",
			"For adults who were bullied as children, as teenagers or at work, and who still feel it. You share your own experience and what has helped.", "")},
	{key: "sn-overgrep-k", model: modelSN, themes: []string{"overgrep"}, gender: domain.GenderWomen,
		name: txt("Kvinnegruppe – erfaring med overgrep", "Kvinnegruppe – erfaring med overgrep", "Women's group – experience of abuse", ""),
		desc: txt(
			"For kvinner som har opplevd seksuelle overgrep eller vold. Gruppa er lukket, og ingen må fortelle mer enn de selv vil. Vi tar en samtale med deg før gruppa starter.", "",
			"For women who have experienced sexual abuse or violence. The group is closed, and nobody has to tell more than they want to. We have a talk with you before the group starts.", "")},
	{key: "sn-spise", model: modelSN, themes: []string{"spiseforstyrrelser"},
		name: txt("Gruppe for voksne med spiseforstyrrelser", "Gruppe for vaksne med eteforstyrringar", "Group for adults with eating disorders", ""),
		desc: txt(
			"For voksne som har eller har hatt en spiseforstyrrelse. Dere snakker om hvordan det er å leve med den, og deler det som har hjulpet dere. Gruppa kommer i tillegg til, ikke i stedet for, behandling.", "",
			"For adults who have or have had an eating disorder. You talk about living with it and share what has helped you. The group comes in addition to treatment, not instead of it.", "")},
	{key: "sn-tele", model: modelSN, themes: []string{domain.ThemeOpen}, format: domain.FormatTelephone,
		name: txt("Telefongruppe på tvers av tema", "Telefongruppe på tvers av tema", "Telephone group across themes", ""),
		desc: txt(
			"En selvhjelpsgruppe som møtes på telefon. Passer for deg som bor langt fra et selvhjelpshus, eller som heller vil snakke uten å bli sett. Dere er 4–8 deltakere fra ulike steder, og ingen kjenner hverandre fra før.",
			"Ei sjølvhjelpsgruppe som møtest på telefon. Passar for deg som bur langt frå eit sjølvhjelpshus, eller som heller vil snakke utan å bli sett.",
			"A self-help group that meets by telephone. It suits you if you live far from a self-help house, or would rather talk without being seen. You are 4–8 people from different places who do not know each other.", "")},
	{key: "sn-video-ung", model: modelSN, themes: []string{domain.ThemeOpen, "ensomhet"}, format: domain.FormatVideo, age: domain.AgeYoungAdults,
		name: txt("Videogruppe for unge voksne (18–30)", "Videogruppe for unge vaksne (18–30)", "Video group for young adults (18–30)", ""),
		desc: txt(
			"En selvhjelpsgruppe på video for deg mellom 18 og 30. Dere møtes på skjerm fra hver deres sted og deler det som opptar dere. Du trenger bare en mobil eller PC og et rom der du kan snakke fritt.", "",
			"A video self-help group for you between 18 and 30. You meet on screen, each from your own place, and share what is on your minds. All you need is a phone or computer and a room where you can talk freely.", "")},
	{key: "sn-en", model: modelSN, themes: []string{domain.ThemeOpen}, langs: []string{"en"},
		name: txt("Selvhjelpsgruppe på engelsk", "Sjølvhjelpsgruppe på engelsk", "Self-help group in English", ""),
		desc: txt(
			"En lukket selvhjelpsgruppe på engelsk, på tvers av tema, for voksne som bor i Norge og helst vil snakke engelsk.", "",
			"A closed self-help group held in English and open to any theme, for adults living in Norway who prefer to speak English. You will be 4–8 people who do not know each other beforehand. "+descSNEn, "")},
	{key: "sn-se", model: modelSN, themes: []string{domain.ThemeOpen}, langs: []string{"se", "nb"},
		name: txt("Selvhjelpsgruppe på samisk", "Sjølvhjelpsgruppe på samisk", "Self-help group in Northern Sami", "Iešveahkkejoavku sámegillii"),
		desc: txt(
			"En lukket selvhjelpsgruppe der dere snakker nordsamisk, og norsk der det passer. For deg som vil dele erfaringer på ditt eget språk. På små steder der alle kjenner alle, kan vi også finne en gruppe i nabokommunen, på telefon eller på video.", "",
			"A closed self-help group where you speak Northern Sami, and Norwegian where it suits. For you who want to share experiences in your own language. In small places where everyone knows everyone, we can also find a group in a neighbouring municipality, by telephone or by video.",
			"Gidda iešveahkkejoavku, gos mii hállat sámegiela.")},
	{key: "sn-ar", model: modelSN, themes: []string{domain.ThemeOpen}, langs: []string{"ar", "nb"}, gender: domain.GenderWomen,
		name: txt("Samtalegruppe for kvinner på arabisk", "Samtalegruppe for kvinner på arabisk", "Women's group in Arabic", ""),
		desc: txt(
			"En lukket selvhjelpsgruppe for kvinner, på arabisk. For deg som vil snakke om det som er vanskelig – savn, ensomhet, bekymring – på ditt eget språk. Igangsetteren snakker arabisk.", "",
			"A closed self-help group for women, held in Arabic. For you who want to talk about what is hard – longing, loneliness, worry – in your own language. The starter speaks Arabic.", "")},
	{key: "sn-uk", model: modelSN, themes: []string{domain.ThemeOpen}, langs: []string{"uk"},
		name: txt("Selvhjelpsgruppe på ukrainsk", "Sjølvhjelpsgruppe på ukrainsk", "Self-help group in Ukrainian", ""),
		desc: txt(
			"En lukket gruppe på ukrainsk for voksne som har kommet til Norge de siste årene. Dere deler erfaringer med savn, uro og en ny hverdag.", "",
			"A closed group in Ukrainian for adults who have come to Norway in recent years. You share experiences of longing, unrest and a new everyday life.", "")},
	{key: "sn-pl", model: modelSN, themes: []string{domain.ThemeOpen}, langs: []string{"pl"},
		name: txt("Selvhjelpsgruppe på polsk", "Sjølvhjelpsgruppe på polsk", "Self-help group in Polish", ""),
		desc: txt(
			"En lukket gruppe på polsk, på tvers av tema, for voksne som bor og arbeider i Norge.", "",
			"A closed group in Polish, open to any theme, for adults who live and work in Norway.", "")},
	{key: "sn-so", model: modelSN, themes: []string{domain.ThemeOpen}, langs: []string{"so"}, gender: domain.GenderWomen,
		name: txt("Samtalegruppe for kvinner på somali", "Samtalegruppe for kvinner på somali", "Women's group in Somali", ""),
		desc: txt(
			"En lukket selvhjelpsgruppe for kvinner, på somali. Dere møtes fast og deler erfaringer fra egne liv. Det som blir sagt, blir i rommet.", "",
			"A closed self-help group for women, held in Somali. You meet regularly and share experiences from your own lives. What is said stays in the room.", "")},

	// Twelve-step meetings.
	{key: "aa", org: fAA, model: modelStep, themes: []string{"rus"}, age: domain.AgeAll,
		name: txt("AA {place}", "AA {place}", "AA {place}", ""),
		desc: txt(
			"Åpent møte i Anonyme Alkoholikere. Alle som har et ønske om å slutte å drikke er velkomne, og andre som er nysgjerrige på AA kan også komme. Et medlem leder møtet, vi leser fra litteraturen, og de som vil, forteller om egen erfaring. "+descStep, "",
			"Open meeting of Alcoholics Anonymous. Anyone who wants to stop drinking is welcome, and so is anyone curious about AA. A member chairs the meeting, we read from the literature, and those who wish share their own experience. You do not have to say anything, and there is no need to sign up.", "")},
	{key: "aa-closed", org: fAA, model: modelStep, themes: []string{"rus"}, age: domain.AgeAll,
		name: txt("AA {place} (lukket møte)", "AA {place} (lukka møte)", "AA {place} (closed meeting)", ""),
		desc: txt(
			"Lukket AA-møte: for deg som selv har et ønske om å slutte å drikke. Vi deler erfaring, styrke og håp, og hver enkelt snakker om seg selv. "+descStep, "",
			"Closed AA meeting: for those who have a desire to stop drinking themselves. We share experience, strength and hope, and each speaks about themselves.", "")},
	{key: "aa-women", org: fAA, model: modelStep, themes: []string{"rus"}, age: domain.AgeAll, gender: domain.GenderWomen,
		name: txt("AA {place} – kvinnemøte", "AA {place} – kvinnemøte", "AA {place} – women's meeting", ""),
		desc: txt(
			"AA-møte for kvinner. Mange kvinner forteller at det var lettere å komme i gang på et kvinnemøte. Du er velkommen som du er. "+descStep, "",
			"AA meeting for women. Many women say it was easier to get started at a women's meeting. You are welcome as you are.", "")},
	{key: "aa-en", org: fAA, model: modelStep, themes: []string{"rus"}, age: domain.AgeAll, langs: []string{"en"},
		name: txt("AA {place} (engelskspråklig)", "AA {place} (engelskspråkleg)", "AA {place} English-speaking meeting", ""),
		desc: txt("Engelskspråklig AA-møte, åpent for alle som har et ønske om å slutte å drikke. "+descStep, "",
			"English-speaking AA meeting, open to anyone with a desire to stop drinking. Visitors to Norway are welcome. No need to sign up.", "")},
	{key: "al-anon", org: fAlAnon, model: modelStep, themes: []string{"parorende-rus"}, age: domain.AgeAll, rel: true,
		name: txt("Al-Anon {place}", "Al-Anon {place}", "Al-Anon {place}", ""),
		desc: txt(
			"For familie og venner av alkoholikere. Som pårørende blir du ofte preget av en annens drikking. På møtene deler vi erfaring, styrke og håp med hverandre. Alle pårørende er velkomne, også om den du er bekymret for ikke lenger drikker. "+descStep,
			"For familie og vener av alkoholikarar. Som pårørande vert du ofte prega av ein annan sitt drikkande. På møta deler vi erfaring, styrke og håp.",
			"For family and friends of alcoholics. As a relative you are often affected by someone else's drinking. At the meetings we share experience, strength and hope. All relatives are welcome, also if the person you worry about no longer drinks.", "")},
	{key: "na", org: fNA, model: modelStep, themes: []string{"rus"}, age: domain.AgeAll,
		name: txt("NA {place}", "NA {place}", "NA {place}", ""),
		desc: txt(
			"Møte i Anonyme Narkomane, for alle som har et ønske om å slutte å bruke rusmidler. Det spiller ingen rolle hvilke rusmidler du har brukt. "+descStep, "",
			"A Narcotics Anonymous meeting, for anyone who wants to stop using drugs. It does not matter which drugs you have used. No need to sign up, and it is free.", "")},
	{key: "ga", org: fGA, model: modelStep, themes: []string{"spillavhengighet"}, age: domain.AgeAll,
		name: txt("Anonyme Spillere {place}", "Anonyme Spelarar {place}", "Gamblers Anonymous {place}", ""),
		desc: txt(
			"For deg som har et ønske om å slutte å spille om penger. På møtene deler medlemmene egen erfaring med spillavhengighet og med å holde seg spillfri. "+descStep, "",
			"For anyone who wants to stop gambling. At the meetings members share their own experience of gambling addiction and of staying free from it.", "")},

	// Peer groups of user and patient organisations.
	{key: "peer-psyk", org: oPsyk, model: modelPeer, themes: []string{"angst", "depresjon"},
		name: txt("Likepersongruppe for deg med angst og depresjon", "Likepersongruppe for deg med angst og depresjon", "Peer group for anxiety and depression", ""),
		desc: txt(
			"En samtalegruppe ledet av en likeperson – en som selv har erfaring med psykiske plager og har fått opplæring i å lede grupper. Dere deler erfaringer og det som har hjulpet. Ta kontakt med foreningen for å være med.", "",
			"A conversation group led by a peer supporter – someone with their own experience of mental health problems, trained to lead groups. You share experiences and what has helped. Contact the association to join.", "")},
	{key: "peer-parorende-psyk", org: oPsyk, model: modelPeer, themes: []string{"parorende-psykisk"}, rel: true,
		name: txt("Pårørendetreff – psykisk helse", "Pårørandetreff – psykisk helse", "Relatives' meeting – mental health", ""),
		desc: txt(
			"For pårørende til personer med psykiske lidelser. Gruppa ledes av en likeperson som selv er pårørende. Her kan du snakke om din egen situasjon med andre som forstår den.",
			"For pårørande til personar med psykiske lidingar. Gruppa vert leidd av ein likeperson som sjølv er pårørande.",
			"For relatives of people with mental illness. The group is led by a peer supporter who is a relative too. Here you can talk about your own situation with others who understand it.", "")},
	{key: "peer-ung", org: oPsyk, model: modelPeer, themes: []string{"angst", "depresjon", "ensomhet"}, age: domain.AgeYoungAdults,
		name: txt("Samtalegruppe for unge voksne (18–30)", "Samtalegruppe for unge vaksne (18–30)", "Peer group for young adults (18–30)", ""),
		desc: txt(
			"For deg mellom 18 og 30 som strever med uro, nedstemthet eller ensomhet. Gruppa ledes av en ung likeperson med egen erfaring.", "",
			"For you between 18 and 30 who struggle with worry, low mood or loneliness. The group is led by a young peer supporter with their own experience.", "")},
	{key: "peer-etterlatte", org: oEtterl, model: modelPeer, themes: []string{"sorg"},
		name: txt("Samtalegruppe for etterlatte ved selvmord", "Samtalegruppe for etterlatne ved sjølvmord", "Group for those bereaved by suicide", ""),
		desc: txt(
			"For deg som har mistet noen i selvmord. Gruppa ledes av likepersoner som selv er etterlatte. Det er ingen krav om å snakke; mange forteller at bare det å være sammen med andre etterlatte hjelper.", "",
			"For you who have lost someone to suicide. The group is led by peer supporters who are bereaved themselves. There is no need to speak; many say that just being with others who are bereaved helps.", "")},
	{key: "peer-foreldre-barn", org: oEtterl, model: modelPeer, themes: []string{"sorg"},
		name: txt("Sorggruppe for foreldre som har mistet et barn", "Sorggruppe for foreldre som har mista eit barn", "Grief group for parents who have lost a child", ""),
		desc: txt(
			"For mødre og fedre som har mistet et barn, uansett alder og årsak. Ledet av en likeperson som selv har mistet et barn.", "",
			"For mothers and fathers who have lost a child, whatever the age or cause. Led by a peer supporter who has lost a child too.", "")},
	{key: "peer-parorende-rus-foreldre", org: oPaar, model: modelPeer, themes: []string{"parorende-rus"}, rel: true,
		name: txt("Foreldregruppe – når barnet ditt ruser seg", "Foreldregruppe – når barnet ditt ruser seg", "Parents' group – when your child uses drugs", ""),
		desc: txt(
			"For foreldre og andre pårørende til barn og unge voksne som ruser seg. Ledet av en likeperson med egen erfaring som pårørende. Her kan du snakke om din egen bekymring og dine egne grenser.", "",
			"For parents and other relatives of children and young adults who use drugs. Led by a peer supporter who is a relative too. Here you can talk about your own worry and your own limits.", "")},
	{key: "peer-kreft", org: oKreft, model: modelPeer, themes: []string{"kreft"},
		name: txt("Likepersongruppe for kreftberørte", "Likepersongruppe for kreftråka", "Peer group for people affected by cancer", ""),
		desc: txt(
			"For deg som har eller har hatt kreft. Dere møtes for å dele erfaringer med sykdom, behandling og livet etterpå. Ledet av en likeperson som selv har hatt kreft.", "",
			"For you who have or have had cancer. You meet to share experiences of illness, treatment and life afterwards. Led by a peer supporter who has had cancer.", "")},
	{key: "peer-parorende-kreft", org: oKreft, model: modelPeer, themes: []string{"kreft", "parorende-sykdom"}, rel: true,
		name: txt("Pårørendegruppe – kreft", "Pårørandegruppe – kreft", "Relatives' group – cancer", ""),
		desc: txt(
			"For deg som er pårørende til noen med kreft. Det er lov å være sliten, redd og sint. I gruppa møter du andre pårørende, med en likeperson som leder samtalen.", "",
			"For you who are close to someone with cancer. It is all right to be tired, afraid and angry. In the group you meet other relatives, with a peer supporter leading the conversation.", "")},
	{key: "peer-smerter", org: oSmerte, model: modelPeer, themes: []string{"kronisk-sykdom"},
		name: txt("Samtalegruppe for deg med kroniske smerter", "Samtalegruppe for deg med kroniske smerter", "Peer group for chronic pain", ""),
		desc: txt(
			"For deg som lever med langvarige smerter. Dere deler erfaringer med å få hverdagen til å gå opp, og med å bli trodd. Ledet av en likeperson.", "",
			"For you who live with long-term pain. You share experiences of making everyday life work, and of being believed. Led by a peer supporter.", "")},
	{key: "peer-spise", org: oSpise, model: modelPeer, themes: []string{"spiseforstyrrelser"},
		name: txt("Likepersongruppe – spiseforstyrrelser", "Likepersongruppe – eteforstyrringar", "Peer group – eating disorders", ""),
		desc: txt(
			"For deg over 18 som har eller har hatt en spiseforstyrrelse. En likeperson med egen erfaring leder gruppa. Vi snakker ikke om vekt og tall.", "",
			"For you over 18 who have or have had an eating disorder. A peer supporter with their own experience leads the group. We do not talk about weight or numbers.", "")},
	{key: "peer-parorende-spise", org: oSpise, model: modelPeer, themes: []string{"spiseforstyrrelser", "parorende-psykisk"}, rel: true,
		name: txt("Pårørende til noen med spiseforstyrrelse", "Pårørande til nokon med eteforstyrring", "Relatives of someone with an eating disorder", ""),
		desc: txt(
			"For foreldre, partnere og søsken til noen med spiseforstyrrelse. Pårørende trenger også et sted å snakke. Ledet av en likeperson som selv har vært pårørende.", "",
			"For parents, partners and siblings of someone with an eating disorder. Relatives need a place to talk too. Led by a peer supporter who has been a relative.", "")},
	{key: "peer-spill", org: oSpill, model: modelPeer, themes: []string{"spillavhengighet"},
		name: txt("Gruppe for spillavhengige", "Gruppe for speleavhengige", "Group for people with gambling problems", ""),
		desc: txt(
			"For deg som har mistet kontrollen over spill om penger. Ledet av en likeperson som selv har vært spillavhengig. Her møter du forståelse, ikke fordømmelse.", "",
			"For you who have lost control over gambling. Led by a peer supporter who has been addicted to gambling. Here you meet understanding, not judgement.", "")},
	{key: "peer-parorende-spill", org: oSpill, model: modelPeer, themes: []string{"spillavhengighet", "parorende-rus"}, rel: true,
		name: txt("Pårørendegruppe – spillavhengighet", "Pårørandegruppe – speleavhengnad", "Relatives' group – gambling", ""),
		desc: txt(
			"For deg som er pårørende til en som spiller. Mange pårørende står med gjeld, mistillit og skam. I gruppa deler dere erfaringer og støtter hverandre.", "",
			"For you who are close to someone who gambles. Many relatives are left with debt, mistrust and shame. In the group you share experiences and support each other.", "")},

	// Other groups: volunteer centres, parishes, municipalities, learning and mastery centres.
	{key: "other-eldre-ensom", model: modelOther, themes: []string{"ensomhet"},
		name: txt("Samtalegruppe for eldre som bor alene", "Samtalegruppe for eldre som bur åleine", "Conversation group for older people living alone", ""),
		desc: txt(
			"En liten gruppe som møtes over en kopp kaffe for å snakke om hvordan det er å bo alene. Frivilligsentralen hjelper med tid og rom; resten bestemmer dere selv.", "",
			"A small group that meets over a cup of coffee to talk about living alone. The volunteer centre helps with a time and a room; the rest is up to you.", "")},
	{key: "other-sorg-kirke", church: true, model: modelOther, themes: []string{"sorg"}, join: domain.JoinJustCome,
		name: txt("Sorggruppe i menigheten", "Sorggruppe i kyrkjelyden", "Grief group at the parish", ""),
		desc: txt(
			"En åpen samtalegruppe for deg som har mistet noen. Du trenger ikke være medlem av kirken eller tro på noe bestemt, og du kan komme uten å melde deg på.",
			"Ei open samtalegruppe for deg som har mista nokon. Du treng ikkje vere medlem av kyrkja eller tru på noko bestemt.",
			"An open conversation group for anyone who has lost someone. You need not be a church member or believe anything in particular, and you can come without signing up.", "")},
	{key: "other-samliv", model: modelOther, themes: []string{"samlivsbrudd"},
		name: txt("Samtalegruppe etter samlivsbrudd", "Samtalegruppe etter samlivsbrot", "Conversation group after a break-up", ""),
		desc: txt(
			"For deg som har gått fra hverandre, og som vil snakke med andre i samme situasjon om hverdagen, barna og veien videre.", "",
			"For you who have separated and want to talk with others in the same situation about everyday life, children and the road ahead.", "")},
	{key: "other-kronisk-lms", model: modelOther, themes: []string{"kronisk-sykdom"},
		name: txt("Selvhjelpsgruppe etter mestringskurs", "Sjølvhjelpsgruppe etter meistringskurs", "Self-help group after a coping course", ""),
		desc: txt(
			"For deg som har vært på kurs ved lærings- og mestringssenteret og vil fortsette å møte andre som lever med langvarig sykdom. Gruppa driver seg selv; senteret låner ut rom.", "",
			"For you who have taken a course at the learning and mastery centre and want to keep meeting others who live with long-term illness. The group runs itself; the centre lends a room.", "")},
	{key: "other-demens", model: modelOther, themes: []string{"parorende-sykdom"}, rel: true,
		name: txt("Pårørendegruppe – demens", "Pårørandegruppe – demens", "Relatives' group – dementia", ""),
		desc: txt(
			"For deg som er pårørende til noen med demens. Dere deler erfaringer med hverdagen og med å stå i en pårørenderolle over lang tid.", "",
			"For you who are close to someone with dementia. You share experiences of everyday life and of being a carer over a long time.", "")},
	{key: "other-se-sorg", model: modelOther, themes: []string{"sorg"}, langs: []string{"se", "nb"},
		name: txt("Sorggruppe på samisk og norsk", "Sorggruppe på samisk og norsk", "Grief group in Sami and Norwegian", ""),
		desc: txt(
			"For deg som har mistet noen. Vi snakker samisk og norsk, og hver enkelt velger språket sitt. Frivilligsentralen låner ut rom og kaffe.", "",
			"For you who have lost someone. We speak Sami and Norwegian, and each chooses their own language. The volunteer centre lends a room and the coffee.", "")},
	{key: "other-se-parorende", model: modelOther, themes: []string{"parorende-rus"}, langs: []string{"se", "nb"}, rel: true,
		name: txt("Pårørendegruppe – rus (samisk og norsk)", "Pårørandegruppe – rus (samisk og norsk)", "Relatives' group – addiction (Sami and Norwegian)", ""),
		desc: txt(
			"For deg som er pårørende til noen som ruser seg. Gruppa møtes på samisk og norsk. Kommunen låner ut rom; gruppa er ikke en del av helsetjenesten, og ingen skriver ned noe om deg.", "",
			"For you who are close to someone who misuses alcohol or drugs. The group meets in Sami and Norwegian. The municipality lends the room; the group is not part of the health service, and nobody writes anything down about you.", "")},
})

func indexKinds(ks []kind) map[string]*kind {
	m := make(map[string]*kind, len(ks))
	for i := range ks {
		k := &ks[i]
		if _, dup := m[k.key]; dup {
			panic("demo: kind " + k.key + " twice")
		}
		if k.age == "" {
			k.age = domain.AgeAdults
		}
		if k.gender == "" {
			k.gender = domain.GenderEveryone
		}
		if k.langs == nil {
			k.langs = []string{"nb"}
		}
		m[k.key] = k
	}
	return m
}

// kindKeys lists the keys of the kinds of a model in a fixed order, for
// Generate.
func kindKeys(model string) []string {
	var out []string
	for _, k := range kindOrder {
		if kinds[k].model == model {
			out = append(out, k)
		}
	}
	return out
}

// kindOrder is every kind key in a fixed order (map order is random).
var kindOrder = func() []string {
	keys := make([]string, 0, len(kinds))
	for k := range kinds {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}()
