package gotosim

// The value lists the generator draws from. Names carry an ASCII form for
// the e-mail address, as a registration form's owner would type it.

type name struct{ text, ascii string }

type city struct{ name, state, zip, street string }

// locale groups first names, last names and places that belong together,
// so nobody is called 太郎 Müller.
type locale struct {
	country string
	phone   string // country calling code and a plausible area prefix
	firsts  []name
	lasts   []name
	cities  []city
}

var locales = []locale{
	{"Germany", "+49 30", []name{{"Jürgen", "juergen"}, {"Lena", "lena"}, {"Maximilian", "maximilian"}, {"Anneliese", "anneliese"}},
		[]name{{"Müller", "mueller"}, {"Schäfer", "schaefer"}, {"Groß", "gross"}, {"Köhler", "koehler"}},
		[]city{{"Berlin", "Berlin", "10115", "Hauptstraße 12"}, {"München", "Bayern", "80331", "Leopoldstraße 7a"}, {"Köln", "Nordrhein-Westfalen", "50667", "Hohe Straße 88"}}},
	{"Spain", "+34 91", []name{{"José", "jose"}, {"Ana-María", "ana-maria"}, {"Lucía", "lucia"}, {"Íñigo", "inigo"}},
		[]name{{"López", "lopez"}, {"Fernández", "fernandez"}, {"Muñoz", "munoz"}, {"Ibáñez", "ibanez"}},
		[]city{{"Madrid", "Madrid", "28013", "Calle Mayor 5, 3º izq."}, {"Sevilla", "Andalucía", "41001", "Calle Sierpes 21"}}},
	{"Norway", "+47 22", []name{{"Zoë", "zoe"}, {"Søren", "soren"}, {"Åse", "ase"}, {"Ørjan", "orjan"}},
		[]name{{"Ødegaard", "odegaard"}, {"Bråten", "braten"}, {"Løvås", "lovas"}, {"Sæther", "saether"}},
		[]city{{"Oslo", "Oslo", "0150", "Storgata 21"}, {"Bergen", "Vestland", "5003", "Bryggen 3"}}},
	{"Japan", "+81 3", []name{{"太郎", "taro"}, {"花子", "hanako"}, {"陽翔", "haruto"}, {"さくら", "sakura"}},
		[]name{{"山田", "yamada"}, {"佐藤", "sato"}, {"鈴木", "suzuki"}, {"高橋", "takahashi"}},
		[]city{{"東京", "東京都", "100-0001", "丸の内1-2-3"}, {"大阪", "大阪府", "530-0001", "梅田2-4-9"}}},
	{"France", "+33 1", []name{{"François", "francois"}, {"Chloé", "chloe"}, {"Amélie", "amelie"}, {"Loïc", "loic"}},
		[]name{{"Dupont", "dupont"}, {"Lefèvre", "lefevre"}, {"Bérenger", "berenger"}, {"Moreau", "moreau"}},
		[]city{{"Paris", "Île-de-France", "75001", "12 rue de la Paix"}, {"Lyon", "Auvergne-Rhône-Alpes", "69001", "3 place Bellecour"}}},
	{"United States", "+1 512", []name{{"Emily", "emily"}, {"Michael", "michael"}, {"DeShawn", "deshawn"}, {"Megan", "megan"}},
		[]name{{"O'Connor", "oconnor"}, {"Smith", "smith"}, {"Nguyen", "nguyen"}, {"Johnson", "johnson"}},
		[]city{{"Austin", "TX", "78701", "500 Congress Ave, Suite 210"}, {"Boston", "MA", "02108", "1 Beacon St"}}},
	{"India", "+91 80", []name{{"Priya", "priya"}, {"Arjun", "arjun"}, {"Ananya", "ananya"}, {"Rohan", "rohan"}},
		[]name{{"Raghunathan", "raghunathan"}, {"Sharma", "sharma"}, {"Iyer", "iyer"}, {"Banerjee", "banerjee"}},
		[]city{{"Bengaluru", "Karnataka", "560001", "44 MG Road"}, {"Pune", "Maharashtra", "411001", "7 FC Road"}}},
	{"Poland", "+48 12", []name{{"Łukasz", "lukasz"}, {"Małgorzata", "malgorzata"}, {"Wojciech", "wojciech"}, {"Zofia", "zofia"}},
		[]name{{"Wójcik", "wojcik"}, {"Nowak", "nowak"}, {"Dąbrowski", "dabrowski"}, {"Zieliński", "zielinski"}},
		[]city{{"Kraków", "Małopolskie", "30-001", "ul. Floriańska 7"}, {"Gdańsk", "Pomorskie", "80-001", "ul. Długa 45"}}},
	{"Nigeria", "+234 1", []name{{"Ngozi", "ngozi"}, {"Chinedu", "chinedu"}, {"Olúwaseun", "oluwaseun"}, {"Adaeze", "adaeze"}},
		[]name{{"Okonkwo", "okonkwo"}, {"Adébáyọ̀", "adebayo"}, {"Eze", "eze"}, {"Nwosu", "nwosu"}},
		[]city{{"Lagos", "Lagos", "100001", "14 Awolowo Road"}, {"Abuja", "FCT", "900001", "Plot 9, Aminu Kano Crescent"}}},
	{"Vietnam", "+84 24", []name{{"Lan", "lan"}, {"Minh", "minh"}, {"Thảo", "thao"}},
		[]name{{"Nguyễn", "nguyen"}, {"Trần", "tran"}, {"Phạm", "pham"}},
		[]city{{"Hà Nội", "Hà Nội", "100000", "25 Tràng Tiền"}, {"Đà Nẵng", "Đà Nẵng", "550000", "102 Bạch Đằng"}}},
}

