package finder

import (
	"slices"
	"strings"

	"hearth/protocol"
)

// languageTags maps the Meeting Guide's language type codes to BCP 47
// language tags: feeds often say a meeting's language only as a type ("S"
// is Spanish, "ITA" Italian), so Query.Language looks at both. The codes are
// not ISO 639, so each is listed. The table is protocol/meetingguide's; it
// is repeated here so the finder does not depend on the feed codec.
var languageTags = map[string]string{
	"AF": "af", "AM": "am", "AR": "ar", "ASL": "ase", "BG": "bg", "DA": "da",
	"DE": "de", "EL": "el", "EN": "en", "FA": "fa", "FI": "fi", "FR": "fr",
	"HE": "he", "HI": "hi", "HR": "hr", "HU": "hu", "IS": "is", "ITA": "it",
	"JA": "ja", "KA": "ka", "KOR": "ko", "LT": "lt", "ML": "ml", "MT": "mt",
	"NE": "ne", "NL": "nl", "NO": "no", "POL": "pl", "POR": "pt", "PUN": "pa",
	"RUS": "ru", "S": "es", "SK": "sk", "SL": "sl", "SV": "sv", "TH": "th",
	"TL": "tl", "TUR": "tr", "UK": "uk",
}

// baseLanguage lower-cases a language tag and keeps its first subtag: a
// member asking for Spanish wants "es-MX" meetings too.
func baseLanguage(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

// queryLanguage reads Query.Language, which may be a tag ("es", "es-MX")
// or a Meeting Guide language type code ("S", "ITA").
func queryLanguage(s string) string {
	s = strings.TrimSpace(s)
	if tag, ok := languageTags[strings.ToUpper(s)]; ok {
		return tag
	}
	return baseLanguage(s)
}

// listingLanguages are the base languages a listing is held in: its
// Language and those its type codes name.
func listingLanguages(l *protocol.Listing) []string {
	var langs []string
	if l.Language != "" {
		langs = append(langs, baseLanguage(l.Language))
	}
	for _, t := range l.Types {
		if tag, ok := languageTags[strings.ToUpper(t)]; ok && !slices.Contains(langs, tag) {
			langs = append(langs, tag)
		}
	}
	return langs
}
