package meetingguide

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strings"
)

// typesJSON is the spec's data/types.json, verbatim (MIT, code4recovery):
// the official type codes with their names in every language the spec
// translates. Kept byte-for-byte so it can be refreshed by copying the file.
//
//go:embed types.json
var typesJSON []byte

// extraTypes are codes real feeds use that the spec's file lacks. TSML (the
// WordPress plugin behind most feeds) adds ONL to every online meeting;
// aasfmarin.json and sussexaa.json carry it. Names are given only in the
// languages we can write correctly; others fall back to English.
var extraTypes = map[string]map[string]string{
	"ONL": {
		"en": "Online",
		"es": "En línea",
		"fr": "En ligne",
		"ja": "オンライン",
		"nl": "Online",
		"pt": "Online",
		"sv": "Online",
	},
	// TC (Location Temporarily Closed) is in the spec's file; if a refresh
	// ever loses it, this keeps Attendance's TC rule readable.
	"TC": {
		"en": "Location Temporarily Closed",
		"es": "Ubicación temporalmente cerrada",
		"fr": "Emplacement temporairement fermé",
	},
}

// typeNames maps code -> language -> name, built once from typesJSON and
// extraTypes; never changed afterwards, so safe for concurrent use.
var typeNames, typeCodes, typeLanguages = loadTypes()

func loadTypes() (names map[string]map[string]string, codes, langs []string) {
	if err := json.Unmarshal(typesJSON, &names); err != nil {
		panic("meetingguide: embedded types.json: " + err.Error())
	}
	for code, byLang := range extraTypes {
		if _, ok := names[code]; !ok {
			names[code] = byLang
		}
	}
	seen := map[string]bool{}
	for code, byLang := range names {
		codes = append(codes, code)
		for lang := range byLang {
			if !seen[lang] {
				seen[lang] = true
				langs = append(langs, lang)
			}
		}
	}
	slices.Sort(codes)
	slices.Sort(langs)
	return names, codes, langs
}

// TypeName is the name of a meeting type code in a language ("es", or a tag
// such as "es-MX", whose base is used). It falls back to English, then to
// the code itself, so a feed's own codes still show as something.
func TypeName(code, lang string) string {
	byLang, ok := typeNames[code]
	if !ok {
		return code
	}
	if name := byLang[BaseLanguage(lang)]; name != "" {
		return name
	}
	if name := byLang["en"]; name != "" {
		return name
	}
	return code
}

// KnownType reports whether code is an official type code (or one of the
// codes real feeds add, such as ONL). Codes are case-sensitive: "12x12".
func KnownType(code string) bool {
	_, ok := typeNames[code]
	return ok
}

// TypeCodes lists the known type codes, sorted.
func TypeCodes() []string { return slices.Clone(typeCodes) }

// TypeLanguages lists the languages type names are given in ("en", "es",
// ...), sorted.
func TypeLanguages() []string { return slices.Clone(typeLanguages) }

// TypeLanguage is the BCP 47 tag of the language a type code names ("S" is
// "es", "ITA" is "it"); ok is false for codes that name no language.
func TypeLanguage(code string) (tag string, ok bool) {
	tag, ok = languageTags[strings.ToUpper(strings.TrimSpace(code))]
	return tag, ok
}

// BaseLanguage lower-cases a language tag and keeps its first subtag: a
// member asking for Spanish wants "es-MX" meetings too.
func BaseLanguage(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

// languageTags maps the spec's language type codes to BCP 47 tags. The codes
// are not ISO 639 ("S" is Spanish, "SP" is Speaker), so each is listed.
var languageTags = map[string]string{
	"AF": "af", "AM": "am", "AR": "ar", "ASL": "ase", "BG": "bg", "DA": "da",
	"DE": "de", "EL": "el", "EN": "en", "FA": "fa", "FI": "fi", "FR": "fr",
	"HE": "he", "HI": "hi", "HR": "hr", "HU": "hu", "IS": "is", "ITA": "it",
	"JA": "ja", "KA": "ka", "KOR": "ko", "LT": "lt", "ML": "ml", "MT": "mt",
	"NE": "ne", "NL": "nl", "NO": "no", "POL": "pl", "POR": "pt", "PUN": "pa",
	"RUS": "ru", "S": "es", "SK": "sk", "SL": "sl", "SV": "sv", "TH": "th",
	"TL": "tl", "TUR": "tr", "UK": "uk",
}

// languageCodes is languageTags reversed, for Encode.
var languageCodes = func() map[string]string {
	m := make(map[string]string, len(languageTags))
	for code, tag := range languageTags {
		m[tag] = code
	}
	return m
}()

// languageOf derives a listing's language from its type codes: the first
// spoken-language code in the feed's order. ASL counts only when no spoken
// language is given, because feeds use it for an interpreted meeting
// (aasfmarin.json has "EN" + "ASL").
func languageOf(types []string) string {
	sign := ""
	for _, t := range types {
		tag, ok := languageTags[t]
		switch {
		case !ok:
		case t == "ASL":
			sign = tag
		default:
			return tag
		}
	}
	return sign
}
