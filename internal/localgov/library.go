package localgov

// LibraryEntry is a good practice of the CityShare library: a case study
// of the seed told in Haven's own words. Title is the English text; the
// pages show "cityshare.library.<id>.title" and ".summary" in the reader's
// language.
type LibraryEntry struct {
	ID, City, Country, Pillar, Title string
	// Source cites the part of the seed the entry retells.
	Source string
}

// TitleKey and SummaryKey are the entry's catalogue keys.
func (e LibraryEntry) TitleKey() string   { return "cityshare.library." + e.ID + ".title" }
func (e LibraryEntry) SummaryKey() string { return "cityshare.library." + e.ID + ".summary" }

// Library is the good-practice library the demo and every instance start
// with.
var Library = []LibraryEntry{
	{"pokhara-child-labour-free", "Pokhara", "NP", "prevention", "Child-labour-free city: schooling and ward-by-ward outreach",
		"UNITAR, Human Trafficking and Local Governments, ch. 4, the case of Pokhara"},
	{"ulaanbaatar-victim-protection", "Ulaanbaatar", "MN", "protection", "Victim protection policy delivered with NGOs",
		"UNITAR, Human Trafficking and Local Governments, ch. 4, the case of Ulaanbaatar"},
	{"kanchanaburi-mdt", "Kanchanaburi", "TH", "partnership", "Multidisciplinary team for identification among migrants",
		"UNITAR, Human Trafficking and Local Governments, ch. 4, the case of Kanchanaburi"},
	{"jeju-city-to-city", "Jeju", "KR", "partnership", "City-to-city peer assessment leading to local action plans",
		"UNITAR, Human Trafficking and Local Governments, ch. 5, UNITAR and CIFAL Jeju"},
}

// LibraryEntryByID returns a library entry, and false for an unknown id.
func LibraryEntryByID(id string) (LibraryEntry, bool) {
	for _, e := range Library {
		if e.ID == id {
			return e, true
		}
	}
	return LibraryEntry{}, false
}