// featured people register first, so a newcomer running -demo sees at once
// that names are not ASCII.
var featured = []struct {
	first, last name
	locale      int // index into locales for the address
}{
	{name{"José", "jose"}, name{"Müller", "mueller"}, 0},
	{name{"Zoë", "zoe"}, name{"Ødegaard", "odegaard"}, 2},
	{name{"太郎", "taro"}, name{"山田", "yamada"}, 3},
	{name{"Ana-María", "ana-maria"}, name{"López", "lopez"}, 1},
}

type organization struct{ name, domain string }

// organizations include names starting with '@' and '+', which spreadsheets
// read as formulas: the CSV export has to neutralize them.
var organizations = []organization{
	{"Acme Analytics", "acme-analytics.com"},
	{"Müller & Söhne GmbH", "mueller-soehne.de"},
	{"Nordlys AS", "nordlys.no"},
	{"株式会社サクラ技研", "sakura-giken.co.jp"},
	{"Café Olé S.L.", "cafeole.es"},
	{"Globex Corporation", "globex.com"},
	{"Initech", "initech.com"},
	{"Société Générale de Logiciels", "sgl.fr"},
	{"@Home Networks", "athome.net"},
	{"+Plus Consulting", "plusconsulting.com"},
	{"Umbrella Health", "umbrella.health"},
	{"Tata & Sons Digital", "tsdigital.in"},
	{"", "gmail.com"}, // people registering privately
	{"", "outlook.com"},
}

var jobTitles = []string{
	"Marketing Manager", "Head of Demand Generation", "CTO", "Data Scientist",
	"Customer Success Lead", "VP, Sales", "Student", "Software Engineer",
	"Operations Coordinator", "",
}

var industries = []string{
	"Software", "Healthcare", "Education", "Financial Services", "Manufacturing",
	"Retail", "Non-profit", "Government", "Media & Entertainment", "Consulting",
}

// The guide's value lists.
var (
	employeeCounts  = []string{"1-20", "21-50", "51-100", "101-250", "251-500", "501-1,000", "1,001-5,000", "5,001-10,000", "More than 10,000"}
	purchasingRoles = []string{"Decision Maker", "Evaluator/Recommender", "Influencer", "Not involved"}
	timeFrames      = []string{"Within a month", "1-3 months", "4-6 months", "More than 6 months", "No timeframe"}
)

var registrationSources = []string{"Website", "Email invitation", "LinkedIn", "Newsletter", "Partner: Globex", ""}

// comments include quotes, a line break and a formula, all of which the CSV
// export must carry safely.
var comments = []string{
	"", "", "", "Looking forward to it!",
	"Will there be a recording? I'm in a different time zone.",
	`Please send the slides, the "Q3" edition if possible.`,
	"Bonjour, je serai en retard de 5 minutes.",
	"Two questions:\n1) pricing\n2) SSO",
	"=1+1 (just testing your form)",
}

// question is a custom registration question a webinar asks.
type question struct {
	text, kind string // kind is MULTIPLE_CHOICE or SHORT_ANSWER
	choices    []string
	multi      bool // several choices may be ticked
}

var (
	liveQuestions = []question{
		{"How did you hear about us?", "MULTIPLE_CHOICE", []string{"Newsletter", "LinkedIn", "A colleague", "Search engine"}, false},
		{"What would you like us to cover?", "SHORT_ANSWER", []string{"Integrations with our CRM", "Pricing, and how seats work", "日本語のサポートはありますか？", "Nothing specific — just curious", "API limits; webhooks"}, false},
	}
	seriesQuestions = []question{
		{"Which topics interest you?", "MULTIPLE_CHOICE", []string{"Reporting", "Integrations", "Automations", "Security"}, true},
		{"Your experience level", "MULTIPLE_CHOICE", []string{"Beginner", "Intermediate", "Expert"}, false},
	}
)

// localTitles are job titles some registrants give in their own language.
var localTitles = map[string]string{
	"Japan":   "営業部長",
	"France":  "Directrice marketing",
	"Germany": "Leiterin Vertrieb",
	"Spain":   "Responsable de marketing",
}

// liveTitles name the webinars that run now, in turn.
var liveTitles = []struct{ title, description string }{
	{"Live: What's new in Q3 — product update & Q&A", "A tour of this quarter's features, followed by your questions. Bring them!"},
	{"Live: Ask the engineers (Folge 2)", "Unser Team beantwortet eure Fragen zu Integrationen und Webhooks."},
	{"Live: Customer stories from São Paulo & Kraków", "Two customers, two continents, one hour."},
}
