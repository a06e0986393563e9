package seal

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var nameTests = []struct {
	lang, in, want string
}{
	// Latin scripts: diacritics, case, punctuation and width are ignored.
	{"Spanish", "José MARTÍNEZ", "jose martinez"},
	{"Spanish", "  María   de la  Cruz ", "maria de la cruz"},
	{"Spanish", "Cruz, María", "cruz maria"},
	{"Polish", "Łukasz Żółć", "lukasz zolc"},
	{"German", "STRAẞE Straße", "strasse strasse"},
	{"Vietnamese", "Nguyễn Thị Minh Khai", "nguyen thi minh khai"},
	{"Vietnamese", "Trần Đức", "tran duc"},
	{"Turkish", "İlkay Gündoğan", "ilkay gundogan"},
	{"Danish", "Søren Ærø", "soren aero"},
	{"Irish", "O'Brien", "obrien"},
	{"Irish", "O’BRIEN", "obrien"},
	{"French", "Jean-Pierre\tDUPONT", "jean pierre dupont"},
	{"Romanian", "Ștefan Țurcanu", "stefan turcanu"},
	{"decomposed", "Zoe\u0308 Jose\u0301", "zoe jose"},
	{"full-width", "ＭＡＲＩＡ　ＬＯＰＥＺ", "maria lopez"},
	{"ligature", "ﬁona", "fiona"},
	{"invisible", "Ma\u200Bria\u00AD", "maria"},
	// Korean: syllables kept, decomposed jamo recomposed.
	{"Korean", "김민준", "김민준"},
	{"Korean", "김 민준", "김 민준"},
	{"Korean", "KIM 김민준", "kim 김민준"},
	{"Korean", "\u1100\u1175\u11B7\u1106\u1175\u11AB\u110C\u116E\u11AB", "김민준"},
	// Thai: vowel and tone marks kept; SARA AM in its NFKC form.
	{"Thai", "สมชาย ใจดี", "สมชาย ใจดี"},
	{"Thai", "สมศักดิ์", "สมศักดิ์"},
	{"Thai", "ทองคำ", "ทองค\u0E4D\u0E32"},
	{"Thai", "ทองค\u0E4D\u0E32", "ทองค\u0E4D\u0E32"},
	// Mongolian Cyrillic: case folded, й and ё kept, Ө and Ү kept.
	{"Mongolian", "Батболд Өлзийбаяр", "батболд өлзийбаяр"},
	{"Mongolian", "ЁНДОН Жаргалсайхан", "ёндон жаргалсайхан"},
	{"Mongolian", "Е\u0308ндон", "ёндон"},
	{"Mongolian", "Түмэн-Өлзий", "түмэн өлзий"},
	{"Mongolian script", "ᠮᠣᠩᠭᠣᠯ", "ᠮᠣᠩᠭᠣᠯ"},
	// Nepali (Devanagari): vowel signs, virama and nukta kept.
	{"Nepali", "राम बहादुर थापा", "राम बहादुर थापा"},
	{"Nepali", "कृष्ण।प्रसाद", "कृष्ण प्रसाद"},
	{"Nepali", "श्री\u200Dमान", "श्रीमान"},
	{"Nepali", "Sita Kumari / सीता कुमारी", "sita kumari सीता कुमारी"},
	// Others.
	{"Greek", "Ελένη", "ελένη"},
	{"empty", "", ""},
	{"only punctuation", "  -- ,. '' ", ""},
}

func TestNormalizeName(t *testing.T) {
	for _, tc := range nameTests {
		if got := NormalizeName(tc.in); got != tc.want {
			t.Errorf("%s: NormalizeName(%q) = %q (%+q), want %q", tc.lang, tc.in, got, got, tc.want)
		}
	}
}

func TestNormalizeNameKeepsOtherScripts(t *testing.T) {
	// Removing marks would turn these into different names.
	distinct := [][2]string{
		{"ёндон", "ендон"},       // Cyrillic ё is a letter, not е with a diacritic
		{"гүнжий", "гүнжии"},     // й is not и
		{"สมศักดิ์", "สมศกด"},    // Thai vowels and tone marks
		{"कृष्ण", "कषण"},         // Devanagari vowel sign and virama
		{"राम", "रम"},            // Devanagari AA sign
		{"김민준", "ᄀᄆᄌ"},           // Hangul syllables vs initial consonants
		{"өлзий", "олзий"},       // Mongolian Ө is its own letter
		{"ελένη", "ελενη"},       // Greek accents are kept
		{"गज़ल", "गजल"},          // nukta
		{"ᠮᠣᠩᠭᠣᠯ", "ᠮᠣᠩ ᠭᠣᠯ"},    // Mongolian script words
		{"maria", "maría lopez"}, // control: different names
	}
	for _, p := range distinct {
		if NormalizeName(p[0]) == NormalizeName(p[1]) {
			t.Errorf("NormalizeName(%q) == NormalizeName(%q) = %q", p[0], p[1], NormalizeName(p[0]))
		}
	}
	// And no letter of these scripts is lost.
	for _, s := range []string{"สมศักดิ์ ใจดี", "राम बहादुर थापा", "김민준", "ёндон өлзийбаяр", "ᠮᠣᠩᠭᠣᠯ"} {
		if got := NormalizeName(s); utf8.RuneCountInString(got) != utf8.RuneCountInString(norm.NFC.String(s)) {
			t.Errorf("NormalizeName(%q) = %q lost characters", s, got)
		}
	}
}

