package node

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"hearth/protocol"
)

// Every entry of the crisis line table is one help.crisis_lines can use: a
// name and a number to dial on each line, a source to check it against,
// and zones that exist; no country twice.
func TestCrisisLineTable(t *testing.T) {
	t.Parallel()
	dialable := regexp.MustCompile(`^\+?[0-9][0-9 -]*[0-9]$`)
	seen := map[string]bool{}
	for _, c := range crisisLineTable {
		if len(c.Code) != 2 || strings.ToUpper(c.Code) != c.Code || seen[c.Code] {
			t.Errorf("%q: not a two-letter code, or twice", c.Code)
		}
		seen[c.Code] = true
		if len(c.Lines) == 0 || len(c.Sources) == 0 || len(c.Zones) == 0 {
			t.Errorf("%s: lines %v, sources %v, zones %v", c.Code, c.Lines, c.Sources, c.Zones)
		}
		for _, line := range c.Lines {
			i := strings.LastIndex(line, ": ")
			if i < 0 || !dialable.MatchString(line[i+2:]) {
				t.Errorf("%s: %q is not \"Name: number\"", c.Code, line)
			}
		}
		for _, src := range c.Sources {
			if u, err := url.Parse(src); err != nil || u.Scheme != "https" || u.Host == "" {
				t.Errorf("%s: source %q is not an https address", c.Code, src)
			}
		}
		for _, z := range c.Zones {
			if _, err := protocol.LoadTimezone(z); err != nil {
				t.Errorf("%s: zone %s: %v", c.Code, z, err)
			}
		}
	}
	if c, ok := CrisisLinesFor(" ke "); !ok || c.Name != "Kenya" {
		t.Errorf("CrisisLinesFor(ke): %+v %v", c, ok)
	}
	if _, ok := CrisisLinesFor("ZZ"); ok {
		t.Error("a country not in the table has lines")
	}
	if CountryOfZone("America/Los_Angeles") != "US" || CountryOfZone("Antarctica/Troll") != "" {
		t.Error("CountryOfZone")
	}
	// Callers may change what they get without changing the table.
	c, _ := CrisisLinesFor("GB")
	c.Lines[0] = "changed"
	if again, _ := CrisisLinesFor("GB"); again.Lines[0] == "changed" {
		t.Error("the table was changed through a copy")
	}
}
