package meetingguide

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"hearth/protocol"
)

func TestTypeName(t *testing.T) {
	tests := []struct{ code, lang, want string }{
		{"O", "en", "Open"},
		{"O", "es", "Abierta"},
		{"O", "es-MX", "Abierta"},
		{"O", "FR", "Ouvert(e)"},
		{"12x12", "ja", "12のステップと12の伝統"},
		{"C", "xx", "Closed"}, // no such language: English
		{"C", "", "Closed"},
		{"TC", "fr", "Emplacement temporairement fermé"},
		{"ONL", "en", "Online"}, // not in the spec's file: added
		{"ONL", "es", "En línea"},
		{"ONL", "fr", "En ligne"},
		{"ONL", "sk", "Online"}, // no Slovak name written: English
		{"XYZ", "en", "XYZ"},    // unknown: the code itself
		{"o", "en", "o"},        // codes are case-sensitive
	}
	for _, tt := range tests {
		if got := TypeName(tt.code, tt.lang); got != tt.want {
			t.Errorf("TypeName(%q, %q) = %q, want %q", tt.code, tt.lang, got, tt.want)
		}
	}
}

func TestTypeCodes(t *testing.T) {
	codes := TypeCodes()
	// types.json has 87 codes (the README's count; TC is among them), plus ONL.
	if len(codes) != 88 || !slices.IsSorted(codes) {
		t.Fatalf("%d codes, sorted %v", len(codes), slices.IsSorted(codes))
	}
	for _, c := range []string{"11", "12x12", "O", "C", "TC", "ONL", "S", "ASL", "LGBTQ", "Y"} {
		if !KnownType(c) {
			t.Errorf("%s unknown", c)
		}
	}
	if KnownType("NA") || KnownType("") {
		t.Error("NA or \"\" known")
	}
	codes[0] = "changed"
	if TypeCodes()[0] == "changed" {
		t.Error("TypeCodes shares its slice")
	}
	if langs := TypeLanguages(); !slices.Equal(langs, []string{"en", "es", "fr", "ja", "nl", "pt", "sk", "sv", "th"}) {
		t.Errorf("languages %v", langs)
	}
	for _, code := range codes[1:] {
		if TypeName(code, "en") == code && code != "LGBTQ" {
			t.Errorf("%s has no English name", code)
		}
	}
}

// The embedded file and the testdata copy are the same file from the spec.
func TestTypesFileMatchesTestdata(t *testing.T) {
	data, err := os.ReadFile("testdata/types.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, typesJSON) {
		t.Error("types.json differs from testdata/types.json; refresh both from the spec")
	}
}

// Every language code maps to a type the spec knows and to a tag protocol
// accepts; every language type in the spec is mapped.
func TestLanguageTags(t *testing.T) {
	for code, tag := range languageTags {
		if !KnownType(code) {
			t.Errorf("%s is not a type code", code)
		}
		l := protocol.Listing{Slug: "x", Name: "x", Language: tag}
		mustValidate(t, l)
		if languageCodes[tag] != code {
			t.Errorf("%s -> %s -> %s", code, tag, languageCodes[tag])
		}
	}
	// Names of the spec's language types, read from types.json.
	languages := []string{"Afrikaans", "Amharic", "Arabic", "American Sign Language", "Bulgarian", "Danish", "German",
		"Greek", "English", "Persian", "Finnish", "French", "Hebrew", "Hindi", "Croatian", "Hungarian", "Icelandic",
		"Italian", "Japanese", "Georgian", "Korean", "Lithuanian", "Malayalam", "Maltese", "Nepali", "Dutch",
		"Norwegian", "Polish", "Portuguese", "Punjabi", "Russian", "Spanish", "Slovak", "Slovenian", "Swedish", "Thai",
		"Tagalog", "Turkish", "Ukrainian"}
	for _, code := range TypeCodes() {
		if slices.Contains(languages, TypeName(code, "en")) && languageTags[code] == "" {
			t.Errorf("language type %s (%s) has no tag", code, TypeName(code, "en"))
		}
	}
	if len(languageTags) != len(languages) {
		t.Errorf("%d tags for %d languages", len(languageTags), len(languages))
	}
}