func TestNormalizeNameEquivalent(t *testing.T) {
	same := [][2]string{
		{"José", "Jose\u0301"},
		{"José", "JOSE"},
		{"Ｊｏｓé", "jose"},
		{"김민준", "\u1100\u1175\u11B7\u1106\u1175\u11AB\u110C\u116E\u11AB"},
		{"ทองคำ", "ทองค\u0E4D\u0E32"},
		{"Ёндон", "Е\u0308ндон"},
		{"ЁНДОН", "ёндон"},
		{"श्रीमान", "श्री\u200Dमान"},
		{"Maria  de la Cruz", "maria-de-la-cruz"},
		{"D'Angelo", "DAngelo"},
		{"Müller", "Muller"},
	}
	for _, p := range same {
		if a, b := NormalizeName(p[0]), NormalizeName(p[1]); a != b {
			t.Errorf("NormalizeName(%q) = %q, NormalizeName(%q) = %q; want equal", p[0], a, p[1], b)
		}
	}
}

func TestNormalizeDocument(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ab-12.345 67", "AB1234567"},
		{" AB 123 456 ", "AB123456"},
		{"x–123—45", "X12345"},  // en and em dash
		{"12−34", "1234"},       // minus sign
		{"１２３－４５ａｂ", "12345AB"}, // full width
		{"a·b", "AB"},
		{"p\u200B123", "P123"},
		{"C/1234", "C/1234"},
		{"१२३४५", "12345"},   // Devanagari digits
		{"๑๒๓", "123"},       // Thai digits
		{"᠑᠒᠓", "123"},       // Mongolian digits
		{"٣٤", "34"},         // Arabic-Indic digits
		{"ab\t\n12", "AB12"}, // all white space
		{"өө12", "ӨӨ12"},     // letters of other scripts upper-cased
		{"", ""},
		{" -.", ""},
	}
	for _, tc := range tests {
		if got := NormalizeDocument(tc.in); got != tc.want {
			t.Errorf("NormalizeDocument(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeKinds(t *testing.T) {
	tests := []struct{ kind, in, want string }{
		{KindName, "Maria de la Cruz", "cruz de la maria"},
		{KindName, "CRUZ, María de la", "cruz de la maria"},
		{KindNamePart, "María", "maria"},
		{KindDocument, "ab-123", "AB123"},
		{KindDOB, " 1990-01-02 ", "1990-01-02"},
		{KindDOB, "१९९०-०१-०२", "1990-01-02"},
		{KindDOB, "１９９０－０１－０２", "1990-01-02"},
		{"city", "  Ulaanbaatar   CITY ", "ulaanbaatar city"},
	}
	for _, tc := range tests {
		if got := Normalize(tc.kind, tc.in); got != tc.want {
			t.Errorf("Normalize(%q, %q) = %q, want %q", tc.kind, tc.in, got, tc.want)
		}
	}
}

func TestNormalizeIdempotent(t *testing.T) {
	var inputs []string
	for _, tc := range nameTests {
		inputs = append(inputs, tc.in, tc.want)
	}
	inputs = append(inputs, "ab-12.345 67", "१२३४५", "Ǆemal ǅ", "ﾊﾝｶｸ", "ǰ̌", "İ̇")
	for _, in := range inputs {
		for _, kind := range []string{KindName, KindNamePart, KindDocument, KindDOB} {
			once := Normalize(kind, in)
			if twice := Normalize(kind, once); twice != once {
				t.Errorf("Normalize(%q, %q) = %q, again = %q", kind, in, once, twice)
			}
		}
	}
}

// TestDigitValue checks the assumption behind digitValue: Unicode decimal
// digits come in aligned runs of ten.
func TestDigitValue(t *testing.T) {
	for _, zero := range []rune{'0', '\u0660', '\u0966', '\u09E6', '\u0E50', '\u1040', '\u1090', '\u1810', '\uFF10', '\U0001D7CE', '\U0001D7D8'} {
		for i := range 10 {
			if got := digitValue(zero + rune(i)); got != i {
				t.Errorf("digitValue(%U) = %d, want %d", zero+rune(i), got, i)
			}
		}
	}
	runLen := 0
	for r := rune(0); r <= unicode.MaxRune+1; r++ {
		if r <= unicode.MaxRune && unicode.Is(unicode.Nd, r) {
			runLen++
			continue
		}
		if runLen%10 != 0 {
			t.Errorf("run of %d decimal digits ending at %U", runLen, r-1)
		}
		runLen = 0
	}
	// Where NFKC knows an ASCII equivalent, digitValue agrees with it.
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !unicode.Is(unicode.Nd, r) {
			continue
		}
		if k := norm.NFKC.String(string(r)); len(k) == 1 && k[0] >= '0' && k[0] <= '9' {
			if got := digitValue(r); got != int(k[0]-'0') {
				t.Errorf("digitValue(%U) = %d, NFKC says %s", r, got, k)
			}
		}
	}
}

func TestNormalizeNameShape(t *testing.T) {
	for _, tc := range nameTests {
		got := NormalizeName(tc.in)
		if strings.TrimSpace(got) != got || strings.Contains(got, "  ") {
			t.Errorf("NormalizeName(%q) = %q has stray spaces", tc.in, got)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Errorf("NormalizeName(%q) = %q is not NFC", tc.in, got)
		}
	}
}
