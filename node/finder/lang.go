package finder

import (
	"slices"

	"hearth/protocol"
	"hearth/protocol/meetingguide"
)

// Feeds often say a meeting's language only as a type code ("S" is
// Spanish, "ITA" Italian), so Query.Language looks at both the listing's
// Language and its language type codes, as protocol/meetingguide reads them.

// queryLanguage reads Query.Language, which may be a tag ("es", "es-MX")
// or a Meeting Guide language type code ("S", "ITA").
func queryLanguage(s string) string {
	if tag, ok := meetingguide.TypeLanguage(s); ok {
		return tag
	}
	return meetingguide.BaseLanguage(s)
}

// listingLanguages are the base languages a listing is held in: its
// Language and those its type codes name.
func listingLanguages(l *protocol.Listing) []string {
	var langs []string
	if l.Language != "" {
		langs = append(langs, meetingguide.BaseLanguage(l.Language))
	}
	for _, t := range l.Types {
		if tag, ok := meetingguide.TypeLanguage(t); ok && !slices.Contains(langs, tag) {
			langs = append(langs, tag)
		}
	}
	return langs
}
