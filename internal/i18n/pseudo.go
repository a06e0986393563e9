package i18n

import "golang.org/x/text/feature/plural"

// Bidirectional formatting characters used by the pseudo right-to-left
// locale.
const (
	rlo = "\u202E" // RIGHT-TO-LEFT OVERRIDE
	pdf = "\u202C" // POP DIRECTIONAL FORMATTING
	rlm = "\u200F" // RIGHT-TO-LEFT MARK
)

// pseudoCatalog derives the ar-XB catalogue from English. Every run of
// literal text is wrapped in RIGHT-TO-LEFT OVERRIDE … POP DIRECTIONAL
// FORMATTING, so it is displayed reversed and laid out right to left like
// Arabic, and the message is framed by RIGHT-TO-LEFT MARKs so that
// placeholders at either end stay inside the right-to-left run. Placeholders
// are kept as they are and still receive their values. Plural messages keep
// the English forms, and the locale uses the English plural rules.
func pseudoCatalog(en catalog) catalog {
	out := make(catalog, len(en))
	for key, m := range en {
		pm := &message{plural: m.plural, forms: make(map[plural.Form]*text, len(m.forms))}
		for f, t := range m.forms {
			pm.forms[f] = pseudoText(t)
		}
		out[key] = pm
	}
	return out
}

func pseudoText(t *text) *text {
	segs := []segment{{lit: rlm}}
	raw := rlm
	for _, s := range t.segs {
		if s.field != "" {
			segs = append(segs, s)
			raw += "{{." + s.field + "}}"
			continue
		}
		lit := rlo + s.lit + pdf
		segs = append(segs, segment{lit: lit})
		raw += lit
	}
	segs = append(segs, segment{lit: rlm})
	raw += rlm
	return &text{raw: raw, segs: segs}
}
